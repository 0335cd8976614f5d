//! Server side of the authapi API.
//!
//! `generated.rs` holds, from the spec, the [`Api`] trait (one method per operation, each
//! answering its own response type) and [`router`], which authenticates each request, reads
//! and checks its parameters and body and calls the trait. The rest of this crate does not
//! depend on the spec: [`runtime`] is what generated routers call (for this spec or any
//! other), with the error type and its status table, reading requests, credentials, answers
//! and the schema checks; [`SCHEMAS`] checks a JSON body against what this spec documents.

// Generated code names this crate by its absolute path, as code generated for other specs does.
extern crate self as authapi_stubs;

mod auth;
mod body;
mod dynamic;
mod error;
mod options;
mod reply;
mod request;
pub mod runtime;
mod scenario;
mod schemas;
mod send;
mod spec;
// Formatted by the generator, not by rustfmt, so that output is byte-stable.
#[rustfmt::skip]
#[allow(clippy::all)]
mod generated;
mod support;

pub use authapi_types as types;
pub use body::{Encoded, JsonBody, to_json};
pub use error::{ApiError, http_status};
pub use generated::*;
