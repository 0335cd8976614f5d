//! Shared by the end-to-end tests in `tests/`: the stub server in-process (through the public
//! [`TestServer`], as other crates' tests start it), raw HTTP for requests no client library
//! would send, and checks of answers against the spec. It is the library of the root package,
//! so every test file uses one compiled copy.

use std::net::SocketAddr;

use authapi_server::serve::Limits;
use authapi_server::{Data, TestServer};
use authapi_stubs::SCHEMAS;
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

/// Serves the embedded default data on an ephemeral loopback port until the returned server
/// is dropped.
pub async fn start() -> TestServer {
    start_with(Limits::default()).await
}

/// Like [`start`], with other limits.
pub async fn start_with(limits: Limits) -> TestServer {
    TestServer::start_with(Data::default(), limits)
        .await
        .unwrap_or_else(|e| panic!("the test server did not start: {e}"))
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
    if let Err(e) = SCHEMAS.check(operation, status, body) {
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

/// An answer read off the wire.
#[derive(Debug)]
pub struct RawReply {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl RawReply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// Sends `request` as raw bytes on a new connection and reads the answer to its end. For
/// requests no HTTP client library would send.
pub async fn raw(addr: SocketAddr, request: &[u8]) -> RawReply {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut bytes = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut bytes),
    );
    read.await
        .expect("the server did not close the connection in time")
        .unwrap();
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP head");
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    RawReply {
        status,
        head,
        body: bytes[split + 4..].to_vec(),
    }
}

/// A GET of `path` with the given extra header lines, closing the connection after.
pub fn get(path: &str, headers: &[&[u8]]) -> Vec<u8> {
    let mut request =
        format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n").into_bytes();
    for header in headers {
        request.extend_from_slice(header);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    request
}

/// Reads every account: replays any example of the spec.
pub const TOKEN_ALL: &str = "dev-token-all";

/// An operation of the spec as the tests drive it: a GET of one record by the id in its path.
/// Everything that lists operations (these tests, the load mix, the error-body snapshots,
/// conformance) reads them from the spec, so a new operation is covered without being listed.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    /// The path template, e.g. `/api/v1/device/{device_id}`.
    pub template: String,
    /// The path parameter's name, e.g. `device_id`.
    pub param: String,
    /// Each named example of the 200 answer, with its request.
    pub examples: Vec<Example>,
    /// Named 200 examples with no path parameter example of the same name.
    pub unpaired: Vec<String>,
}

/// A named example of an answer and the id its request asks for.
#[derive(Debug, Clone)]
pub struct Example {
    pub name: String,
    pub id: String,
    pub body: Value,
}

impl Operation {
    /// The path that asks for `id`.
    pub fn path(&self, id: &str) -> String {
        self.template.replace(&format!("{{{}}}", self.param), id)
    }

    /// An id the data does not hold, of the right shape: the first example's with its end
    /// changed.
    pub fn unknown_id(&self) -> String {
        let id = &self.examples.first().expect("an example").id;
        format!("{}zzzz", &id[..id.len() - 4])
    }
}

/// The spec's operations, in path order.
pub fn operations() -> Vec<Operation> {
    let spec = spec();
    let mut out = Vec::new();
    for (template, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            assert_eq!(method, "get", "{id}: the tests drive GET operations only");
            let params = op["parameters"].as_array().expect("parameters");
            let [param] = params.as_slice() else {
                panic!("{id}: the tests drive operations with one path parameter");
            };
            let requests = &param["examples"];
            let mut examples = Vec::new();
            let mut unpaired = Vec::new();
            let answers = op["responses"]["200"]["content"]["application/json"]["examples"]
                .as_object()
                .unwrap_or_else(|| panic!("{id}: no named examples of its 200 answer"));
            for (name, answer) in answers {
                match requests[name]["value"].as_str() {
                    Some(value) => examples.push(Example {
                        name: name.clone(),
                        id: value.to_string(),
                        body: answer["value"].clone(),
                    }),
                    None => unpaired.push(name.clone()),
                }
            }
            out.push(Operation {
                id,
                template: template.clone(),
                param: param["name"].as_str().expect("a name").to_string(),
                examples,
                unpaired,
            });
        }
    }
    out
}

/// The README's Rust examples, compiled as doctests so that what it shows keeps compiling.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;
