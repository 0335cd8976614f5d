//! The progenitor client of `authapi-client`, reusing the model types of `authapi-types`.

use openapiv3::{MediaType, OpenAPI, ReferenceOr, Response, Responses, StatusCode};
use proc_macro2::TokenStream;
use progenitor_impl::{CrateVers, GenerationSettings, Generator, InterfaceStyle};

use super::guard::guarded;
use crate::spec::{Spec, SpecError};

/// `view` is the client's view of `spec` (`client_view`). `types` are the names of every type
/// `authapi-types` holds; the client uses those instead of generating its own.
/// `types_path` is where they live, e.g. `::authapi_types`.
pub fn generate(
    spec: &Spec,
    view: &OpenAPI,
    types: &[String],
    types_path: &str,
) -> Result<TokenStream, SpecError> {
    let mut generator = Generator::new(&settings(types, types_path));
    let tokens = guarded(spec, "client", || {
        generator.generate_tokens(view).map_err(|e| e.to_string())
    })?;
    guarded(spec, "client", || drop_empty_types_module(tokens))
}

/// The client generator's settings: positional methods, and the model types of `types_path`
/// (`types` are their names) instead of copies of its own.
pub fn settings(types: &[String], types_path: &str) -> GenerationSettings {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_crate("std", CrateVers::Any, None);
    for rust in types {
        // Keyed by the Rust name: that is what typify looks replacements up by.
        settings.with_replacement(rust, format!("{types_path}::{rust}"), std::iter::empty());
    }
    settings
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

/// The spec as progenitor can take it. It gives each operation one success type and one error
/// type, matches statuses in an order of its own, and counts `default` as both a success and an
/// error, so that some valid specs stop it on an assertion or make it write code that does not
/// compile; the client's view of their responses is reshaped without changing what the client
/// decodes.
pub fn client_view(api: &OpenAPI) -> OpenAPI {
    let mut view = api.clone();
    let content = |response: &ReferenceOr<Response>| {
        let response = match response {
            ReferenceOr::Item(r) => Some(r),
            ReferenceOr::Reference { reference } => reference
                .strip_prefix("#/components/responses/")
                .and_then(|name| api.components.as_ref()?.responses.get(name)?.as_item()),
        };
        response.map(|r| serde_json::to_value(&r.content).unwrap_or_default())
    };
    for item in view.paths.paths.values_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for op in operations.into_iter().flatten() {
            fit_responses(&mut op.responses, &content);
            one_kind_per_side(&mut op.responses, &content);
        }
    }
    view
}

fn fit_responses(
    responses: &mut Responses,
    content: &impl Fn(&ReferenceOr<Response>) -> Option<serde_json::Value>,
) {
    // A `default` unlike the success answers (the error envelope beside a 200) is, to a
    // client, the 4XX and 5XX statuses no other response documents.
    if let Some(default) = &responses.default {
        let shown = content(default);
        let unlike_success = responses
            .responses
            .iter()
            .any(|(status, r)| is_success(Some(status)) && content(r) != shown);
        if unlike_success && let Some(default) = responses.default.take() {
            for class in [4, 5] {
                responses
                    .responses
                    .entry(StatusCode::Range(class))
                    .or_insert_with(|| default.clone());
            }
        }
    }
    // progenitor matches a range before the codes inside it (`4XX` before `409`), and the code
    // is then unreachable; one that answers like its range is left to the range.
    let ranges: Vec<(u16, Option<serde_json::Value>)> = responses
        .responses
        .iter()
        .filter_map(|(status, r)| match status {
            StatusCode::Range(class) => Some((*class, content(r))),
            StatusCode::Code(_) => None,
        })
        .collect();
    responses.responses.retain(|status, r| match status {
        StatusCode::Code(code) => !ranges
            .iter()
            .any(|(class, shown)| code / 100 == *class && *shown == content(r)),
        StatusCode::Range(_) => true,
    });
}

/// Whether progenitor counts a status (`None`: `default`) among the successes; `default`
/// counts on both sides.
fn is_success(status: Option<&StatusCode>) -> bool {
    match status {
        None => true,
        Some(StatusCode::Code(code)) => *code == 101 || (200..=299).contains(code),
        Some(StatusCode::Range(class)) => *class == 2,
    }
}

/// Whether progenitor counts a status (`None`: `default`) among the errors.
fn is_error(status: Option<&StatusCode>) -> bool {
    match status {
        None => true,
        Some(StatusCode::Code(code)) => (400..=599).contains(code),
        Some(StatusCode::Range(class)) => *class == 4 || *class == 5,
    }
}

/// What progenitor makes of a response body: a JSON schema, a protocol upgrade, raw bytes or
/// nothing. It takes one kind for all success statuses and one for all error statuses.
#[derive(Clone, PartialEq)]
enum Kind {
    Json(Option<serde_json::Value>),
    Upgrade,
    Raw,
    Empty,
}

fn kind(status: Option<&StatusCode>, content: Option<serde_json::Value>) -> Kind {
    let content = content.unwrap_or_default();
    let media = content.as_object();
    // progenitor's own test for JSON, which is case-sensitive.
    let json = media.and_then(|m| {
        m.iter()
            .find(|(ct, _)| *ct == "application/json" || ct.starts_with("application/json;"))
    });
    match json {
        Some((_, media)) => Kind::Json(media.get("schema").cloned()),
        None if status == Some(&StatusCode::Code(101)) => Kind::Upgrade,
        None if media.is_some_and(|m| !m.is_empty()) => Kind::Raw,
        None => Kind::Empty,
    }
}

/// Where an operation's success (or error) statuses have bodies of different kinds, the client
/// hands them all over as raw bytes (the caller decodes by status), and a 101 beside other
/// successes is left to the client's unexpected-status error: progenitor asserts one kind per
/// side. The server side stays typed per status.
fn one_kind_per_side(
    responses: &mut Responses,
    content: &impl Fn(&ReferenceOr<Response>) -> Option<serde_json::Value>,
) {
    let raw = |response: &ReferenceOr<Response>| {
        let mut response = match response {
            ReferenceOr::Item(r) => r.clone(),
            // The description is all a reference keeps of its target here; the body is raw.
            ReferenceOr::Reference { .. } => Response {
                description: "raw".into(),
                ..Response::default()
            },
        };
        response.content.clear();
        response
            .content
            .insert("application/octet-stream".into(), MediaType::default());
        ReferenceOr::Item(response)
    };
    // Each pass only turns bodies raw, so both sides settle within a few passes.
    for _ in 0..3 {
        for side in [is_success as fn(Option<&StatusCode>) -> bool, is_error] {
            let kinds = |responses: &Responses| {
                let mut kinds: Vec<Kind> = Vec::new();
                let listed = responses
                    .default
                    .iter()
                    .map(|r| (None, r))
                    .chain(responses.responses.iter().map(|(s, r)| (Some(s), r)));
                for (status, response) in listed.filter(|(s, _)| side(*s)) {
                    let kind = kind(status, content(response));
                    if !kinds.contains(&kind) {
                        kinds.push(kind);
                    }
                }
                kinds
            };
            if kinds(responses).len() <= 1 {
                continue;
            }
            if let Some(default) = &mut responses.default {
                *default = raw(default);
            }
            for (status, response) in responses.responses.iter_mut() {
                if side(Some(status)) {
                    *response = raw(response);
                }
            }
            if kinds(responses).len() > 1 {
                responses.responses.shift_remove(&StatusCode::Code(101));
            }
        }
    }
}
