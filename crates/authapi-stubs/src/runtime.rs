//! Everything generated routers call, in one place, none of it tied to one spec: the
//! generated code of this crate and of any other spec refers to `authapi_stubs::runtime`.

use axum::Router;

pub use crate::auth::{Scheme, api_key, basic, bearer, no_credentials};
pub use crate::dynamic::generate as dynamic_body;
pub use crate::options::Options;
pub use crate::reply::{IntoReply, IntoStatus, Reply, documented, status, status_in};
pub use crate::request::{
    BodySpec, Location, Media, Param, Scalar, Shape, bytes_body, decoded, decoded_body,
    header_values, parsed, path_params, path_values, present, query_values, required_body,
    text_body,
};
pub use crate::scenario::{MAX_DELAY_MS, Played, Scenario};
pub use crate::schemas::Schemas;
pub use crate::send::send;
pub use crate::spec::{Operation, Spec};
pub use crate::support::{Caught, caught, panicked};

/// A request as handlers take it.
pub type Request = axum::extract::Request;

/// An implementation of a generated `Api` trait with the router's options: the routes' state.
pub struct Served<A> {
    api: A,
    options: Options,
}

impl<A> Served<A> {
    pub fn new(api: A, options: Options) -> Self {
        Self { api, options }
    }

    pub fn api(&self) -> &A {
        &self.api
    }

    pub fn options(&self) -> &Options {
        &self.options
    }
}

/// Adds what every router needs around the generated routes: the served spec, JSON answers
/// for unknown routes and wrong methods, and a guard that turns a handler panic into 500.
pub fn finish(routes: Router, spec_json: &'static str, spec_yaml: &'static str) -> Router {
    crate::support::finish(routes, spec_json, spec_yaml)
}
