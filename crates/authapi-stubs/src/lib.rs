//! Server side of the authapi API.
//!
//! `generated.rs` holds, from the spec, the [`Api`] trait (one method per operation) and
//! [`router`], which authenticates each request, validates its path parameters and calls the
//! trait. The rest of this crate does not depend on the spec: the error type and its status
//! table, bearer-token parsing, the JSON 404/405 answers and the panic guard.

pub mod conformance;
mod error;
mod reply;
// Formatted by the generator, not by rustfmt, so that output is byte-stable.
#[rustfmt::skip]
#[allow(clippy::all)]
mod generated;
pub mod support;

pub use authapi_types as types;
pub use error::{ApiError, http_status};
pub use generated::*;
pub use reply::{Encoded, Reply, to_json};
