//! The server side of `authapi-stubs`: one trait method per operation and an axum router that
//! authenticates, validates path parameters, calls the trait and encodes the answer.
//!
//! Operations come from the spec; the Rust types of their parameters and answers come from the
//! generated client's method signatures, so server and client can never disagree on them.

use std::collections::BTreeMap;

use openapiv3::{OpenAPI, Parameter, ReferenceOr, Schema, SchemaKind, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::spec::SpecError;

/// What the client generator decided for one operation.
struct Signature {
    /// (parameter name, its type) in the client method's order.
    params: Vec<(String, syn::Type)>,
    success: syn::Type,
}

pub fn generate(
    api: &OpenAPI,
    shown: &str,
    client: &TokenStream,
) -> Result<TokenStream, SpecError> {
    let signatures = signatures(client).map_err(|message| SpecError {
        file: shown.to_string(),
        line_col: None,
        pointer: None,
        message: format!("cannot read the generated client: {message}"),
    })?;

    let mut response_schemas = Vec::new();
    let mut methods = Vec::new();
    let mut handlers = Vec::new();
    let mut routes = Vec::new();
    for (path, item) in &api.paths.paths {
        let Some(item) = item.as_item() else { continue };
        let mut on_path = Vec::new();
        for (method, op) in item.iter() {
            let escaped = path.replace('~', "~0").replace('/', "~1");
            let pointer = format!("/paths/{escaped}/{method}");
            let fail = |message: String| SpecError {
                file: shown.to_string(),
                line_col: None,
                pointer: Some(pointer.clone()),
                message,
            };
            let op_id = op.operation_id.clone().unwrap_or_default();
            let name = format_ident!("{}", op_id);
            let sig = signatures
                .get(&op_id)
                .ok_or_else(|| fail(format!("the client has no method for operation {op_id:?}")))?;

            let mut param_decls = Vec::new();
            let mut param_parses = Vec::new();
            let mut param_names = Vec::new();
            for (param_name, ty) in &sig.params {
                let param = item
                    .parameters
                    .iter()
                    .chain(&op.parameters)
                    .filter_map(|p| resolve_param(api, p))
                    .find(|p| &p.parameter_data_ref().name == param_name);
                let Some(Parameter::Path { parameter_data, .. }) = param else {
                    return Err(fail(format!(
                        "parameter {param_name:?} is not a path parameter; the server generator supports path parameters only"
                    )));
                };
                let hint = match &parameter_data.format {
                    openapiv3::ParameterSchemaOrContent::Schema(schema) => hint(api, schema),
                    openapiv3::ParameterSchemaOrContent::Content(_) => "a value".to_string(),
                };
                let ident = format_ident!("{}", param_name);
                param_decls.push(quote! { #ident: #ty });
                param_parses.push(quote! {
                    let #ident = crate::support::path_param::<#ty>(&path, #param_name, #hint)?;
                });
                param_names.push(ident);
            }
            for (status, schema) in response_schema_names(api, op) {
                let status = proc_macro2::Literal::u16_unsuffixed(status);
                response_schemas.push(quote! { (#op_id, #status, #schema) });
            }
            let success = &sig.success;
            let doc = [op.summary.as_deref(), op.description.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n\n");
            let doc = format!("{doc}\n\n`{} {path}`", method.to_uppercase());
            methods.push(quote! {
                #[doc = #doc]
                fn #name(
                    &self,
                    caller: &Self::Caller,
                    #(#param_decls),*
                ) -> impl ::std::future::Future<Output = Result<crate::Reply<#success>, ApiError>> + Send;
            });
            handlers.push(quote! {
                async fn #name<A: Api>(
                    State(api): State<Arc<A>>,
                    authorization: Authorization,
                    path: Result<RawPathParams, RawPathParamsRejection>,
                ) -> Response {
                    crate::support::respond(#op_id, async {
                        let caller = crate::support::authenticate(&*api, &authorization).await?;
                        let path = crate::support::path_params(path)?;
                        #(#param_parses)*
                        api.#name(&caller, #(#param_names),*).await
                    }.await)
                }
            });
            let route_fn = format_ident!("{}", method);
            on_path.push(quote! { ::axum::routing::#route_fn(#name::<A>) });
        }
        if !on_path.is_empty() {
            let first = &on_path[0];
            let rest = on_path[1..].iter().map(|r| {
                // `get(h).post(h2)`: chain the later methods onto the first.
                quote! { .merge(#r) }
            });
            routes.push(quote! { .route(#path, #first #(#rest)*) });
        }
    }

    Ok(quote! {
        use ::std::sync::Arc;

        use ::axum::extract::{RawPathParams, State, rejection::RawPathParamsRejection};
        use crate::support::Authorization;
        use ::axum::response::Response;

        use crate::ApiError;

        /// The spec this code was generated from, as written.
        pub const SPEC_YAML: &str = include_str!("../../../spec/openapi.yaml");

        /// The same spec as JSON.
        pub const SPEC_JSON: &str = include_str!("openapi.json");

        /// The spec's named schemas as one JSON Schema (2020-12) document, under `$defs`.
        pub const SCHEMA_JSON: &str = include_str!("schema.json");

        /// (operation id, HTTP status, name of the `$defs` schema in [`SCHEMA_JSON`] that the
        /// answer's body must match), for every documented answer with a named JSON schema.
        pub const RESPONSE_SCHEMAS: &[(&str, u16, &str)] = &[#(#response_schemas),*];

        /// The operations of the API. Implement it, then serve it with [`router`].
        pub trait Api: Send + Sync + 'static {
            /// Who is calling, as [`Api::authenticate`] found from the bearer token.
            type Caller: Send + Sync;

            /// Turns the bearer token of a request into its caller; an unknown token is
            /// `bad_authtoken`.
            fn authenticate(
                &self,
                token: &str,
            ) -> impl ::std::future::Future<Output = Result<Self::Caller, ApiError>> + Send;

            #(#methods)*
        }

        /// Routes every operation of the spec to `api`, and serves the spec at `/openapi.json`
        /// and `/openapi.yaml`.
        pub fn router<A: Api>(api: A) -> ::axum::Router {
            let routes = ::axum::Router::new()
                #(#routes)*
                .with_state(Arc::new(api));
            crate::support::finish(routes, SPEC_JSON, SPEC_YAML)
        }

        #(#handlers)*
    })
}

/// A parameter, following a `$ref` into `components.parameters`.
fn resolve_param<'a>(api: &'a OpenAPI, param: &'a ReferenceOr<Parameter>) -> Option<&'a Parameter> {
    match param {
        ReferenceOr::Item(p) => Some(p),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/parameters/")?;
            api.components.as_ref()?.parameters.get(name)?.as_item()
        }
    }
}

fn resolve_schema<'a>(api: &'a OpenAPI, schema: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
    match schema {
        ReferenceOr::Item(s) => Some(s),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/schemas/")?;
            resolve_schema(api, api.components.as_ref()?.schemas.get(name)?)
        }
    }
}

/// (status, schema name) of each documented answer whose JSON body is a named schema.
fn response_schema_names(api: &OpenAPI, op: &openapiv3::Operation) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    for (status, response) in &op.responses.responses {
        let openapiv3::StatusCode::Code(status) = status else {
            continue;
        };
        let response = match response {
            ReferenceOr::Item(r) => Some(r),
            ReferenceOr::Reference { reference } => reference
                .strip_prefix("#/components/responses/")
                .and_then(|name| api.components.as_ref()?.responses.get(name)?.as_item()),
        };
        let schema = response
            .and_then(|r| r.content.get("application/json"))
            .and_then(|media| media.schema.as_ref());
        if let Some(ReferenceOr::Reference { reference }) = schema
            && let Some(name) = reference.strip_prefix("#/components/schemas/")
        {
            out.push((*status, name.to_string()));
        }
    }
    out
}

/// What a valid value of a parameter looks like, for the message of a 400 answer, which
/// already says which rule the value broke: the schema's example when it has one, else its
/// rules.
fn hint(api: &OpenAPI, schema: &ReferenceOr<Schema>) -> String {
    let Some(schema) = resolve_schema(api, schema) else {
        return "a value".into();
    };
    if let Some(example) = schema.schema_data.example.as_ref().and_then(|e| e.as_str()) {
        return format!("a value like {example}");
    }
    let mut parts = Vec::new();
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            parts.push(match (s.min_length, s.max_length) {
                (Some(min), Some(max)) if min == max => format!("{min} characters"),
                (Some(min), Some(max)) => format!("{min} to {max} characters"),
                (Some(min), None) => format!("at least {min} characters"),
                (None, Some(max)) => format!("at most {max} characters"),
                (None, None) => "a string".into(),
            });
            if let Some(pattern) = &s.pattern {
                parts.push(format!("matching {pattern}"));
            }
            if !s.enumeration.is_empty() {
                let values: Vec<&str> =
                    s.enumeration.iter().flatten().map(String::as_str).collect();
                parts.push(format!("one of {}", values.join(", ")));
            }
        }
        SchemaKind::Type(Type::Integer(_)) => parts.push("an integer".into()),
        SchemaKind::Type(Type::Number(_)) => parts.push("a number".into()),
        _ => parts.push("a value".into()),
    }
    parts.join(" ")
}

/// The parameter and success types of each method of the generated client, by operation id.
fn signatures(client: &TokenStream) -> Result<BTreeMap<String, Signature>, String> {
    let file: syn::File = syn::parse2(client.clone()).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for item in &file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let is_client = matches!(&*block.self_ty, syn::Type::Path(p) if p.path.is_ident("Client"));
        if !is_client || block.trait_.is_some() {
            continue;
        }
        for item in &block.items {
            let syn::ImplItem::Fn(f) = item else { continue };
            if f.sig.asyncness.is_none() {
                continue;
            }
            let params = f
                .sig
                .inputs
                .iter()
                .filter_map(|arg| match arg {
                    syn::FnArg::Typed(t) => Some(t),
                    syn::FnArg::Receiver(_) => None,
                })
                .map(|t| {
                    let name = match &*t.pat {
                        syn::Pat::Ident(i) => i.ident.to_string(),
                        _ => return Err(format!("{}: unexpected parameter pattern", f.sig.ident)),
                    };
                    // The client borrows its arguments; the server owns what it parsed.
                    let ty = match &*t.ty {
                        syn::Type::Reference(r) if matches!(&*r.elem, syn::Type::Path(p) if p.path.is_ident("str")) => {
                            syn::parse_quote!(::std::string::String)
                        }
                        syn::Type::Reference(r) => (*r.elem).clone(),
                        other => other.clone(),
                    };
                    Ok((name, shared_type(ty)))
                })
                .collect::<Result<Vec<_>, String>>()?;
            let success = success_type(&f.sig.output)
                .ok_or_else(|| format!("{}: cannot find the success type", f.sig.ident))?;
            out.insert(
                f.sig.ident.to_string(),
                Signature {
                    params,
                    success: shared_type(success),
                },
            );
        }
    }
    Ok(out)
}

/// `T` of `Result<ResponseValue<T>, Error<E>>`.
fn success_type(output: &syn::ReturnType) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let first_arg = |ty: &syn::Type| -> Option<syn::Type> {
        let syn::Type::Path(p) = ty else { return None };
        let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
            return None;
        };
        args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        })
    };
    first_arg(&first_arg(ty)?)
}

/// A client-local `types::X` is the same type as `authapi_types::X`: both come from one type
/// space.
fn shared_type(ty: syn::Type) -> syn::Type {
    match &ty {
        syn::Type::Path(p) if p.path.segments.first().is_some_and(|s| s.ident == "types") => {
            let rest = p.path.segments.iter().skip(1);
            syn::parse_quote!(::authapi_types #(::#rest)*)
        }
        _ => ty,
    }
}
