//! The error every operation fails with, and the one table from error code to HTTP status.

use authapi_types::{Error as ErrorBody, ErrorCode, ErrorStatus};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The HTTP status that goes with an error code; server and tests share this table.
pub fn http_status(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::BadRequest
        | ErrorCode::InvalidValue
        | ErrorCode::RequiredValue
        | ErrorCode::UnexpectedRefType => StatusCode::BAD_REQUEST,
        ErrorCode::BadAuthtoken | ErrorCode::NotAuthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::NotPermitted => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::InvalidAction => StatusCode::CONFLICT,
        ErrorCode::NotImplemented => StatusCode::NOT_IMPLEMENTED,
        ErrorCode::Unexpected | ErrorCode::Unknown => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An error answer: its code decides the status, its message tells a person what went wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Set for the router's own rejections whose status no code has (413, 415).
    status: Option<StatusCode>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            status: None,
        }
    }

    /// The same error answered with `status` instead of its code's.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = Some(status);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status.unwrap_or_else(|| http_status(self.code))
    }

    /// The JSON body the spec gives every error answer.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            status: ErrorStatus::Error,
            code: self.code,
            message: self.message.clone(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status(), axum::Json(self.body())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_reads_as_its_code_and_message() {
        let error = ApiError::new(ErrorCode::NotFound, "device 013x not found");
        assert_eq!(error.to_string(), "not_found: device 013x not found");
    }
}
