//! Typed mocks of the API for unit tests of code that uses the client (feature `mock`),
//! generated from the spec like the client itself, so that a mock cannot drift from it.
//!
//! [`MockServerExt`] gives [`MockServer`] one method per operation. Its `when` matches the
//! operation's method, path and parameters; its `then` has one method per documented status,
//! taking that status's typed body:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use authapi_client::mock::{MockServer, MockServerExt};
//! use authapi_client::types::{Error, ErrorCode, ErrorStatus};
//!
//! let server = MockServer::start_async().await;
//! let id: authapi_client::types::DeviceId = "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1".parse()?;
//! let missing = Error {
//!     status: ErrorStatus::Error,
//!     code: ErrorCode::NotFound,
//!     message: "no such device".into(),
//! };
//! let mock = server.fetch_device(|when, then| {
//!     when.device_id(&id);
//!     then.not_found(&missing);
//! });
//!
//! let client = authapi_client::with_bearer(&server.base_url(), "any-token")?;
//! let answer = client.fetch_device(&id).await;
//! assert!(matches!(answer, Err(authapi_client::Error::ErrorResponse(e)) if e.code == ErrorCode::NotFound));
//! mock.assert();
//! # Ok(())
//! # }
//! ```
//!
//! `into_inner()` on either side gives httpmock's own `When` or `Then`, to match or answer
//! something the spec does not describe.

pub use httpmock::{self, Mock, MockServer};

// Formatted by the generator, not by rustfmt, so that output is byte-stable.
#[rustfmt::skip]
#[allow(clippy::all, unused_imports)]
#[path = "generated/mock.rs"]
mod generated;

pub use generated::{MockServerExt, operations};
