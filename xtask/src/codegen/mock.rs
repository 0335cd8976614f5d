//! The client's mocks for unit tests: progenitor's typed httpmock helpers (a `When` and a
//! `Then` per operation), generated from the client's own view of the spec and with its type
//! replacements, so that a mock matches and answers exactly the types the client sends and
//! decodes.

use openapiv3::OpenAPI;
use proc_macro2::TokenStream;
use progenitor_impl::Generator;
use quote::ToTokens;

use super::client;
use super::guard::guarded;
use crate::spec::{Spec, SpecError};

/// `view`, `types` and `types_path` as for the client; `client_path` is where the generated
/// code finds the client's items (`crate` inside the client crate). `lists` says whether some
/// operation takes a list parameter, the only case whose mocks need rewriting; the rewrite
/// re-reads every mock, a large part of this step's time on a large spec.
pub fn generate(
    spec: &Spec,
    view: &OpenAPI,
    types: &[String],
    types_path: &str,
    client_path: &str,
    lists: bool,
) -> Result<TokenStream, SpecError> {
    let mut generator = Generator::new(&client::settings(types, types_path));
    let tokens = guarded(spec, "mocks", || {
        generator
            .httpmock(view, client_path)
            .map_err(|e| e.to_string())
    })?;
    if !lists {
        return Ok(tokens);
    }
    guarded(spec, "mocks", || match_list_items(tokens))
}

/// progenitor matches a query or header parameter by `value.to_string()`, which a list does not
/// have. The client sends a list in the query as the parameter repeated, once per item, so the
/// mock matches each item; and a list header as its items joined by commas, so the mock
/// matches that.
fn match_list_items(tokens: TokenStream) -> Result<TokenStream, String> {
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated mocks do not parse: {e}"))?;
    for item in &mut file.items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        let Some((_, items)) = &mut module.content else {
            continue;
        };
        for item in items {
            let syn::Item::Impl(block) = item else {
                continue;
            };
            for item in &mut block.items {
                let syn::ImplItem::Fn(method) = item else {
                    continue;
                };
                let signature = method.sig.to_token_stream().to_string();
                if !signature.contains("Vec <") {
                    continue;
                }
                for stmt in &mut method.block.stmts {
                    if let syn::Stmt::Expr(expr, _) = stmt {
                        each_item(expr);
                    }
                }
            }
        }
    }
    Ok(quote::quote!(#file))
}

/// Rewrites `Self(self.0.query_param(name, value.to_string()))` in `expr` to match each item of
/// `value`, and `Self(self.0.header(name, value.to_string()))` to match the items joined.
fn each_item(expr: &mut syn::Expr) {
    match expr {
        // `if let Some(value) = value.into() { match it } else { match its absence }`: only
        // the first branch names the value.
        syn::Expr::If(branch) => {
            for stmt in &mut branch.then_branch.stmts {
                if let syn::Stmt::Expr(expr, _) = stmt {
                    each_item(expr);
                }
            }
        }
        syn::Expr::Call(call) => {
            let Some(syn::Expr::MethodCall(inner)) = call.args.first() else {
                return;
            };
            let whole_value = inner
                .args
                .iter()
                .nth(1)
                .is_some_and(|arg| arg.to_token_stream().to_string() == "value . to_string ()");
            let Some(name) = inner.args.first().filter(|_| whole_value) else {
                return;
            };
            if inner.method == "query_param" {
                *expr = syn::parse_quote! {
                    Self(value.iter().fold(self.0, |when, item| when.query_param(#name, item.to_string())))
                };
            } else if inner.method == "header" {
                let joined = client::joined(&quote::quote!(value));
                *expr = syn::parse_quote!(Self(self.0.header(#name, #joined)));
            }
        }
        _ => {}
    }
}
