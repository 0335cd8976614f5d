//! The authapi stub server: answers the API's operations from an in-memory data set, with
//! bearer-token auth, so that apps and CI jobs can run against it instead of the real API.
//!
//! `main.rs` is the command line; [`app`] builds the whole HTTP service; [`TestServer`] serves
//! it in-process for the tests of code that calls the API.

pub mod access_log;
pub mod admin;
pub mod api;
pub mod data;
pub mod live;
pub mod serve;
pub mod store;
pub mod test_server;
pub mod tokens;

pub use test_server::{Data, StartError, TestServer};

use authapi_stubs::runtime::Options;
use axum::Router;

use crate::api::StubApi;
use crate::data::{Dataset, TokenGrant};
use crate::live::DataSource;

/// The HTTP service for a data set plus extra tokens (e.g. from `--token`). The access log is
/// added where it is served ([`serve::serve_with_access_log`]).
pub fn app(data: Dataset, extra_tokens: Vec<TokenGrant>) -> Router {
    app_with(data, extra_tokens, Options::default())
}

/// [`app`] with router options other than the defaults (say, `check_responses`).
pub fn app_with(data: Dataset, extra_tokens: Vec<TokenGrant>, options: Options) -> Router {
    app_over(&DataSource::new(data, extra_tokens, None), options)
}

/// The HTTP service over data that may be replaced while it serves.
pub fn app_over(source: &DataSource, options: Options) -> Router {
    authapi_stubs::router_with(StubApi::over(source.live()), options)
}
