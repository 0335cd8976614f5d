//! Typed client of the authapi API.
//!
//! The operations are generated from `spec/openapi.yaml` (see [`Client`]); this file adds a
//! constructor that sends a bearer token and sets timeouts, and re-exports the model types.
//! With the `mock` feature, [`mock`] has typed httpmock mocks of every operation, for unit tests.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = authapi_client::with_bearer("http://127.0.0.1:8080", "my-token")?;
//! let id: authapi_client::types::DeviceId = "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1".parse()?;
//! match client.fetch_device(&id).await {
//!     Ok(answer) => println!("{}", answer.summary.title),
//!     Err(authapi_client::Error::ErrorResponse(e)) => println!("{} {:?}: {}", e.status(), e.code, e.message),
//!     Err(other) => println!("{other}"),
//! }
//! # Ok(())
//! # }
//! ```

// Formatted by the generator, not by rustfmt, so that output is byte-stable.
#[rustfmt::skip]
#[allow(clippy::all, unused_imports)]
mod generated;
#[cfg(feature = "mock")]
pub mod mock;

use std::time::Duration;

pub use authapi_types as types;
pub use generated::{ByteStream, Client, ClientInfo, ResponseValue};

/// What an operation fails with: on a 4xx or 5xx answer that carries the spec's error body,
/// [`progenitor_client::Error::ErrorResponse`] holds it typed.
pub type Error = progenitor_client::Error<types::Error>;

/// How long a request may take, start to end, unless [`ClientBuilder::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// Every answer the spec documents is JSON. An answer that is not (a proxy's HTML error page,
/// a plain-text 502) fails with its status and content type, instead of as a JSON decoding
/// error that no longer says which status came back.
impl progenitor_client::ClientHooks for Client {
    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &progenitor_client::OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let Ok(response) = result else { return Ok(()) };
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let is_json = content_type
            .as_deref()
            .and_then(|ct| ct.split(';').next())
            .is_some_and(|ct| ct.trim().eq_ignore_ascii_case("application/json"));
        if is_json {
            return Ok(());
        }
        Err(progenitor_client::Error::Custom(format!(
            "HTTP {}: the answer is {}, not application/json",
            response.status(),
            content_type.map_or("without a content type".into(), |ct| format!("{ct:?}")),
        )))
    }
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("base URL {url:?} is not a valid http(s) URL: {reason}")]
    BaseUrl { url: String, reason: String },
    #[error("bearer token is not usable in an HTTP header (it must be visible ASCII)")]
    Token,
    #[error("cannot build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// Makes a [`Client`] that sends `Authorization: Bearer <token>` with every request.
pub fn with_bearer(base_url: &str, token: &str) -> Result<Client, BuildError> {
    ClientBuilder::new(base_url).bearer(token).build()
}

/// Configures a [`Client`]: base URL, bearer token and timeouts.
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
}

impl ClientBuilder {
    /// `base_url` holds scheme, host, port and an optional path stem, e.g. `http://127.0.0.1:8080`.
    pub fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.to_string(),
            token: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Sends `Authorization: Bearer <token>` with every request.
    pub fn bearer(mut self, token: &str) -> Self {
        self.token = Some(token.to_string());
        self
    }

    /// Limits each request, from connecting to the end of the body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Limits connecting alone.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    pub fn build(self) -> Result<Client, BuildError> {
        let url = reqwest::Url::parse(&self.base_url).map_err(|e| BuildError::BaseUrl {
            url: self.base_url.clone(),
            reason: e.to_string(),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(BuildError::BaseUrl {
                url: self.base_url,
                reason: format!("scheme {:?} is not http or https", url.scheme()),
            });
        }
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(token) = &self.token {
            let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| BuildError::Token)?;
            // Keeps the token out of Debug output and HTTP/2 header compression tables.
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .build()?;
        Ok(Client::new_with_client(
            self.base_url.trim_end_matches('/'),
            http,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_base_urls_and_tokens_are_named() {
        let err = ClientBuilder::new("not a url").build().unwrap_err();
        assert!(
            err.to_string()
                .starts_with("base URL \"not a url\" is not a valid"),
            "{err}"
        );
        let err = ClientBuilder::new("ftp://host").build().unwrap_err();
        assert!(err.to_string().contains("scheme \"ftp\""), "{err}");
        let err = with_bearer("http://127.0.0.1:1", "bad\ntoken").unwrap_err();
        assert!(matches!(err, BuildError::Token), "{err}");
    }

    #[test]
    fn trailing_slash_of_the_base_url_is_dropped() {
        let client = with_bearer("http://127.0.0.1:8080/", "t").unwrap();
        assert_eq!(client.baseurl(), "http://127.0.0.1:8080");
    }
}
