//! The client's mocks for unit tests: progenitor's typed httpmock helpers (a `When` and a
//! `Then` per operation), generated from the client's own view of the spec and with its type
//! replacements, so that a mock matches and answers exactly the types the client sends and
//! decodes.

use openapiv3::OpenAPI;
use proc_macro2::TokenStream;
use progenitor_impl::Generator;

use super::{client, guarded};
use crate::spec::SpecError;

/// `types` and `types_path` as for the client; `client_path` is where the generated code finds
/// the client's items (`crate` inside the client crate).
pub fn generate(
    api: &OpenAPI,
    shown: &str,
    types: &[String],
    types_path: &str,
    client_path: &str,
) -> Result<TokenStream, SpecError> {
    let mut generator = Generator::new(&client::settings(types, types_path));
    let api = client::client_view(api);
    guarded(shown, "mocks", || {
        generator
            .httpmock(&api, client_path)
            .map_err(|e| e.to_string())
    })
}
