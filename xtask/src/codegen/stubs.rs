//! The server side: from the operation model, one trait method per operation with a
//! per-operation response type, and an axum router that authenticates, reads and checks every
//! parameter and body, calls the trait and encodes the answer.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::model::{
    Body, Location, Media, Model, Operation, Param, Response, Scalar, SchemeKind, Shape, Status,
};

/// Where the generated code finds what it refers to.
pub struct Paths {
    /// The module or crate of the model types, e.g. `::authapi_types`.
    pub types: TokenStream,
    /// The spec file, relative to the generated file, for `include_str!`.
    pub spec_yaml: String,
}

pub fn generate(model: &Model, paths: &Paths) -> TokenStream {
    let types_path = &paths.types;
    let spec_yaml = &paths.spec_yaml;
    let secured = !model.schemes.is_empty();

    let mut response_schemas = Vec::new();
    let mut methods = Vec::new();
    let mut handlers = Vec::new();
    let mut answers = Vec::new();
    let mut routes: Vec<(String, Vec<TokenStream>)> = Vec::new();
    for op in &model.operations {
        for response in &op.responses {
            if let Some(check) = response.body.as_ref().and_then(|b| b.check.as_ref()) {
                let (id, status) = (&op.id, response.status.key());
                response_schemas.push(quote! { (#id, #status, #check) });
            }
        }
        methods.push(method(op));
        handlers.push(handler(model, op));
        answers.push(response_type(op));
        let name = format_ident!("{}", op.name);
        let route_fn = format_ident!("{}", op.method);
        let route = quote! { ::axum::routing::#route_fn(#name::<A>) };
        match routes.iter_mut().find(|(path, _)| *path == op.path) {
            Some((_, list)) => list.push(route),
            None => routes.push((op.path.clone(), vec![route])),
        }
    }
    let routes = routes.iter().map(|(path, list)| {
        let first = &list[0];
        let rest = &list[1..];
        quote! { .route(#path, #first #(.merge(#rest))*) }
    });

    let caller = secured.then(|| {
        quote! {
            /// Who is calling, as the `authenticate_*` method of the scheme they used found.
            type Caller: Send + Sync;

            /// The scenario every request of `caller` plays (say, one bound to its token), under
            /// what its `Prefer` header asks; none unless implemented.
            fn scenario<'a>(&'a self, caller: &'a Self::Caller) -> Option<&'a rt::Scenario> {
                let _ = caller;
                None
            }
        }
    });
    let authenticators = model.schemes.iter().map(|scheme| {
        let name = format_ident!("authenticate_{}", scheme.rust);
        let (args, what) = match &scheme.kind {
            SchemeKind::Bearer => (quote! { token: &str }, "the bearer token".to_string()),
            SchemeKind::Basic => (quote! { user: &str, password: &str }, "the user and password of basic authentication".to_string()),
            SchemeKind::ApiKey { location, name } => (
                quote! { key: &str },
                format!("the API key in {} {name:?}", match location { Location::Query => "query parameter", _ => "header" }),
            ),
        };
        let doc = format!(
            "Security scheme `{}`: turns {what} into the caller; credentials that are not valid are `bad_authtoken`.",
            scheme.name
        );
        quote! {
            #[doc = #doc]
            fn #name(&self, #args) -> impl ::std::future::Future<Output = Result<Self::Caller, ApiError>> + Send;
        }
    });

    // `JsonBody` wraps JSON answers only; a spec without one must not import it unused.
    let json_answers = model.operations.iter().any(|op| {
        op.responses.iter().any(|r| {
            r.body
                .as_ref()
                .is_some_and(|b| matches!(b.media, Media::Json | Media::Form))
        })
    });
    let imports = if json_answers {
        quote! { use ::authapi_stubs::{ApiError, JsonBody}; }
    } else {
        quote! { use ::authapi_stubs::ApiError; }
    };

    quote! {
        use ::std::sync::Arc;

        use ::axum::extract::State;
        use ::axum::response::Response;
        use ::authapi_stubs::runtime as rt;
        #imports
        #[allow(unused_imports)]
        use #types_path as types;

        /// The spec this code was generated from, as written.
        pub const SPEC_YAML: &str = include_str!(#spec_yaml);

        /// The same spec as JSON.
        pub const SPEC_JSON: &str = include_str!("openapi.json");

        /// The spec's schemas as one JSON Schema (2020-12) document, under `$defs`: the named
        /// schemas, and the inline ones of parameters, bodies and responses.
        pub const SCHEMA_JSON: &str = include_str!("schema.json");

        /// (operation id, documented status, name of the `$defs` schema in [`SCHEMA_JSON`] that
        /// the answer's JSON body must match).
        pub const RESPONSE_SCHEMAS: &[(&str, &str, &str)] = &[#(#response_schemas),*];

        /// The schemas that requests and answers are checked against.
        pub static SCHEMAS: rt::Schemas = rt::Schemas::new(SCHEMA_JSON, RESPONSE_SCHEMAS);

        /// The spec's documented answers, for scenarios and authentication challenges.
        pub static SPEC: rt::Spec = rt::Spec::new(SPEC_JSON, &SCHEMAS);

        #(#answers)*

        /// The operations of the API. Implement it, then serve it with [`router`].
        pub trait Api: Send + Sync + 'static {
            #caller
            #(#authenticators)*
            #(#methods)*
        }

        /// Routes every operation of the spec to `api`, and serves the spec at `/openapi.json`
        /// and `/openapi.yaml`.
        pub fn router<A: Api>(api: A) -> ::axum::Router {
            router_with(api, rt::Options::default())
        }

        /// [`router`] with limits other than the defaults.
        pub fn router_with<A: Api>(api: A, options: rt::Options) -> ::axum::Router {
            let routes = ::axum::Router::new()
                #(#routes)*
                .with_state(Arc::new(rt::Served::new(api, options)));
            rt::finish(routes, SPEC_JSON, SPEC_YAML)
        }

        #(#handlers)*
    }
}

fn response_type_ident(op: &Operation) -> proc_macro2::Ident {
    format_ident!("{}Response", super::model::sanitize(&op.id, true))
}

fn doc(op: &Operation) -> String {
    let mut doc = [op.summary.as_deref(), op.description.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n\n");
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    doc.push_str(&format!("`{} {}`", op.method.to_uppercase(), op.path));
    doc
}

fn param_type(param: &Param) -> TokenStream {
    let ty = &param.ty;
    if param.required || param.default.is_some() {
        quote! { #ty }
    } else {
        quote! { Option<#ty> }
    }
}

fn body_type(body: &Body) -> TokenStream {
    let ty = &body.ty;
    if body.required {
        quote! { #ty }
    } else {
        quote! { Option<#ty> }
    }
}

fn method(op: &Operation) -> TokenStream {
    let name = format_ident!("{}", op.name);
    let doc = doc(op);
    let caller = (!op.security.is_empty()).then(|| quote! { caller: &Self::Caller, });
    let params = op.params.iter().map(|p| {
        let ident = format_ident!("{}", p.name);
        let ty = param_type(p);
        quote! { #ident: #ty }
    });
    let body = op.body.as_ref().map(|b| {
        let ty = body_type(b);
        quote! { body: #ty, }
    });
    let response = response_type_ident(op);
    quote! {
        #[doc = #doc]
        fn #name(
            &self,
            #caller
            #(#params,)*
            #body
        ) -> impl ::std::future::Future<Output = Result<#response, ApiError>> + Send;
    }
}

fn status_tokens(status: Status) -> TokenStream {
    match status {
        Status::Code(code) => {
            let code = Literal::u16_unsuffixed(code);
            quote! { rt::status(#code) }
        }
        Status::Range(class) => {
            let class = Literal::u16_unsuffixed(class);
            quote! { rt::status_in(status, #class) }
        }
        Status::Default => quote! { rt::status_in(status, 0) },
    }
}

fn response_type(op: &Operation) -> TokenStream {
    let ident = response_type_ident(op);
    let doc = format!(
        "What `{}` answers: one variant per response the spec documents.",
        op.id
    );
    let variants = op.responses.iter().map(|r| {
        let variant = format_ident!("{}", r.variant);
        let doc = format!("{}: {}", r.status.key(), r.description.trim());
        let body_ty = r.body.as_ref().map(|b| {
            let ty = &b.ty;
            match b.media {
                Media::Json | Media::Form => quote! { JsonBody<#ty> },
                _ => quote! { #ty },
            }
        });
        let status_field = (!matches!(r.status, Status::Code(_))).then(|| quote! { status: u16, });
        if r.headers.is_empty() && status_field.is_none() {
            return match body_ty {
                Some(ty) => quote! { #[doc = #doc] #variant(#ty), },
                None => quote! { #[doc = #doc] #variant, },
            };
        }
        let body_field = body_ty.map(|ty| quote! { body: #ty, });
        let headers = r.headers.iter().map(|h| {
            let name = format_ident!("{}", h.name);
            let ty = &h.ty;
            let doc = format!("The `{}` header.", h.api_name);
            if h.required {
                quote! { #[doc = #doc] #name: #ty, }
            } else {
                quote! { #[doc = #doc] #name: Option<#ty>, }
            }
        });
        quote! { #[doc = #doc] #variant { #status_field #body_field #(#headers)* }, }
    });
    let arms = op.responses.iter().map(answer_arm);
    quote! {
        #[doc = #doc]
        #[derive(Debug)]
        pub enum #ident {
            #(#variants)*
        }

        impl rt::IntoReply for #ident {
            fn into_reply(self) -> rt::Reply {
                match self {
                    #(#arms)*
                }
            }
        }
    }
}

fn answer_arm(r: &Response) -> TokenStream {
    let variant = format_ident!("{}", r.variant);
    let status = status_tokens(r.status);
    let body = match &r.body {
        None => quote! { rt::Reply::empty(#status) },
        Some(b) => {
            let ct = &b.content_type;
            match b.media {
                Media::Json | Media::Form => quote! { rt::Reply::json(#status, body) },
                Media::Text => quote! { rt::Reply::text(#status, #ct, body) },
                Media::Bytes => quote! { rt::Reply::bytes(#status, #ct, body) },
            }
        }
    };
    let has_status = !matches!(r.status, Status::Code(_));
    if r.headers.is_empty() && !has_status {
        return match &r.body {
            Some(_) => quote! { Self::#variant(body) => #body, },
            None => quote! { Self::#variant => #body, },
        };
    }
    let body_field = r.body.as_ref().map(|_| quote! { body, });
    let status_field = has_status.then(|| quote! { status, });
    let names: Vec<_> = r
        .headers
        .iter()
        .map(|h| format_ident!("{}", h.name))
        .collect();
    let sets = r.headers.iter().zip(&names).map(|(h, name)| {
        let api_name = h.api_name.to_ascii_lowercase();
        if h.required {
            quote! { answer.header(#api_name, &#name); }
        } else {
            quote! { if let Some(value) = &#name { answer.header(#api_name, value); } }
        }
    });
    let pattern = quote! { Self::#variant { #status_field #body_field #(#names,)* } };
    if r.headers.is_empty() {
        return quote! { #pattern => #body, };
    }
    quote! {
        #pattern => {
            let mut answer = #body;
            #(#sets)*
            answer
        }
    }
}

fn scalar_tokens(scalar: Scalar) -> TokenStream {
    match scalar {
        Scalar::String => quote! { rt::Scalar::String },
        Scalar::Integer => quote! { rt::Scalar::Integer },
        Scalar::Number => quote! { rt::Scalar::Number },
        Scalar::Boolean => quote! { rt::Scalar::Boolean },
    }
}

fn param_read(param: &Param) -> TokenStream {
    let ident = format_ident!("{}", param.name);
    let api_name = &param.api_name;
    let hint = &param.hint;
    let ty = &param.ty;
    let location = match param.location {
        Location::Path => quote! { rt::Location::Path },
        Location::Query => quote! { rt::Location::Query },
        Location::Header => quote! { rt::Location::Header },
    };
    let shape = match param.shape {
        Shape::Scalar(s) => {
            let s = scalar_tokens(s);
            quote! { rt::Shape::Scalar(#s) }
        }
        Shape::Array { item, explode } => {
            let item = scalar_tokens(item);
            quote! { rt::Shape::Array { item: #item, explode: #explode } }
        }
    };
    let schema = match &param.check {
        Some(name) => quote! { Some(#name) },
        None => quote! { None },
    };
    let default = match &param.default {
        Some(json) => quote! { Some(#json) },
        None => quote! { None },
    };
    let spec = quote! {
        rt::Param { name: #api_name, location: #location, shape: #shape, schema: #schema, hint: #hint, default: #default }
    };
    let values = match param.location {
        Location::Path => quote! { rt::path_values(&path, #api_name).as_slice() },
        Location::Query => quote! { &rt::query_values(&parts, #api_name) },
        Location::Header => quote! { &rt::header_values(&parts, #api_name) },
    };
    // No check left means parsing into the type enforces every rule (a plain string's).
    let read = if param.check.is_none() {
        quote! { rt::parsed::<#ty> }
    } else {
        quote! { rt::decoded::<#ty> }
    };
    let required = param.required || param.default.is_some();
    let finish = if required {
        quote! { .and_then(|value| rt::present(value, &PARAM))? }
    } else {
        quote! { ? }
    };
    quote! {
        let #ident = {
            const PARAM: rt::Param = #spec;
            #read(&SCHEMAS, #values, &PARAM)#finish
        };
    }
}

fn auth(model: &Model, op: &Operation) -> TokenStream {
    let schemes: Vec<_> = op
        .security
        .iter()
        .filter_map(|name| model.schemes.iter().find(|s| &s.name == name))
        .collect();
    let mut chain = quote! {
        return Err(rt::no_credentials(&parts, OP.schemes))
    };
    // With alternatives, credentials of one scheme that do not even parse leave the others to
    // be tried; the last resort, `no_credentials`, still says what was wrong with them.
    let alternatives = schemes.len() > 1;
    for scheme in schemes.iter().rev() {
        let method = format_ident!("authenticate_{}", scheme.rust);
        let (read, found, call) = match &scheme.kind {
            SchemeKind::Bearer => (
                quote! { rt::bearer(&parts) },
                quote! { Some(token) },
                quote! { api.#method(token).await? },
            ),
            SchemeKind::Basic => (
                quote! { rt::basic(&parts) },
                quote! { Some((user, password)) },
                quote! { api.#method(&user, &password).await? },
            ),
            SchemeKind::ApiKey { .. } => {
                let spec = scheme_tokens(&scheme.kind);
                (
                    quote! { rt::api_key(&parts, &#spec) },
                    quote! { Some(key) },
                    quote! { api.#method(&key).await? },
                )
            }
        };
        chain = if alternatives {
            quote! {
                match #read {
                    Ok(#found) => #call,
                    _ => #chain,
                }
            }
        } else {
            quote! {
                match #read? {
                    #found => #call,
                    None => #chain,
                }
            }
        };
    }
    quote! { let caller = #chain; }
}

fn scheme_tokens(kind: &SchemeKind) -> TokenStream {
    match kind {
        SchemeKind::Bearer => quote! { rt::Scheme::Bearer },
        SchemeKind::Basic => quote! { rt::Scheme::Basic },
        SchemeKind::ApiKey { location, name } => match location {
            Location::Query => quote! { rt::Scheme::ApiKeyQuery(#name) },
            _ => quote! { rt::Scheme::ApiKeyHeader(#name) },
        },
    }
}

fn handler(model: &Model, op: &Operation) -> TokenStream {
    let name = format_ident!("{}", op.name);
    let id = &op.id;
    let secured = !op.security.is_empty();
    let auth = secured.then(|| auth(model, op));
    let has_path = op.params.iter().any(|p| p.location == Location::Path);
    let path = has_path.then(|| quote! { let path = rt::path_params(&mut parts)?; });
    let reads = op.params.iter().map(param_read);
    let body_read = op.body.as_ref().map(|b| {
        let ty = &b.ty;
        let content_type = &b.content_type;
        let schema = match &b.check {
            Some(name) => quote! { Some(#name) },
            None => quote! { None },
        };
        let media = match b.media {
            Media::Json => quote! { rt::Media::Json },
            Media::Form => quote! { rt::Media::Form },
            Media::Text => quote! { rt::Media::Text },
            Media::Bytes => quote! { rt::Media::Bytes },
        };
        let read = match b.media {
            Media::Json | Media::Form => quote! { rt::decoded_body::<#ty> },
            Media::Text => quote! { rt::text_body },
            Media::Bytes => quote! { rt::bytes_body },
        };
        let finish = if b.required {
            quote! { .and_then(rt::required_body)? }
        } else {
            quote! { ? }
        };
        quote! {
            let body = {
                const BODY: rt::BodySpec = rt::BodySpec { media: #media, content_type: #content_type, schema: #schema };
                #read(&SCHEMAS, &parts, body, served.options(), &BODY).await #finish
            };
        }
    });
    let split = match (has_path, op.body.is_some()) {
        (true, true) => quote! { let (mut parts, body) = request.into_parts(); },
        (true, false) => quote! { let (mut parts, _) = request.into_parts(); },
        (false, true) => quote! { let (parts, body) = request.into_parts(); },
        (false, false) => quote! { let (parts, _) = request.into_parts(); },
    };
    let caller_arg = secured.then(|| quote! { &caller, });
    let args = op.params.iter().map(|p| format_ident!("{}", p.name));
    let body_arg = op.body.as_ref().map(|_| quote! { body, });
    let documented = op.responses.iter().map(|r| r.status.key());
    let schemes = op
        .security
        .iter()
        .filter_map(|name| model.schemes.iter().find(|s| &s.name == name))
        .map(|s| scheme_tokens(&s.kind));
    let bound = if secured {
        quote! { api.scenario(&caller) }
    } else {
        quote! { None }
    };
    // The request is taken apart before the answer's future is made, so that the future holds
    // its parts and not the whole request as well: the future is moved between its states,
    // and every move copies all of it.
    quote! {
        fn #name<A: Api>(
            State(served): State<Arc<rt::Served<A>>>,
            request: rt::Request,
        ) -> impl ::std::future::Future<Output = Response> + Send {
            const OP: rt::Operation = rt::Operation {
                id: #id,
                statuses: &[#(#documented),*],
                schemes: &[#(#schemes),*],
            };
            #split
            async move {
            let mut played = rt::Played::default();
            let result = rt::caught(async {
                let api = served.api();
                #auth
                if let Some(reply) = played.play(served.options(), &SPEC, &OP, &parts, #bound).await? {
                    return Ok(reply);
                }
                #path
                #(#reads)*
                #body_read
                api.#name(#caller_arg #(#args,)* #body_arg)
                    .await
                    .map(rt::IntoReply::into_reply)
                    .map_err(|e| rt::documented(e, &OP))
            }).await;
            rt::send(served.options(), &SPEC, &OP, played, result)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stubs generated for `yaml`, as token text.
    fn stubs_of(yaml: &str) -> String {
        let spec = crate::spec::parse("test.yaml", yaml.to_string()).unwrap();
        let model = crate::codegen::read_model(&spec).unwrap();
        let paths = Paths {
            types: quote! { crate::types },
            spec_yaml: "test.yaml".into(),
        };
        generate(&model, &paths).to_string()
    }

    #[test]
    fn an_api_key_is_looked_for_where_its_scheme_says() {
        let stubs = stubs_of(
            "openapi: 3.0.3
info: {title: t, version: '1'}
components:
  securitySchemes:
    inQuery: {type: apiKey, in: query, name: api_key}
    inHeader: {type: apiKey, in: header, name: X-Api-Key}
paths:
  /things:
    get:
      operationId: list_things
      security: [{inQuery: []}, {inHeader: []}]
      responses:
        '204': {description: listed}
",
        );
        assert!(
            stubs.contains(r#"rt :: Scheme :: ApiKeyQuery ("api_key")"#),
            "{stubs}"
        );
        assert!(
            stubs.contains(r#"rt :: Scheme :: ApiKeyHeader ("X-Api-Key")"#),
            "{stubs}"
        );
    }
}
