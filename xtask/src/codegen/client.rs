//! The progenitor client of `authapi-client`, reusing the model types of `authapi-types`.

use openapiv3::{MediaType, OpenAPI, ReferenceOr, RequestBody, Response, Responses, StatusCode};
use proc_macro2::TokenStream;
use progenitor_impl::{CrateVers, GenerationSettings, Generator, InterfaceStyle};

use super::guard::guarded;
use crate::spec::{Spec, SpecError};

/// `view` is the client's view of `spec` (`client_view`). `types` are the names of every type
/// `authapi-types` holds; the client uses those instead of generating its own.
/// `types_path` is where they live, e.g. `::authapi_types`.
///
/// `list_headers` are the header parameters that are lists, as (method, header name);
/// `json_types` the JSON bodies documented under a type of their own, as (method, type).
pub fn generate(
    spec: &Spec,
    view: &OpenAPI,
    types: &[String],
    types_path: &str,
    list_headers: &[(String, String)],
    json_types: &[(String, String)],
) -> Result<TokenStream, SpecError> {
    let mut generator = Generator::new(&settings(types, types_path));
    let tokens = guarded(spec, "client", || {
        generator.generate_tokens(view).map_err(|e| e.to_string())
    })?;
    guarded(spec, "client", || {
        let mut file: syn::File =
            syn::parse2(tokens).map_err(|e| format!("generated client does not parse: {e}"))?;
        drop_empty_types_module(&mut file);
        join_list_headers(&mut file, list_headers)?;
        send_json_types(&mut file, json_types)?;
        Ok(quote::quote!(#file))
    })
}

/// The client generator's settings: positional methods, and the model types of `types_path`
/// (`types` are their names) instead of copies of its own.
pub fn settings(types: &[String], types_path: &str) -> GenerationSettings {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_crate("std", CrateVers::Any, None);
    for (schema, rust, impls) in super::model::plain_strings() {
        settings.with_conversion(schema, rust, impls.into_iter());
    }
    for rust in types {
        // Keyed by the Rust name: that is what typify looks replacements up by.
        settings.with_replacement(rust, format!("{types_path}::{rust}"), std::iter::empty());
    }
    settings
}

/// With every named schema taken from `authapi-types`, the client's own `types` module holds
/// only typify's unused `error` module; dropping it keeps the client free of dead code.
fn drop_empty_types_module(file: &mut syn::File) {
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
}

/// The methods of the client's `impl` blocks. Those of the traits it implements (its base
/// URL, its hooks) send no request, so the rewrites below find nothing in them.
fn client_methods(file: &mut syn::File) -> impl Iterator<Item = &mut syn::ImplItemFn> {
    file.items
        .iter_mut()
        .filter_map(|item| match item {
            syn::Item::Impl(block) => Some(&mut block.items),
            _ => None,
        })
        .flatten()
        .filter_map(|item| match item {
            syn::ImplItem::Fn(method) => Some(method),
            _ => None,
        })
}

/// progenitor sends a header parameter as `value.to_string()`, which a list does not have: a
/// list header is sent as its items joined by commas, OpenAPI's `simple` style, which is how
/// the stubs read it.
fn join_list_headers(file: &mut syn::File, lists: &[(String, String)]) -> Result<(), String> {
    let mut left: Vec<&(String, String)> = lists.iter().collect();
    for method in client_methods(file) {
        let method_name = method.sig.ident.to_string();
        for stmt in &mut method.block.stmts {
            join_in(stmt, &mut |header| {
                let at = left
                    .iter()
                    .position(|(m, h)| *m == method_name && h == header);
                at.map(|at| left.remove(at)).is_some()
            });
        }
    }
    match left.first() {
        None => Ok(()),
        Some((method, header)) => Err(format!(
            "the client's method {method} does not send its list header {header} as expected"
        )),
    }
}

/// progenitor takes only `application/json` JSON bodies, and the client's view names every
/// other JSON type so (`client_view`); each such body is sent under its own type, which
/// reqwest's `json` then keeps.
fn send_json_types(file: &mut syn::File, json_types: &[(String, String)]) -> Result<(), String> {
    let mut left: Vec<&(String, String)> = json_types.iter().collect();
    for method in client_methods(file) {
        let name = method.sig.ident.to_string();
        let Some(at) = left.iter().position(|(m, _)| *m == name) else {
            continue;
        };
        let content_type = &left[at].1;
        if method
            .block
            .stmts
            .iter_mut()
            .any(|stmt| send_as(stmt, content_type))
        {
            left.remove(at);
        }
    }
    match left.first() {
        None => Ok(()),
        Some((method, content_type)) => Err(format!(
            "the client's method {method} does not send its {content_type} body as expected"
        )),
    }
}

/// Sets the request's content type before the `.json(&body)` of `let mut request = ...?;`.
fn send_as(stmt: &mut syn::Stmt, content_type: &str) -> bool {
    let syn::Stmt::Local(local) = stmt else {
        return false;
    };
    let Some(init) = &mut local.init else {
        return false;
    };
    let mut expr = &mut *init.expr;
    loop {
        expr = match expr {
            syn::Expr::Try(tried) => &mut tried.expr,
            syn::Expr::MethodCall(call) if call.method == "json" => {
                let receiver = call.receiver.clone();
                *call.receiver = syn::parse_quote! {
                    #receiver.header(
                        ::reqwest::header::CONTENT_TYPE,
                        ::reqwest::header::HeaderValue::from_static(#content_type),
                    )
                };
                return true;
            }
            syn::Expr::MethodCall(call) => &mut call.receiver,
            _ => return false,
        };
    }
}

/// Rewrites `header_map.append("Name", value.to_string().try_into()?)` in `stmt`, or in the
/// `if let` around it, for each name `is_list` claims.
fn join_in(stmt: &mut syn::Stmt, is_list: &mut impl FnMut(&str) -> bool) {
    let syn::Stmt::Expr(expr, _) = stmt else {
        return;
    };
    if let syn::Expr::If(branch) = expr {
        for stmt in &mut branch.then_branch.stmts {
            join_in(stmt, is_list);
        }
        return;
    }
    let syn::Expr::MethodCall(append) = expr else {
        return;
    };
    let name = match append.args.first() {
        Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(name),
            ..
        })) => name.value(),
        _ => return,
    };
    if append.method != "append" || append.args.len() != 2 {
        return;
    }
    let Some(syn::Expr::Try(sent)) = append.args.last_mut() else {
        return;
    };
    let syn::Expr::MethodCall(try_into) = &mut *sent.expr else {
        return;
    };
    let syn::Expr::MethodCall(to_string) = &*try_into.receiver else {
        return;
    };
    if to_string.method != "to_string" || !is_list(&name) {
        return;
    }
    let value = &to_string.receiver;
    let joined = joined(&quote::quote!(#value));
    *try_into.receiver = syn::parse_quote!(#joined);
}

/// The text of list header `value` as the client sends it and its mocks match it.
pub fn joined(value: &TokenStream) -> TokenStream {
    quote::quote! {
        #value
            .iter()
            .map(::std::string::ToString::to_string)
            .collect::<::std::vec::Vec<_>>()
            .join(",")
    }
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
            if let Some(ReferenceOr::Item(body)) = &mut op.request_body {
                as_plain_json(body);
            }
        }
    }
    if let Some(components) = &mut view.components {
        for body in components.request_bodies.values_mut() {
            if let ReferenceOr::Item(body) = body {
                as_plain_json(body);
            }
        }
    }
    view
}

/// A JSON body under a type of its own (`application/merge-patch+json`) named
/// `application/json`, the only JSON type progenitor takes; the client then sends it under
/// its own (`send_json_types`).
fn as_plain_json(body: &mut RequestBody) {
    body.content = std::mem::take(&mut body.content)
        .into_iter()
        .map(|(media, body)| {
            if super::model::is_suffixed_json(&super::model::essence(&media)) {
                ("application/json".to_owned(), body)
            } else {
                (media, body)
            }
        })
        .collect();
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
            // progenitor reads no more than the body of a response, which is raw now.
            ReferenceOr::Reference { .. } => Response::default(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_headers_are_sent_joined_by_commas_and_a_missed_one_is_an_error() {
        let client = || -> syn::File {
            syn::parse_quote! {
                impl Client {
                    pub async fn get_a<'a>(&'a self, ids: &'a Vec<i64>, tag: Option<&'a Vec<String>>, one: i64) {
                        header_map.append("One", one.to_string().try_into()?);
                        names.insert("Ids", ids.to_string().try_into()?);
                        header_map.append("Ids", ids.to_string().try_into()?);
                        if let Some(value) = tag {
                            header_map.append("Tag", value.to_string().try_into()?);
                        }
                    }
                    pub async fn get_b<'a>(&'a self, ids: i64) {
                        header_map.append("Ids", ids.to_string().try_into()?);
                    }
                }
            }
        };
        let lists = [("get_a", "Ids"), ("get_a", "Tag")].map(|(m, h)| (m.into(), h.into()));
        let mut file = client();
        join_list_headers(&mut file, &lists).unwrap();
        let joined = |value: &str| {
            format!(
                "{value} . iter () . map (:: std :: string :: ToString :: to_string) . collect :: < :: std :: vec :: Vec < _ > > () . join (\",\") . try_into () ?"
            )
        };
        let text = quote::quote!(#file).to_string();
        assert_eq!(text.matches(&joined("ids")).count(), 1, "{text}");
        assert_eq!(text.matches(&joined("value")).count(), 1, "{text}");
        assert!(
            text.contains("\"One\" , one . to_string () . try_into () ?"),
            "{text}"
        );
        // Left as they are: what is not a header's `append`, and another method's header of
        // the same name.
        assert!(
            text.contains("names . insert (\"Ids\" , ids . to_string () . try_into () ?)"),
            "{text}"
        );
        assert_eq!(
            text.matches("(\"Ids\" , ids . to_string () . try_into () ?)")
                .count(),
            2,
            "{text}"
        );

        let mut file = client();
        let error = join_list_headers(&mut file, &[("get_c".into(), "Ids".into())]).unwrap_err();
        assert_eq!(
            error,
            "the client's method get_c does not send its list header Ids as expected"
        );
    }

    /// The client's view of one operation answering with `responses` (YAML, indented for its
    /// place), as `status media schema-type` for each response, in order (`default` first).
    fn view_of(responses: &str) -> Vec<String> {
        let yaml = format!(
            "openapi: 3.0.3
info: {{title: t, version: '1'}}
paths:
  /x:
    get:
      operationId: get_x
      responses:
{responses}"
        );
        let api: OpenAPI = serde_norway::from_str(&yaml).unwrap();
        let view = client_view(&api);
        let op = view.paths.paths["/x"]
            .as_item()
            .unwrap()
            .get
            .clone()
            .unwrap();
        let shown = |status: String, response: &ReferenceOr<Response>| {
            let response = response.as_item().unwrap();
            let media: Vec<String> = response
                .content
                .iter()
                .map(|(name, media)| {
                    let schema = serde_json::to_value(&media.schema).unwrap();
                    match schema["type"].as_str() {
                        Some(kind) => format!("{name} {kind}"),
                        None => name.clone(),
                    }
                })
                .collect();
            format!("{status} {}", media.join(","))
                .trim_end()
                .to_string()
        };
        let default = op
            .responses
            .default
            .iter()
            .map(|r| shown("default".into(), r));
        let statuses = op
            .responses
            .responses
            .iter()
            .map(|(s, r)| shown(s.to_string(), r));
        default.chain(statuses).collect()
    }

    fn json(status: &str, kind: &str) -> String {
        with_media(status, "application/json", kind)
    }

    fn with_media(status: &str, media: &str, kind: &str) -> String {
        format!(
            "        '{status}':
          description: d
          content: {{'{media}': {{schema: {{type: {kind}}}}}}}
"
        )
    }

    fn empty(status: &str) -> String {
        format!("        '{status}': {{description: d}}\n")
    }

    #[test]
    fn a_default_unlike_the_successes_answers_the_undocumented_errors() {
        let responses = json("200", "string") + &json("404", "object") + &json("default", "object");
        assert_eq!(
            view_of(&responses),
            // The 404, like its new range, is left to it.
            [
                "200 application/json string",
                "4XX application/json object",
                "5XX application/json object",
            ]
        );
        // One like the successes stays the default.
        let responses = json("200", "object") + &json("default", "object");
        assert_eq!(
            view_of(&responses),
            [
                "default application/json object",
                "200 application/json object"
            ]
        );
    }

    #[test]
    fn a_code_that_answers_like_its_range_is_left_to_the_range() {
        let responses = json("200", "object")
            + &json("4XX", "string")
            + &json("404", "string")
            + &json("500", "string");
        assert_eq!(
            view_of(&responses),
            [
                "200 application/json object",
                "4XX application/json string",
                "500 application/json string",
            ]
        );
        // One that answers otherwise stays; the side has two kinds then, so it is raw.
        let responses = json("200", "object") + &json("4XX", "string") + &json("409", "integer");
        assert_eq!(
            view_of(&responses),
            [
                "200 application/json object",
                "4XX application/octet-stream",
                "409 application/octet-stream",
            ]
        );
    }

    #[test]
    fn bodies_of_different_kinds_on_one_side_all_turn_raw() {
        let responses = json("200", "object")
            + &with_media("201", "text/plain", "string")
            + &empty("204")
            + &json("400", "string")
            + &json("404", "string");
        assert_eq!(
            view_of(&responses),
            [
                "200 application/octet-stream",
                "201 application/octet-stream",
                "204 application/octet-stream",
                "400 application/json string",
                "404 application/json string",
            ]
        );
        // JSON of two schemas is two kinds too; so on the error side, with a JSON type that
        // takes parameters beside bodies that are not JSON.
        let responses = json("200", "object")
            + &json("201", "string")
            + &with_media("400", "application/json; charset=utf-8", "string")
            + &with_media("404", "text/plain", "string")
            + &empty("409");
        assert_eq!(
            view_of(&responses),
            [
                "200 application/octet-stream",
                "201 application/octet-stream",
                "400 application/octet-stream",
                "404 application/octet-stream",
                "409 application/octet-stream",
            ]
        );
        // progenitor's test for JSON is case-sensitive: to it this is raw beside the JSON.
        let responses = json("200", "string") + &with_media("201", "Application/JSON", "string");
        assert_eq!(
            view_of(&responses),
            [
                "200 application/octet-stream",
                "201 application/octet-stream"
            ]
        );
        // One kind on each side is left as it is.
        let responses = json("200", "object")
            + &with_media("201", "application/json; charset=utf-8", "object")
            + &with_media("400", "text/plain", "string")
            + &with_media("500", "text/plain", "string");
        assert_eq!(
            view_of(&responses),
            [
                "200 application/json object",
                "201 application/json; charset=utf-8 object",
                "400 text/plain string",
                "500 text/plain string",
            ]
        );
    }

    #[test]
    fn a_protocol_upgrade_beside_other_successes_is_left_out() {
        let responses = empty("101") + &json("200", "object") + &json("400", "string");
        assert_eq!(
            view_of(&responses),
            [
                "200 application/octet-stream",
                "400 application/json string"
            ]
        );
        // Alone on its side it stays, also when the other side turns raw.
        let responses = empty("101") + &json("400", "string");
        assert_eq!(view_of(&responses), ["101", "400 application/json string"]);
        let responses = empty("101") + &json("400", "string") + &empty("404");
        assert_eq!(
            view_of(&responses),
            [
                "101",
                "400 application/octet-stream",
                "404 application/octet-stream"
            ]
        );
    }

    #[test]
    fn statuses_count_as_successes_and_errors_as_progenitor_counts_them() {
        let sides =
            |status: Option<StatusCode>| (is_success(status.as_ref()), is_error(status.as_ref()));
        let (code, range) = (StatusCode::Code, StatusCode::Range);
        let (neither, success, error) = ((false, false), (true, false), (false, true));
        for (status, side) in [
            (code(100), neither),
            (code(101), success),
            (code(200), success),
            (code(299), success),
            (code(300), neither),
            (code(399), neither),
            (code(400), error),
            (code(599), error),
            (range(1), neither),
            (range(2), success),
            (range(3), neither),
            (range(4), error),
            (range(5), error),
        ] {
            assert_eq!(sides(Some(status.clone())), side, "{status}");
        }
        assert_eq!(sides(None), (true, true), "default");
    }
}
