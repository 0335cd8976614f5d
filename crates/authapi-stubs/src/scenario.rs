//! Scenarios: answers a test asks for instead of the implementation's — a documented status,
//! a named example, a random valid body, a delay — by a `Prefer` header in Prism's syntax
//! (RFC 7240) or bound to the caller (say, to a token), all taken from the spec.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use authapi_types::ErrorCode;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;

use crate::options::Options;
use crate::reply::Reply;
use crate::spec::{Documented, Operation, Spec, essence, is_json};
use crate::{ApiError, JsonBody};

const PREFER: HeaderName = HeaderName::from_static("prefer");

/// The longest delay a scenario may ask for, in milliseconds.
pub const MAX_DELAY_MS: u64 = 30_000;

/// What a request asks to be answered, instead of what the implementation would answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Answer the response the spec documents for this status (for an error status, its
    /// example, or else the error body whose code goes with the status).
    #[serde(default)]
    pub code: Option<u16>,
    /// Answer the spec's example of this name.
    #[serde(default)]
    pub example: Option<String>,
    /// Answer a random body generated from the response's schema.
    #[serde(default)]
    pub dynamic: bool,
    /// The seed of the random body, so that it can be had again; random when not given.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Wait this many milliseconds before answering (at most 30000).
    #[serde(default)]
    pub delay: Option<u64>,
}

impl Scenario {
    /// Refuses a status that is not one or a delay over [`MAX_DELAY_MS`], naming the field.
    pub fn check(&self) -> Result<(), String> {
        if let Some(code) = self.code
            && !(100..=599).contains(&code)
        {
            return Err(format!("code: {code} is not an HTTP status (100 to 599)"));
        }
        if let Some(delay) = self.delay
            && delay > MAX_DELAY_MS
        {
            return Err(format!(
                "delay: {delay} ms is longer than the {MAX_DELAY_MS} ms a scenario may wait"
            ));
        }
        Ok(())
    }

    /// The scenario of the request's `Prefer` headers (`code=404, example=mcp`, parameters
    /// split by `,` or `;`, values quoted or not), or `None` when they ask for none.
    /// Preferences it does not know are ignored, as RFC 7240 asks.
    pub fn from_prefer(parts: &Parts) -> Result<Option<Scenario>, ApiError> {
        let mut scenario = Scenario::default();
        let mut asked = false;
        for value in parts.headers.get_all(PREFER) {
            let text = value
                .to_str()
                .map_err(|_| bad_request("the Prefer header is not text".into()))?;
            for preference in text.split([',', ';']) {
                let (name, value) = preference.split_once('=').unwrap_or((preference, ""));
                let value = value.trim().trim_matches('"');
                let name = name.trim().to_ascii_lowercase();
                let number = |max: u64| -> Result<u64, ApiError> {
                    value.parse().ok().filter(|n| *n <= max).ok_or_else(|| {
                        bad_request(format!(
                            "Prefer: {name}={value} is not a whole number from 0 to {max}"
                        ))
                    })
                };
                match name.as_str() {
                    "code" => scenario.code = Some(number(599)? as u16),
                    "example" => scenario.example = Some(value.to_string()),
                    "dynamic" => scenario.dynamic = value.eq_ignore_ascii_case("true"),
                    "seed" => scenario.seed = Some(number(u64::MAX)?),
                    "delay" => scenario.delay = Some(number(MAX_DELAY_MS)?),
                    _ => continue,
                }
                asked = true;
            }
        }
        if asked {
            scenario
                .check()
                .map_err(|e| bad_request(format!("Prefer: {e}")))?;
        }
        Ok(asked.then_some(scenario))
    }

    /// This scenario with what `other` asks for laid over it.
    fn with(mut self, other: Scenario) -> Scenario {
        self.code = other.code.or(self.code);
        self.example = other.example.or(self.example);
        self.dynamic |= other.dynamic;
        self.seed = other.seed.or(self.seed);
        self.delay = other.delay.or(self.delay);
        self
    }

    fn answers(&self) -> bool {
        self.code.is_some() || self.example.is_some() || self.dynamic
    }
}

fn bad_request(message: String) -> ApiError {
    ApiError::new(ErrorCode::BadRequest, message)
}

/// The scenario a request played, if any, for the answer's `Preference-Applied` header.
#[derive(Debug, Default)]
pub struct Played {
    applied: Option<String>,
}

impl Played {
    /// Plays the request's scenario: the one `bound` to its caller with its `Prefer` header laid
    /// over it. Waits when it asks for a delay; returns the answer it asks for, or `None` when
    /// the implementation should answer. Off with the router's `scenarios` option.
    #[inline]
    pub async fn play(
        &mut self,
        options: &Options,
        spec: &Spec,
        operation: &Operation,
        parts: &Parts,
        bound: Option<&Scenario>,
    ) -> Result<Option<Reply>, ApiError> {
        // The headers are looked through rather than looked up: a request has few, and a
        // lookup hashes the name first, which costs more on every request than the look.
        if !options.scenarios || (bound.is_none() && !parts.headers.keys().any(|h| h == PREFER)) {
            return Ok(None);
        }
        // Boxed, so that the state of a scenario (a delay's timer, its answer) is no part of
        // every request's future, which is moved and polled whether it plays one or not.
        Box::pin(self.play_asked(spec, operation, parts, bound)).await
    }

    async fn play_asked(
        &mut self,
        spec: &Spec,
        operation: &Operation,
        parts: &Parts,
        bound: Option<&Scenario>,
    ) -> Result<Option<Reply>, ApiError> {
        let asked = Scenario::from_prefer(parts)?;
        let scenario = match (bound, asked) {
            (Some(bound), Some(asked)) => bound.clone().with(asked),
            (Some(bound), None) => bound.clone(),
            (None, Some(asked)) => asked,
            (None, None) => return Ok(None),
        };
        let mut applied = Vec::new();
        if let Some(delay) = scenario.delay {
            tokio::time::sleep(Duration::from_millis(delay)).await;
            applied.push(format!("delay={delay}"));
        }
        let reply = if scenario.answers() {
            Some(answer(spec, operation, &scenario, &mut applied)?)
        } else {
            None
        };
        self.applied = (!applied.is_empty()).then(|| applied.join(", "));
        Ok(reply)
    }

    /// Adds `Preference-Applied` to the answer when a scenario was played.
    pub(crate) fn mark(&self, response: &mut Response) {
        if let Some(value) = self
            .applied
            .as_deref()
            .and_then(|a| HeaderValue::try_from(a).ok())
        {
            response.headers_mut().insert("preference-applied", value);
        }
    }
}

/// The answer `scenario` asks for: the documented response it names by status or by example
/// (else the first success), with its example, a random body or the error body of its status.
fn answer(
    spec: &Spec,
    operation: &Operation,
    scenario: &Scenario,
    applied: &mut Vec<String>,
) -> Result<Reply, ApiError> {
    let documented = spec.answers(operation.id);
    let listed = || {
        let keys: Vec<&str> = documented.iter().map(|d| d.key.as_str()).collect();
        keys.join(", ")
    };
    let (status, response) = match (scenario.code, &scenario.example) {
        (Some(code), _) => {
            let response = spec.answer_for(operation.id, code).ok_or_else(|| {
                bad_request(format!(
                    "Prefer: code={code}: {} documents the statuses {}",
                    operation.id,
                    listed()
                ))
            })?;
            applied.push(format!("code={code}"));
            (code, response)
        }
        (None, Some(name)) => {
            let response = documented
                .iter()
                .find(|d| d.examples.iter().any(|(n, _)| n == name))
                .ok_or_else(|| unknown_example(operation, name, documented))?;
            (response.status(), response)
        }
        (None, None) => {
            let response = documented
                .iter()
                .find(|d| (200..300).contains(&d.status()))
                .or(documented.first())
                .ok_or_else(|| bad_request(format!("{} documents no response", operation.id)))?;
            (response.status(), response)
        }
    };
    let status = StatusCode::from_u16(status)
        .map_err(|_| bad_request(format!("Prefer: code={status} is not an HTTP status")))?;
    let Some(media) = &response.media else {
        if let Some(name) = &scenario.example {
            return Err(unknown_example(operation, name, documented));
        }
        return Ok(Reply::empty(status));
    };
    let body = if let Some(name) = &scenario.example {
        let (_, value) = response
            .examples
            .iter()
            .find(|(n, _)| n == name)
            .ok_or_else(|| unknown_example(operation, name, std::slice::from_ref(response)))?;
        applied.push(format!("example={name}"));
        value.clone()
    } else if scenario.dynamic {
        let seed = scenario.seed.unwrap_or_else(random_seed);
        let value = random_body(spec, operation, status.as_u16(), seed)?;
        applied.push(format!("dynamic=true, seed={seed}"));
        value
    } else if let Some((_, value)) = response.examples.first() {
        value.clone()
    } else if let Some(value) = &response.example {
        value.clone()
    } else if status.is_client_error() || status.is_server_error() {
        let error = ApiError::new(
            error_code(status),
            format!(
                "the answer the spec documents for status {}",
                status.as_u16()
            ),
        );
        serde_json::to_value(error.body()).unwrap_or(Value::Null)
    } else {
        random_body(spec, operation, status.as_u16(), 0)?
    };
    Ok(body_reply(status, media, body))
}

/// An example or made-up body, sent with the media type the spec documents for it: a string as
/// text unless that type is JSON, a JSON type other than `application/json` (such as
/// `application/problem+json`) under its own name, and anything else as `application/json`.
fn body_reply(status: StatusCode, media: &str, body: Value) -> Reply {
    let json = is_json(media);
    let own_type = HeaderValue::try_from(media)
        .ok()
        .filter(|_| essence(media) != "application/json");
    match (body, own_type) {
        (Value::String(text), Some(content_type)) if !json => {
            Reply::other(status, content_type, text.into())
        }
        (body, Some(content_type)) if json => {
            Reply::json(status, JsonBody::Value(body)).sent_as(content_type)
        }
        (body, _) => Reply::json(status, JsonBody::Value(body)),
    }
}

fn random_body(
    spec: &Spec,
    operation: &Operation,
    status: u16,
    seed: u64,
) -> Result<Value, ApiError> {
    let schemas = spec.schemas();
    let name = schemas.schema_for(operation.id, status).ok_or_else(|| {
        bad_request(format!(
            "{} documents no JSON schema for status {status}, so no body can be made up",
            operation.id
        ))
    })?;
    crate::dynamic::generate(schemas.document(), name, seed).map_err(|e| {
        ApiError::new(
            ErrorCode::NotImplemented,
            format!("no random body for {} {status}: {e}", operation.id),
        )
    })
}

fn unknown_example(operation: &Operation, name: &str, documented: &[Documented]) -> ApiError {
    let mut names = String::new();
    for response in documented {
        for (example, _) in &response.examples {
            let _ = write!(
                names,
                "{}{example} ({})",
                if names.is_empty() { "" } else { ", " },
                response.key
            );
        }
    }
    if names.is_empty() {
        names.push_str("none");
    }
    bad_request(format!(
        "Prefer: example={name}: {} has no example of that name; its examples are {names}",
        operation.id
    ))
}

/// The error code that goes with a status: the one the status table gives it, or the
/// generic code of its class.
fn error_code(status: StatusCode) -> ErrorCode {
    match status.as_u16() {
        401 => ErrorCode::BadAuthtoken,
        403 => ErrorCode::NotPermitted,
        404 => ErrorCode::NotFound,
        409 => ErrorCode::InvalidAction,
        501 => ErrorCode::NotImplemented,
        code if code >= 500 => ErrorCode::Unexpected,
        _ => ErrorCode::BadRequest,
    }
}

/// A seed for a random body when the request names none: different per request, and shown
/// in `Preference-Applied` so that the body can be had again.
fn random_seed() -> u64 {
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mixed = nanos
        ^ COUNT
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
    // One step of the body generator's mixer, so that close seeds give unrelated bodies; kept
    // short enough to type back.
    crate::dynamic::Rng::new(mixed).next() % 1_000_000_000
}

#[cfg(test)]
mod tests {
    use axum::http::Request;

    use super::*;

    fn prefer(values: &[&str]) -> Parts {
        let mut request = Request::builder();
        for value in values {
            request = request.header("prefer", *value);
        }
        request.body(()).unwrap().into_parts().0
    }

    #[tokio::test]
    async fn a_body_is_sent_under_the_media_type_the_spec_documents_for_it() {
        let problem = serde_json::json!({"detail": "gone"});
        for (media, body, content_type, sent) in [
            (
                "application/json",
                Value::from("hi"),
                "application/json",
                r#""hi""#,
            ),
            (
                "application/json; charset=utf-8",
                Value::from("hi"),
                "application/json",
                r#""hi""#,
            ),
            (
                "application/problem+json",
                problem.clone(),
                "application/problem+json",
                r#"{"detail":"gone"}"#,
            ),
            (
                "application/problem+json",
                Value::from("hi"),
                "application/problem+json",
                r#""hi""#,
            ),
            (
                "text/plain; charset=utf-8",
                Value::from("hi"),
                "text/plain; charset=utf-8",
                "hi",
            ),
            // Only a string can be sent as text: anything else goes as the JSON it is.
            ("text/plain", Value::from(5), "application/json", "5"),
            // A media type that is no header value cannot name the answer.
            (
                "text/\nplain",
                Value::from("hi"),
                "application/json",
                r#""hi""#,
            ),
        ] {
            let response = body_reply(StatusCode::OK, media, body).into_response();
            let header = response.headers()[axum::http::header::CONTENT_TYPE].clone();
            let body = axum::body::to_bytes(response.into_body(), 1024)
                .await
                .unwrap();
            assert_eq!(header, content_type, "{media}");
            assert_eq!(&body[..], sent.as_bytes(), "{media}");
        }
    }

    #[tokio::test]
    async fn a_random_body_no_value_meets_is_a_501_naming_the_operation_and_the_schema() {
        static SCHEMAS: crate::schemas::Schemas = crate::schemas::Schemas::new(
            r#"{"$defs": {
                "Never": {"type": "string", "minLength": 5, "maxLength": 2},
                "Word": {"type": "string", "pattern": "^[a-z]{3}$"}
            }}"#,
            &[("op", "200", "Never"), ("op", "201", "Word")],
        );
        static SPEC: Spec = Spec::new(
            r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/x": {
                "get": {"operationId": "op", "responses": {
                    "200": {"description": "never", "content": {"application/json": {"schema": {}}}},
                    "201": {"description": "a word", "content": {"application/json": {"schema": {}}}}
                }}
            }}}"#,
            &SCHEMAS,
        );
        const OP: Operation = Operation {
            id: "op",
            statuses: &["200", "201"],
            schemes: &[],
        };
        let play = |prefer_value: &'static str| async move {
            Played::default()
                .play(
                    &Options::default(),
                    &SPEC,
                    &OP,
                    &prefer(&[prefer_value]),
                    None,
                )
                .await
        };
        let Err(error) = play("dynamic=true, seed=1").await else {
            panic!("a body was made up for a schema no value meets");
        };
        assert_eq!(error.code, ErrorCode::NotImplemented);
        assert_eq!(crate::http_status(error.code), StatusCode::NOT_IMPLEMENTED);
        assert!(
            error.message.starts_with("no random body for op 200: ")
                && error.message.contains("minLength"),
            "{}",
            error.message
        );
        // The same operation's other answer can be made up.
        let reply = play("dynamic=true, seed=1, code=201")
            .await
            .unwrap()
            .unwrap();
        let response = reply.into_response();
        assert_eq!(response.status(), StatusCode::CREATED);
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        let word: String = serde_json::from_slice(&body).unwrap();
        assert!(
            word.len() == 3 && word.bytes().all(|b| b.is_ascii_lowercase()),
            "{word}"
        );
    }

    #[test]
    fn prefer_headers_read_as_prism_writes_them() {
        let scenario = Scenario::from_prefer(&prefer(&[
            "code=404, example=\"mcp\"",
            "dynamic=true; seed=7",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(
            scenario,
            Scenario {
                code: Some(404),
                example: Some("mcp".into()),
                dynamic: true,
                seed: Some(7),
                delay: None,
            }
        );
        assert_eq!(
            Scenario::from_prefer(&prefer(&["respond-async, wait=5"])).unwrap(),
            None
        );
        assert_eq!(Scenario::from_prefer(&prefer(&[])).unwrap(), None);
        for bad in ["code=abc", "code=42", "delay=30001", "seed=-1"] {
            let error = Scenario::from_prefer(&prefer(&[bad])).unwrap_err();
            assert_eq!(error.code, ErrorCode::BadRequest, "{bad}");
            assert!(error.message.starts_with("Prefer: "), "{}", error.message);
        }
    }

    #[test]
    fn a_header_lays_its_preferences_over_the_bound_ones() {
        let bound = Scenario {
            code: Some(500),
            delay: Some(10),
            ..Scenario::default()
        };
        let asked = Scenario {
            code: Some(404),
            ..Scenario::default()
        };
        let both = bound.with(asked);
        assert_eq!((both.code, both.delay), (Some(404), Some(10)));
        assert!(both.answers());
        assert!(
            !Scenario {
                delay: Some(1),
                ..Scenario::default()
            }
            .answers()
        );
    }

    #[test]
    fn checks_name_the_field() {
        let far = Scenario {
            delay: Some(MAX_DELAY_MS + 1),
            ..Scenario::default()
        };
        assert!(far.check().unwrap_err().starts_with("delay: "));
        let odd = Scenario {
            code: Some(99),
            ..Scenario::default()
        };
        assert!(odd.check().unwrap_err().starts_with("code: "));
        assert_eq!(
            Scenario {
                code: Some(599),
                delay: Some(MAX_DELAY_MS),
                ..Scenario::default()
            }
            .check(),
            Ok(())
        );
    }

    #[test]
    fn statuses_give_the_code_of_their_row() {
        assert_eq!(error_code(StatusCode::NOT_FOUND), ErrorCode::NotFound);
        assert_eq!(error_code(StatusCode::CONFLICT), ErrorCode::InvalidAction);
        assert_eq!(
            error_code(StatusCode::UNPROCESSABLE_ENTITY),
            ErrorCode::BadRequest
        );
        assert_eq!(error_code(StatusCode::BAD_GATEWAY), ErrorCode::Unexpected);
        for code in [
            ErrorCode::NotFound,
            ErrorCode::NotPermitted,
            ErrorCode::BadAuthtoken,
            ErrorCode::InvalidAction,
            ErrorCode::NotImplemented,
        ] {
            assert_eq!(error_code(crate::http_status(code)), code);
        }
    }

    #[test]
    fn random_seeds_differ() {
        let seeds: std::collections::HashSet<u64> = (0..100).map(|_| random_seed()).collect();
        assert_eq!(seeds.len(), 100);
        // Short enough to type back into `Prefer: seed=`.
        assert!(seeds.iter().all(|seed| *seed < 1_000_000_000), "{seeds:?}");
    }
}
