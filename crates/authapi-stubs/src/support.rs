//! The router's outer layers, none of them tied to the spec: JSON 404 and 405, the panic
//! guard and the served spec.

use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use authapi_types::ErrorCode;
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::ApiError;
use crate::request::echo;

/// Adds what every router needs around the generated routes: the served spec and JSON answers
/// for unknown routes and wrong methods. Each generated handler guards itself against panics
/// (see [`caught`]).
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
}

pin_project_lite::pin_project! {
    /// A handler's answer being made, where a panic (of the implementation, say) becomes 500
    /// `unexpected`; the panic hook has already logged it. A guard inside the handler rather
    /// than a layer around the router: a layer wraps every route in one more boxed service,
    /// which every request pays for, about a tenth of a microsecond.
    pub struct Caught<F> {
        #[pin]
        answer: F,
    }
}

/// Guards `answer` against panics (see [`Caught`]).
pub fn caught<F>(answer: F) -> Caught<F> {
    Caught { answer }
}

impl<F, T> Future for Caught<F>
where
    F: Future<Output = Result<T, ApiError>>,
{
    type Output = Result<T, ApiError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let answer = self.project().answer;
        std::panic::catch_unwind(AssertUnwindSafe(|| answer.poll(cx)))
            .unwrap_or_else(|_| Poll::Ready(Err(panicked())))
    }
}

/// What a request gets when answering it panicked.
pub fn panicked() -> ApiError {
    ApiError::new(
        ErrorCode::Unexpected,
        "the server failed while answering; the failure is logged",
    )
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
