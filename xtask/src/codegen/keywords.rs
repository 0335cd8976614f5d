//! typify writes its code for the 2021 edition, and the generated crates are of the 2024 one,
//! which reserves `gen`: typify names a `JsonSchema` impl's generator `gen` (in the parameter
//! and in the path `schemars::gen`), which would not compile. Every such identifier becomes a
//! raw one (`r#gen`), which means the same name in every edition.

use proc_macro2::{Group, Ident, TokenStream, TokenTree};

/// The identifiers that editions after 2021 reserve.
const RESERVED: &[&str] = &["gen"];

/// `tokens` with each identifier a later edition reserves written raw, groups included.
pub fn raw(tokens: TokenStream) -> TokenStream {
    tokens
        .into_iter()
        .map(|token| match token {
            TokenTree::Group(group) => {
                let mut copy = Group::new(group.delimiter(), raw(group.stream()));
                copy.set_span(group.span());
                TokenTree::Group(copy)
            }
            TokenTree::Ident(ident) if RESERVED.iter().any(|word| ident == word) => {
                TokenTree::Ident(Ident::new_raw(&ident.to_string(), ident.span()))
            }
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    #[test]
    fn reserved_words_become_raw_identifiers_wherever_they_stand() {
        let tokens = quote! {
            fn json_schema(gen: &mut ::schemars::gen::SchemaGenerator) -> Schema {
                { <i64 as JsonSchema>::json_schema(gen) }
            }
            struct Generator { r#gen: u8, generated: u8 }
        };
        assert_eq!(
            raw(tokens).to_string(),
            quote! {
                fn json_schema(r#gen: &mut ::schemars::r#gen::SchemaGenerator) -> Schema {
                    { <i64 as JsonSchema>::json_schema(r#gen) }
                }
                struct Generator { r#gen: u8, generated: u8 }
            }
            .to_string()
        );
    }
}
