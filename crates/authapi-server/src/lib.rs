//! The authapi stub server: answers the API's operations from an in-memory data set, with
//! bearer-token auth, so that apps and CI jobs can run against it instead of the real API.
//!
//! `main.rs` is the command line; [`app`] builds the whole HTTP service, which the end-to-end
//! tests serve in-process.

pub mod api;
pub mod data;
pub mod serve;
pub mod store;
pub mod tokens;

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use crate::api::StubApi;
use crate::data::{Dataset, TokenGrant};
use crate::store::MemoryStore;
use crate::tokens::Tokens;

/// The HTTP service for a data set plus extra tokens (e.g. from `--token`).
pub fn app(data: Dataset, extra_tokens: Vec<TokenGrant>) -> Router {
    let mut grants = data.tokens.clone();
    grants.extend(extra_tokens);
    let api = StubApi::new(MemoryStore::new(data), Tokens::new(grants));
    let router = authapi_stubs::router(api);
    // The logging layer costs about a tenth of the throughput even when it logs nothing, so it
    // is only there when request lines are wanted (RUST_LOG at info or finer).
    if tracing::enabled!(tracing::Level::INFO) {
        router.layer(axum::middleware::from_fn(log_request))
    } else {
        router
    }
}

/// One log line per request. The path and status only: headers hold tokens.
async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let latency: Duration = started.elapsed();
    tracing::info!(
        %method,
        path = %path,
        status = response.status().as_u16(),
        latency_us = latency.as_micros() as u64,
        "request"
    );
    response
}
