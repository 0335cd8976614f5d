//! What the generated handlers call, none of it tied to the spec: bearer-token parsing, path
//! parameter validation, encoding (and, when on, checking) answers, and the router's outer
//! layers (JSON 404 and 405, the panic guard, the served spec).

use std::convert::Infallible;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};

use authapi_types::ErrorCode;
use axum::body::Bytes;
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use tower_http::catch_panic::CatchPanicLayer;

use crate::conformance::Conformance;
use crate::{Api, ApiError, Reply, to_json};

/// The longest stretch of a client's value an error message repeats back.
const ECHO_LIMIT: usize = 64;

/// A request's `Authorization` header, taken without copying its other headers.
#[derive(Debug, Clone, Default)]
pub struct Authorization(pub Option<HeaderValue>);

impl<S: Send + Sync> FromRequestParts<S> for Authorization {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(Self(parts.headers.get(header::AUTHORIZATION).cloned()))
    }
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer_token(authorization: &Authorization) -> Result<&str, ApiError> {
    let Some(value) = &authorization.0 else {
        return Err(ApiError::new(
            ErrorCode::NotAuthenticated,
            "the Authorization header is missing; send `Authorization: Bearer <token>`",
        ));
    };
    let malformed = || {
        ApiError::new(
            ErrorCode::BadAuthtoken,
            "the Authorization header is not `Bearer <token>`",
        )
    };
    let value = value.to_str().map_err(|_| malformed())?;
    let (scheme, token) = value.split_once(' ').ok_or_else(malformed)?;
    let token = token.trim_matches(' ');
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains(' ') {
        return Err(malformed());
    }
    Ok(token)
}

/// The caller of a request, from its bearer token.
pub async fn authenticate<A: Api>(
    api: &A,
    authorization: &Authorization,
) -> Result<A::Caller, ApiError> {
    api.authenticate(bearer_token(authorization)?).await
}

/// The path parameters, or 400 when the path does not decode (e.g. bad percent-encoding).
pub fn path_params(
    path: Result<RawPathParams, RawPathParamsRejection>,
) -> Result<RawPathParams, ApiError> {
    path.map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidValue,
            format!("the request path is not valid: {}", e.body_text()),
        )
    })
}

/// Parses path parameter `name` as `T`; 400 `invalid_value` naming the parameter and what a
/// valid value looks like (`hint`) when it does not parse.
pub fn path_param<T>(params: &RawPathParams, name: &str, hint: &str) -> Result<T, ApiError>
where
    T: FromStr<Err: std::fmt::Display>,
{
    let raw = params
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .unwrap_or_default();
    raw.parse().map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidValue,
            format!("{name}: {:?} is not valid: {e}; expected {hint}", echo(raw)),
        )
    })
}

/// At most `ECHO_LIMIT` characters of a client's value, marked when cut.
fn echo(value: &str) -> String {
    match value.char_indices().nth(ECHO_LIMIT) {
        Some((cut, _)) => format!("{}...", &value[..cut]),
        None => value.to_string(),
    }
}

/// Whether answers are checked against the spec before they are sent; on in debug builds.
static CHECK_RESPONSES: AtomicBool = AtomicBool::new(cfg!(debug_assertions));

/// Turns the check of every answer against the spec on or off, for the whole process.
pub fn check_responses(enabled: bool) {
    CHECK_RESPONSES.store(enabled, Ordering::Relaxed);
}

/// 200 with the JSON body, or the error's status and body. With [`check_responses`] on, an
/// answer that does not match the spec is logged and replaced by 500 `unexpected`, so that
/// drift between data and spec shows at once rather than in a client.
pub fn respond<T: Serialize>(
    operation: &'static str,
    result: Result<Reply<T>, ApiError>,
) -> Response {
    let checking = CHECK_RESPONSES.load(Ordering::Relaxed);
    let answer = match result {
        Ok(Reply::Encoded(json)) if !checking => {
            return json_response(StatusCode::OK, json.bytes());
        }
        Ok(Reply::Value(body)) if !checking => return encoded(StatusCode::OK, &body),
        Err(e) if !checking => return e.into_response(),
        Ok(Reply::Value(body)) => (StatusCode::OK, serde_json::to_value(body)),
        Ok(Reply::Encoded(json)) => (StatusCode::OK, serde_json::from_slice(json.json())),
        Err(e) => (e.status(), serde_json::to_value(e.body())),
    };
    let (status, body) = answer;
    let checked = body
        .map_err(|e| format!("cannot encode the answer: {e}"))
        .and_then(|body| {
            Conformance::get()
                .check(operation, status.as_u16(), &body)
                .map(|()| body)
        });
    match checked {
        Ok(body) => encoded(status, &body),
        Err(mismatch) => {
            tracing::error!(operation, status = status.as_u16(), %mismatch, "answer does not match the spec");
            ApiError::new(
                ErrorCode::Unexpected,
                "the server's answer did not match the API spec; the mismatch is logged",
            )
            .into_response()
        }
    }
}

/// `body` as JSON with `status`, or 500 when it cannot be encoded.
fn encoded<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    match to_json(body) {
        Ok(json) => json_response(status, json.into()),
        Err(e) => ApiError::new(
            ErrorCode::Unexpected,
            format!("cannot encode the answer: {e}"),
        )
        .into_response(),
    }
}

fn json_response(status: StatusCode, json: Bytes) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], json).into_response()
}

/// Adds what every router needs around the generated routes: the served spec, JSON answers
/// for unknown routes and wrong methods, and a guard that turns a handler panic into 500.
pub fn finish(routes: Router, spec_json: &'static str, spec_yaml: &'static str) -> Router {
    routes
        .route(
            "/openapi.json",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], spec_json) }),
        )
        .route(
            "/openapi.yaml",
            get(move || async move { ([(header::CONTENT_TYPE, "application/yaml")], spec_yaml) }),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::new(
                ErrorCode::Unexpected,
                "the server failed while answering; the failure is logged",
            )
            .into_response()
        }))
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        format!("no route for {method} {}", echo(uri.path())),
    )
}

/// The JSON error body for a known route asked with a method it does not have. The router adds
/// the `Allow` header to whatever this answers.
async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    let error = ApiError::new(
        ErrorCode::BadRequest,
        format!(
            "method {method} is not allowed on {}; the Allow header lists the methods that are",
            echo(uri.path())
        ),
    );
    (StatusCode::METHOD_NOT_ALLOWED, Json(error.body())).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &[u8]) -> Authorization {
        Authorization(Some(HeaderValue::from_bytes(value).unwrap()))
    }

    #[test]
    fn bearer_tokens_are_read_and_bad_headers_named() {
        assert_eq!(bearer_token(&headers(b"Bearer abc")), Ok("abc"));
        assert_eq!(bearer_token(&headers(b"bearer abc")), Ok("abc"));
        assert_eq!(
            bearer_token(&Authorization(None)).unwrap_err().code,
            ErrorCode::NotAuthenticated
        );
        for bad in [
            &b"Bearer"[..],
            b"Bearer ",
            b"Basic abc",
            b"Bearer a b",
            b"",
            b"Bearer \xff",
        ] {
            assert_eq!(
                bearer_token(&headers(bad)).unwrap_err().code,
                ErrorCode::BadAuthtoken,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn echo_cuts_long_values_on_a_char_boundary() {
        assert_eq!(echo("short"), "short");
        let long = "é".repeat(100);
        assert_eq!(echo(&long), format!("{}...", "é".repeat(ECHO_LIMIT)));
    }

    #[test]
    fn every_error_code_has_its_documented_status() {
        use ErrorCode::*;
        let table = [
            (BadRequest, 400),
            (InvalidValue, 400),
            (RequiredValue, 400),
            (UnexpectedRefType, 400),
            (BadAuthtoken, 401),
            (NotAuthenticated, 401),
            (NotPermitted, 403),
            (NotFound, 404),
            (InvalidAction, 409),
            (NotImplemented, 501),
            (Unexpected, 500),
            (Unknown, 500),
        ];
        for (code, status) in table {
            assert_eq!(crate::http_status(code).as_u16(), status, "{code}");
        }
    }
}
