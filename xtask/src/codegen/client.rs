//! The progenitor client of `authapi-client`, reusing the model types of `authapi-types`.

use openapiv3::OpenAPI;
use proc_macro2::TokenStream;
use progenitor_impl::{CrateVers, GenerationSettings, Generator, InterfaceStyle};

use super::guarded;
use crate::spec::SpecError;

/// `types` are the names of every type `authapi-types` holds; the client uses those instead of
/// generating its own.
/// `types_path` is where they live, e.g. `::authapi_types`.
pub fn generate(
    api: &OpenAPI,
    shown: &str,
    types: &[String],
    types_path: &str,
) -> Result<TokenStream, SpecError> {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_crate("std", CrateVers::Any, None);
    for rust in types {
        // Keyed by the Rust name: that is what typify looks replacements up by.
        settings.with_replacement(rust, format!("{types_path}::{rust}"), std::iter::empty());
    }
    let mut generator = Generator::new(&settings);
    let tokens = guarded(shown, "client", || {
        generator.generate_tokens(api).map_err(|e| e.to_string())
    })?;
    guarded(shown, "client", || drop_empty_types_module(tokens))
}

/// With every named schema taken from `authapi-types`, the client's own `types` module holds
/// only typify's unused `error` module; dropping it keeps the client free of dead code.
fn drop_empty_types_module(tokens: TokenStream) -> Result<TokenStream, String> {
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated client does not parse: {e}"))?;
    file.items.retain(|item| {
        let syn::Item::Mod(module) = item else {
            return true;
        };
        let only_errors = module.content.as_ref().is_some_and(|(_, items)| {
            items
                .iter()
                .all(|i| matches!(i, syn::Item::Mod(m) if m.ident == "error"))
        });
        !(module.ident == "types" && only_errors)
    });
    Ok(quote::quote!(#file))
}
