//! The stub server in-process, for the tests of code that calls the API: it starts on an
//! ephemeral 127.0.0.1 port in milliseconds, from the embedded data, a data file or records built
//! in code, and stops when dropped.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use authapi_server::{Data, TestServer};
//!
//! let stub = TestServer::start(Data::default()).await?;
//! assert!(stub.url().starts_with("http://127.0.0.1:"));
//! // With the `client` feature, `stub.client("dev-token")` is a client of it.
//! drop(stub); // stops it
//! # Ok(())
//! # }
//! ```

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use authapi_types::{AccountId, AuthflowSummary, DeviceSummary, SessionSummary};
use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::data::{DEFAULT_DATA, DataError, Dataset, Format, Kind};
use crate::serve::{Limits, serve};

/// What a [`TestServer`] serves: a data set to start from (the embedded default data unless
/// told otherwise) and the tokens and records added to it in code.
///
/// Records added in code are checked like those of a data file, so a duplicate id or token
/// fails [`TestServer::start`] with a message naming it.
#[derive(Debug, Clone, Default)]
pub struct Data {
    base: Base,
    added: Added,
}

#[derive(Debug, Clone, Default)]
enum Base {
    #[default]
    Embedded,
    File(PathBuf),
    Empty,
}

/// Additions as they would be written in a data file.
#[derive(Debug, Clone, Default)]
struct Added {
    tokens: Vec<Value>,
    devices: Vec<Value>,
    sessions: Vec<Value>,
    authflows: Vec<Value>,
    /// Why a record could not be encoded; reported when the server starts.
    unencodable: Option<String>,
}

impl Added {
    fn is_empty(&self) -> bool {
        self.tokens.is_empty()
            && self.devices.is_empty()
            && self.sessions.is_empty()
            && self.authflows.is_empty()
            && self.unencodable.is_none()
    }
}

impl Data {
    /// The embedded default data: the tokens and records the README lists (the same as
    /// [`Data::default`]).
    // Not mutated: the only mutant replaces the body with `Default::default()`, which it is.
    #[mutants::skip]
    pub fn embedded() -> Self {
        Self::default()
    }

    /// A data file, as `authapi-server --data FILE` reads it (YAML, or JSON when the name ends
    /// in `.json`).
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Self {
            base: Base::File(path.into()),
            added: Added::default(),
        }
    }

    /// No tokens and no records: everything comes from the builder methods.
    pub fn empty() -> Self {
        Self {
            base: Base::Empty,
            added: Added::default(),
        }
    }

    /// Adds a token that reads every resource kind of `account_id`.
    pub fn token(self, token: &str, account_id: &AccountId) -> Self {
        self.token_for(token, account_id, Kind::ALL)
    }

    /// Adds a token that reads only the given resource kinds of `account_id`.
    pub fn token_for(mut self, token: &str, account_id: &AccountId, kinds: &[Kind]) -> Self {
        let kinds: Vec<&str> = kinds.iter().map(|k| k.singular()).collect();
        self.added.tokens.push(json!({
            "token": token,
            "account_id": account_id.as_str(),
            "kinds": kinds,
        }));
        self
    }

    /// Adds a device; the API answers it to tokens of its `account_id`.
    pub fn device(mut self, device: DeviceSummary) -> Self {
        let value = self.encode("devices", &device);
        self.added.devices.extend(value);
        self
    }

    /// Adds a session; its `actions.revoke` is derived from its status, as for every session.
    pub fn session(mut self, session: SessionSummary) -> Self {
        let value = self.encode("sessions", &session);
        self.added.sessions.extend(value);
        self
    }

    /// Adds an authflow.
    pub fn authflow(mut self, authflow: AuthflowSummary) -> Self {
        let value = self.encode("authflows", &authflow);
        self.added.authflows.extend(value);
        self
    }

    fn encode(&mut self, list: &str, record: &impl Serialize) -> Option<Value> {
        match serde_json::to_value(record) {
            Ok(value) => Some(value),
            Err(e) => {
                self.added
                    .unencodable
                    .get_or_insert_with(|| format!("{list}: a record added in code: {e}"));
                None
            }
        }
    }

    /// The data set, checked as the server checks a data file.
    pub fn load(&self) -> Result<Dataset, DataError> {
        let (name, mut tree) = match &self.base {
            Base::Embedded if self.added.is_empty() => return Dataset::embedded(),
            Base::File(path) if self.added.is_empty() => return Dataset::load(path),
            Base::Embedded => {
                let tree = serde_norway::from_str(DEFAULT_DATA).map_err(|e| DataError {
                    source_name: "embedded default data".into(),
                    message: e.to_string(),
                })?;
                ("embedded default data".to_string(), tree)
            }
            Base::File(path) => {
                // Checked on its own first, so that its own faults keep their line numbers.
                Dataset::load(path)?;
                (path.display().to_string(), read_tree(path)?)
            }
            Base::Empty => ("no data".to_string(), Value::Object(Map::new())),
        };
        let name = format!("{name} with records added in code");
        if let Some(message) = &self.added.unencodable {
            return Err(DataError {
                source_name: name,
                message: message.clone(),
            });
        }
        if !tree.is_object() {
            // An empty YAML file is a valid data set with nothing in it.
            tree = Value::Object(Map::new());
        }
        for (list, added) in [
            ("tokens", &self.added.tokens),
            ("devices", &self.added.devices),
            ("sessions", &self.added.sessions),
            ("authflows", &self.added.authflows),
        ] {
            if added.is_empty() {
                continue;
            }
            let entry = &mut tree[list];
            if entry.is_null() {
                *entry = Value::Array(Vec::new());
            }
            if let Value::Array(items) = entry {
                items.extend(added.iter().cloned());
            }
        }
        Dataset::parse(&name, &tree.to_string(), Format::Json)
    }
}

/// A data file as a JSON tree, to add records to.
fn read_tree(path: &std::path::Path) -> Result<Value, DataError> {
    let fail = |message: String| DataError {
        source_name: path.display().to_string(),
        message,
    };
    let text =
        std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
    if path.extension().and_then(|e| e.to_str()) == Some("json") {
        serde_json::from_str(&text).map_err(|e| fail(e.to_string()))
    } else {
        serde_norway::from_str(&text).map_err(|e| fail(e.to_string()))
    }
}

/// Why a [`TestServer`] did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data set was refused; the message names the source, the record and the field.
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("cannot listen on 127.0.0.1: {0}")]
    Listen(std::io::Error),
}

/// The stub server, serving in the current tokio runtime on an ephemeral 127.0.0.1 port.
///
/// It answers exactly as `authapi-server` does (same routes, auth, errors and answer checks),
/// without an access log. Dropping it stops it: it takes no new connections, and requests in
/// flight finish; [`TestServer::stop`] also waits for them.
#[derive(Debug)]
pub struct TestServer {
    addr: SocketAddr,
    /// Dropping it, with the server, is what stops the serving task.
    _stop: oneshot::Sender<()>,
    serving: JoinHandle<()>,
}

impl TestServer {
    /// Starts the server on `data`, with the limits the binary has.
    pub async fn start(data: Data) -> Result<TestServer, StartError> {
        Self::start_with(data, Limits::default()).await
    }

    /// Starts the server on `data` with other limits (connections, header sizes, timeouts).
    pub async fn start_with(data: Data, limits: Limits) -> Result<TestServer, StartError> {
        let dataset = data.load()?;
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(StartError::Listen)?;
        let addr = listener.local_addr().map_err(StartError::Listen)?;
        let app = crate::app(dataset, Vec::new());
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = tokio::spawn(serve(listener, app, limits, async move {
            // Resolves when the sender is dropped, as well as when it sends.
            let _ = stopped.await;
        }));
        Ok(TestServer {
            addr,
            _stop: stop,
            serving,
        })
    }

    /// The address it listens on: 127.0.0.1 and the port it was given.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, `http://127.0.0.1:<port>`, as the client and the CLI take it.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client of this server that sends `token` as its bearer token.
    ///
    /// # Panics
    ///
    /// If `token` cannot be sent in an HTTP header (it must be visible ASCII); use
    /// [`TestServer::client_builder`] to handle that as an error.
    #[cfg(feature = "client")]
    pub fn client(&self, token: &str) -> authapi_client::Client {
        match self.client_builder().bearer(token).build() {
            Ok(client) => client,
            Err(e) => panic!(
                "cannot make a client of the test server at {}: {e}",
                self.url()
            ),
        }
    }

    /// A client builder for this server's URL, to set a token and timeouts.
    #[cfg(feature = "client")]
    pub fn client_builder(&self) -> authapi_client::ClientBuilder {
        authapi_client::ClientBuilder::new(&self.url())
    }

    /// Stops the server and waits until it has: the port is closed and requests in flight
    /// have been answered (within the shutdown grace of its [`Limits`]).
    pub async fn stop(self) {
        let TestServer { _stop, serving, .. } = self;
        drop(_stop);
        // The task only ends by returning; an error here means the runtime is shutting down.
        let _ = serving.await;
    }
}
