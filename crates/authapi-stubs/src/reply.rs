//! What a handler's typed answer becomes on the wire: status, headers and body, checked
//! against the spec before it is sent when the check is on.

use authapi_types::ErrorCode;
use axum::body::Bytes;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use crate::options::Options;
use crate::schemas::Schemas;
use crate::spec::Operation;
use crate::{ApiError, JsonBody, to_json};

/// A per-operation response type: one variant per documented response.
pub trait IntoReply {
    fn into_reply(self) -> Reply;
}

enum Content {
    Empty,
    Json(Bytes),
    Other(HeaderValue, Bytes),
}

/// An answer ready to send: status, extra headers and body; or why it could not be made.
pub struct Reply {
    status: StatusCode,
    content: Content,
    headers: Vec<(HeaderName, HeaderValue)>,
    failure: Option<String>,
}

/// The status of a documented code; the spec's codes are all valid.
pub fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The status a handler chose for a `4XX`-style range (`class` 1 to 5) or for `default`
/// (`class` 0); outside it, the answer fails.
pub fn status_in(code: u16, class: u16) -> Result<StatusCode, String> {
    let fits = if class == 0 {
        (100..=599).contains(&code)
    } else {
        code / 100 == class
    };
    match StatusCode::from_u16(code) {
        Ok(status) if fits => Ok(status),
        _ => Err(format!("status {code} is not one this response documents")),
    }
}

/// A status as `status` or `status_in` gives it.
pub trait IntoStatus {
    fn into_status(self) -> Result<StatusCode, String>;
}

impl IntoStatus for StatusCode {
    fn into_status(self) -> Result<StatusCode, String> {
        Ok(self)
    }
}

impl IntoStatus for Result<StatusCode, String> {
    fn into_status(self) -> Result<StatusCode, String> {
        self
    }
}

impl Reply {
    fn new(status: impl IntoStatus, content: Result<Content, String>) -> Self {
        let (status, failure) = match status.into_status() {
            Ok(status) => (status, None),
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
        };
        let (content, failure) = match content {
            Ok(content) => (content, failure),
            Err(e) => (Content::Empty, failure.or(Some(e))),
        };
        Self {
            status,
            content,
            headers: Vec::new(),
            failure,
        }
    }

    pub fn empty(status: impl IntoStatus) -> Self {
        Self::new(status, Ok(Content::Empty))
    }

    pub fn json<T: Serialize>(status: impl IntoStatus, reply: JsonBody<T>) -> Self {
        let content = match reply {
            JsonBody::Encoded(encoded) => Ok(encoded.bytes()),
            JsonBody::Value(value) => to_json(&value)
                .map(Bytes::from)
                .map_err(|e| format!("cannot encode the answer: {e}")),
        };
        Self::new(status, content.map(Content::Json))
    }

    pub fn text(status: impl IntoStatus, content_type: &'static str, text: String) -> Self {
        Self::bytes(status, content_type, Bytes::from(text))
    }

    pub fn bytes(status: impl IntoStatus, content_type: &'static str, bytes: Bytes) -> Self {
        Self::other(status, HeaderValue::from_static(content_type), bytes)
    }

    /// A body of a content type read from the spec at run time.
    pub(crate) fn other(status: impl IntoStatus, content_type: HeaderValue, bytes: Bytes) -> Self {
        Self::new(status, Ok(Content::Other(content_type, bytes)))
    }

    /// A JSON answer under another JSON media type than `application/json` (say,
    /// `application/problem+json`).
    pub(crate) fn sent_as(mut self, content_type: HeaderValue) -> Self {
        if let Content::Json(json) = self.content {
            self.content = Content::Other(content_type, json);
        }
        self
    }

    /// Adds a documented header; a value that cannot be one fails the answer.
    pub fn header<T: Serialize>(&mut self, name: &'static str, value: &T) {
        let text = match serde_json::to_value(value) {
            Ok(Value::String(s)) => s,
            Ok(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(String::from)
                        .unwrap_or_else(|| v.to_string())
                })
                .collect::<Vec<_>>()
                .join(","),
            Ok(other) => other.to_string(),
            Err(e) => return self.fail(format!("header {name}: {e}")),
        };
        match (HeaderName::from_static(name), HeaderValue::try_from(text)) {
            (name, Ok(value)) => self.headers.push((name, value)),
            (_, Err(_)) => self.fail(format!(
                "header {name}: the value is not a valid header value"
            )),
        }
    }

    fn fail(&mut self, why: String) {
        self.failure.get_or_insert(why);
    }

    pub fn status_code(&self) -> StatusCode {
        self.status
    }

    pub(crate) fn into_response(self) -> Response {
        if let Some(failure) = self.failure {
            return unexpected(&failure);
        }
        let mut response = match self.content {
            Content::Empty => self.status.into_response(),
            Content::Json(json) => json_response(self.status, json),
            Content::Other(content_type, bytes) => with_body(self.status, content_type, bytes),
        };
        if !self.headers.is_empty() {
            response.headers_mut().extend(self.headers);
        }
        response
    }
}

fn unexpected(failure: &str) -> Response {
    tracing::error!(%failure, "the answer could not be made");
    ApiError::new(
        ErrorCode::Unexpected,
        "the server could not make its answer; the failure is logged",
    )
    .into_response()
}

pub(crate) fn json_response(status: StatusCode, json: Bytes) -> Response {
    with_body(status, HeaderValue::from_static("application/json"), json)
}

/// An answer made field by field: on the path of every request, where axum's tuple of parts
/// would check the content type's text again each time.
fn with_body(status: StatusCode, content_type: HeaderValue, bytes: Bytes) -> Response {
    let mut response = Response::new(axum::body::Body::from(bytes));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, content_type);
    response
}

/// An error a handler returned, when the operation documents its status (exactly, by class or
/// by `default`); otherwise 500 `unexpected`, since the spec promises clients nothing else.
pub fn documented(error: ApiError, operation: &Operation) -> ApiError {
    let statuses = operation.statuses;
    let operation = operation.id;
    let code = error.status().as_u16();
    let exact = code.to_string();
    let class = format!("{}XX", code / 100);
    let listed = statuses
        .iter()
        .any(|s| *s == exact || s.eq_ignore_ascii_case(&class) || *s == "default");
    if listed {
        return error;
    }
    tracing::error!(operation, status = code, error = %error, "a handler answered a status the spec does not document");
    ApiError::new(
        ErrorCode::Unexpected,
        "the server's answer did not match the API spec; the mismatch is logged",
    )
}

impl IntoReply for Reply {
    fn into_reply(self) -> Reply {
        self
    }
}

/// The answer of a handler's result, or the error's status and JSON body. With the router's
/// `check_responses` option on, a JSON answer that does not match the schema the spec documents
/// for its status is logged and replaced by 500 `unexpected`, so that drift between data and
/// spec shows at once rather than in a client.
pub(crate) fn checked<T: IntoReply>(
    options: &Options,
    schemas: &Schemas,
    operation: &str,
    result: Result<T, ApiError>,
) -> Response {
    let checking = options.check_responses;
    let answer = match result {
        Ok(answer) => answer.into_reply(),
        Err(e) if !checking => return e.into_response(),
        Err(e) => match serde_json::to_vec(&e.body()) {
            Ok(json) => Reply::new(e.status(), Ok(Content::Json(Bytes::from(json)))),
            Err(_) => return e.into_response(),
        },
    };
    if !checking {
        return answer.into_response();
    }
    if let (Content::Json(json), None) = (&answer.content, &answer.failure) {
        let status = answer.status.as_u16();
        if let Some(schema) = schemas.schema_for(operation, status) {
            let checked = serde_json::from_slice::<Value>(json)
                .map_err(|e| format!("the answer is not JSON: {e}"))
                .and_then(|body| schemas.check_schema(schema, &body));
            if let Err(mismatch) = checked {
                tracing::error!(operation, status, %mismatch, "answer does not match the spec");
                return ApiError::new(
                    ErrorCode::Unexpected,
                    "the server's answer did not match the API spec; the mismatch is logged",
                )
                .into_response();
            }
        }
    }
    answer.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_documented_status_is_sent_as_it_is() {
        assert_eq!(status(201), StatusCode::CREATED);
        let answer = Reply::empty(status(204));
        assert_eq!(answer.status_code(), StatusCode::NO_CONTENT);
        assert_eq!(answer.into_response().status(), StatusCode::NO_CONTENT);
        let answer = Reply::empty(status_in(429, 4));
        assert_eq!(answer.status_code(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            answer.into_response().status(),
            StatusCode::TOO_MANY_REQUESTS
        );
        let outside = Reply::empty(status_in(503, 4)).into_response();
        assert_eq!(outside.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn ranges_and_default_take_only_their_statuses() {
        assert_eq!(status_in(404, 4), Ok(StatusCode::NOT_FOUND));
        assert_eq!(status_in(418, 4), Ok(StatusCode::IM_A_TEAPOT));
        assert!(status_in(500, 4).is_err());
        assert!(status_in(204, 4).is_err());
        assert_eq!(status_in(503, 0), Ok(StatusCode::SERVICE_UNAVAILABLE));
        assert!(status_in(700, 0).is_err());
    }

    fn operation(statuses: &'static [&'static str]) -> Operation {
        Operation {
            id: "op",
            statuses,
            schemes: &[],
        }
    }

    #[test]
    fn undocumented_error_statuses_become_unexpected() {
        let not_found = ApiError::new(ErrorCode::NotFound, "gone");
        assert_eq!(
            documented(not_found.clone(), &operation(&["200", "404"])),
            not_found
        );
        assert_eq!(
            documented(not_found.clone(), &operation(&["4XX"])),
            not_found
        );
        assert_eq!(
            documented(not_found.clone(), &operation(&["default"])),
            not_found
        );
        assert_eq!(
            documented(not_found, &operation(&["200", "400"])).code,
            ErrorCode::Unexpected
        );
    }

    /// A spec whose error answers must have messages of at most 8 characters, which the
    /// error type alone does not ensure.
    static SHORT_ERRORS: Schemas = Schemas::new(
        r#"{"$defs": {"Short": {"type": "object", "properties": {"message": {"maxLength": 8}}}}}"#,
        &[("op", "404", "Short")],
    );

    struct Nothing;

    impl IntoReply for Nothing {
        fn into_reply(self) -> Reply {
            Reply::empty(StatusCode::NO_CONTENT)
        }
    }

    fn send_error(check_responses: bool, message: &str) -> StatusCode {
        let options = Options {
            check_responses,
            ..Options::default()
        };
        let error = ApiError::new(ErrorCode::NotFound, message);
        checked::<Nothing>(&options, &SHORT_ERRORS, "op", Err(error)).status()
    }

    #[test]
    fn with_the_check_on_an_error_answer_is_checked_too() {
        assert_eq!(send_error(true, "gone"), StatusCode::NOT_FOUND);
        assert_eq!(
            send_error(true, "gone for good"),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(send_error(false, "gone for good"), StatusCode::NOT_FOUND);
    }

    #[test]
    fn headers_are_written_from_their_values() {
        let mut answer = Reply::empty(StatusCode::CREATED);
        answer.header("location", &"/things/1");
        answer.header("x-count", &3);
        answer.header("x-tags", &vec!["a", "b"]);
        answer.header("x-bad", &"line\nbreak");
        let response = answer.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);

        let mut answer = Reply::empty(StatusCode::CREATED);
        answer.header("location", &"/things/1");
        answer.header("x-count", &3);
        answer.header("x-tags", &vec!["a", "b"]);
        let response = answer.into_response();
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()["location"], "/things/1");
        assert_eq!(response.headers()["x-count"], "3");
        assert_eq!(response.headers()["x-tags"], "a,b");
    }
}
