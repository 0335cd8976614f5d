//! The model types of `authapi-types`: one Rust type per named schema of the spec, and the
//! types of the operations' inline schemas, all from the model's one type space.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::model::Model;
use crate::spec::{Spec, SpecError};

/// Every type the model's type space holds, named schemas and inline ones alike, sorted.
pub fn names(model: &Model) -> Vec<String> {
    let known: std::collections::BTreeSet<String> =
        model.types.iter_types().map(|t| t.name()).collect();
    known.into_iter().collect()
}

pub fn generate(spec: &Spec, model: &Model) -> Result<TokenStream, SpecError> {
    let space = &model.types;
    let known = names(model);
    let known = |rust: &String| known.binary_search(rust).is_ok();
    // (schema name in the spec, Rust type name), in spec order.
    let mut names = Vec::new();
    let schemas = spec.api.components.iter().flat_map(|c| c.schemas.iter());
    for (schema, body) in schemas {
        let rust = rust_name(schema);
        let native = body
            .as_item()
            .is_some_and(|s| s.schema_data.extensions.contains_key("x-rust-type"));
        if !known(&rust) && native {
            // An `x-rust-type` schema may be an existing Rust type rather than a generated one.
            continue;
        }
        if !known(&rust) {
            let pointer = format!("/components/schemas/{}", super::model::escape(schema));
            return Err(SpecError::at(
                spec,
                pointer,
                format!(
                    "the schema did not become a Rust type named {rust}; rename it so that its name is unique"
                ),
            ));
        }
        names.push((schema.clone(), rust));
    }

    let types = super::keywords::raw(super::pattern::faster(space.to_stream()));
    let arms = names.iter().map(|(schema, rust)| {
        let ty = format_ident!("{rust}");
        quote! { #schema => ::serde_json::from_value::<#ty>(value).and_then(::serde_json::to_value), }
    });
    let schema_arms = names.iter().map(|(schema, rust)| {
        let ty = format_ident!("{rust}");
        quote! { #schema => ::schemars::schema_for!(#ty), }
    });
    let derived = if names.is_empty() {
        quote! {
            let _ = schema;
            None
        }
    } else {
        quote! {
            Some(match schema {
                #(#schema_arms)*
                _ => return None,
            })
        }
    };
    // A match of nothing but `_ => return None` would leave `Some(..)` unreachable and `value`
    // unused, and generated code must compile without warnings.
    let found = if names.is_empty() {
        quote! {
            let _ = (schema, value);
            None
        }
    } else {
        quote! {
            Some(match schema {
                #(#arms)*
                _ => return None,
            })
        }
    };
    let tokens = quote! {
        #types

        /// Decodes `value` as the type generated for the named schema of the spec and encodes
        /// it again; `None` when the spec has no schema of that name. Examples and data files
        /// are checked with it.
        pub fn roundtrip(
            schema: &str,
            value: ::serde_json::Value,
        ) -> Option<Result<::serde_json::Value, ::serde_json::Error>> {
            #found
        }

        /// The JSON Schema that schemars derives from the type generated for the named schema
        /// of the spec; `None` when the spec has no schema of that name. Tests hold it against
        /// the spec's own schema.
        pub fn derived_schema(schema: &str) -> Option<::schemars::schema::RootSchema> {
            #derived
        }
    };
    Ok(tokens)
}

/// The name typify gives the type of a named schema.
pub fn rust_name(schema: &str) -> String {
    schema.to_upper_camel_case()
}
