//! The admin API under `/__admin/`, served only with `--admin-token`: what test suites need to
//! drive the stub server at run time (the journal of recent requests, a new data set, a reset),
//! kept out of the API's spec and behind its own token.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use authapi_stubs::ApiError;
use authapi_stubs::runtime::bearer;
use authapi_types::ErrorCode;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::{Deserialize, Serialize};

use crate::access_log::timestamp;
use crate::data::{self, Dataset, Format};
use crate::live::DataSource;
use crate::tokens::constant_time_eq;

/// How many requests the journal keeps; older ones are forgotten first.
pub const JOURNAL_SIZE: usize = 1000;

/// The admin API's state: its token, the data it replaces, the journal.
pub struct Admin {
    token: String,
    source: Arc<DataSource>,
    journal: Mutex<VecDeque<Journaled>>,
}

/// One request as the journal keeps it: never a header value, a query or a token.
#[derive(Debug, Clone, Serialize)]
pub struct Journaled {
    pub time: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    /// The scenario it played, as its `Preference-Applied` header says.
    pub scenario: Option<String>,
}

/// `app` with the admin routes beside it and every API request journaled.
pub fn attach(app: Router, token: String, source: Arc<DataSource>) -> Router {
    let admin = Arc::new(Admin {
        token,
        source,
        journal: Mutex::new(VecDeque::new()),
    });
    let routes = Router::new()
        .route("/__admin/requests", get(requests))
        .route("/__admin/data", put(replace_data))
        .route("/__admin/reset", post(reset))
        .route_layer(middleware::from_fn_with_state(Arc::clone(&admin), guard))
        .layer(DefaultBodyLimit::max(data::MAX_SIZE))
        .with_state(Arc::clone(&admin));
    app.layer(middleware::from_fn_with_state(admin, journal))
        .merge(routes)
}

impl Admin {
    fn entries(&self) -> std::sync::MutexGuard<'_, VecDeque<Journaled>> {
        self.journal.lock().unwrap_or_else(|e| e.into_inner())
    }
}

async fn journal(State(admin): State<Arc<Admin>>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let entry = Journaled {
        time: timestamp(SystemTime::now()),
        method,
        path,
        status: response.status().as_u16(),
        scenario: response
            .headers()
            .get("preference-applied")
            .and_then(|v| v.to_str().ok())
            .map(String::from),
    };
    let mut entries = admin.entries();
    if entries.len() == JOURNAL_SIZE {
        entries.pop_front();
    }
    entries.push_back(entry);
    response
}

/// Lets through only `Authorization: Bearer <admin token>`; API tokens are not admin tokens.
async fn guard(State(admin): State<Arc<Admin>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    // Read as the API reads its bearer tokens, then compared in constant time as they are.
    let refused = match bearer(&parts) {
        Ok(Some(token)) if constant_time_eq(token.as_bytes(), admin.token.as_bytes()) => {
            return next.run(Request::from_parts(parts, body)).await;
        }
        Ok(None) if !parts.headers.contains_key(header::AUTHORIZATION) => ApiError::new(
            ErrorCode::NotAuthenticated,
            "the admin API needs `Authorization: Bearer <admin token>`",
        ),
        _ => ApiError::new(ErrorCode::BadAuthtoken, "the admin token is not valid"),
    };
    let challenge = match refused.code {
        ErrorCode::BadAuthtoken => r#"Bearer realm="authapi admin", error="invalid_token""#,
        _ => r#"Bearer realm="authapi admin""#,
    };
    let mut response = refused.into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    response
}

#[derive(Deserialize)]
struct Limit {
    limit: Option<usize>,
}

/// The last requests (all the journal keeps, or `?limit=N`), oldest first.
async fn requests(State(admin): State<Arc<Admin>>, Query(limit): Query<Limit>) -> Response {
    let entries = admin.entries();
    let skip = entries
        .len()
        .saturating_sub(limit.limit.unwrap_or(JOURNAL_SIZE));
    let requests: Vec<&Journaled> = entries.iter().skip(skip).collect();
    axum::Json(serde_json::json!({ "requests": requests })).into_response()
}

/// Replaces the data set with the body (a data file's content, JSON when the content type
/// says so, YAML otherwise), checked like a file; a bad one changes nothing.
async fn replace_data(
    State(admin): State<Arc<Admin>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("json"));
    let format = if json { Format::Json } else { Format::Yaml };
    let text = std::str::from_utf8(&body).map_err(|e| {
        ApiError::new(
            ErrorCode::BadRequest,
            format!("the body is not UTF-8 text (at byte {})", e.valid_up_to()),
        )
    })?;
    let data = Dataset::parse("PUT /__admin/data", text, format)
        .map_err(|e| ApiError::new(ErrorCode::BadRequest, e.to_string()))?;
    let serving = admin.source.replace(data);
    tracing::info!(data = %serving, "the admin API replaced the data set");
    Ok(ok(&serving))
}

/// Back to the data the server started with, and an empty journal.
async fn reset(State(admin): State<Arc<Admin>>) -> Response {
    let serving = admin.source.reset();
    admin.entries().clear();
    tracing::info!(data = %serving, "the admin API reset the data set to the one the server started with");
    ok(serving)
}

fn ok(serving: &str) -> Response {
    axum::Json(serde_json::json!({ "status": "ok", "serving": serving })).into_response()
}
