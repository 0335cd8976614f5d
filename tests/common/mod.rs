//! Shared by the end-to-end tests: a real server on a loopback port, and checks of answers
//! against the spec.

#![allow(dead_code)]

use std::net::SocketAddr;

use authapi_server::data::Dataset;
use authapi_server::serve::{Limits, serve};
use authapi_stubs::conformance::Conformance;
use serde_json::Value;

pub const DEVICE: &str = "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1";
pub const SESSION: &str = "013xrzp12g3nqk8nkv4y96wrbzje9dsr";
pub const AUTHFLOW: &str = "013xrzp12g3nqk8nqprv12gz6v99a2v4";
/// Reads account A: the reference device and authflow.
pub const TOKEN_A: &str = "dev-token";
/// Reads account B: the reference session.
pub const TOKEN_B: &str = "dev-token-b";
/// Reads devices of account A only.
pub const TOKEN_DEVICES_ONLY: &str = "dev-token-devices-only";

/// Serves the embedded default data on an ephemeral loopback port for as long as the test's
/// runtime lives.
pub async fn start() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = authapi_server::app(Dataset::embedded().unwrap(), Vec::new());
    let limits = Limits::default();
    tokio::spawn(serve(listener, app, limits, std::future::pending()));
    addr
}

pub fn base_url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

pub fn spec() -> Value {
    serde_json::from_str(authapi_stubs::SPEC_JSON).unwrap()
}

/// The example `name` of the 200 answer of the operation at `path`.
pub fn example(path: &str, name: &str) -> Value {
    spec()["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["examples"]
        [name]["value"]
        .clone()
}

/// Panics unless `body` is what the spec documents for `operation` answering `status`.
pub fn assert_conforms(operation: &str, status: u16, body: &Value) {
    if let Err(e) = Conformance::get().check(operation, status, body) {
        panic!("{e}\nbody: {body}");
    }
}

/// JSON equality that treats `1234567890` and `1234567890.0` as the same number.
pub fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}
