//! Fetches one resource and prints its JSON, or the typed error.
//!
//! cargo run -p authapi-client --example fetch -- --base-url http://127.0.0.1:8080 \
//!     --token dev-token device 013xrzp12g3nqk8nyvk0xwzcb2gzp8z1

use std::process::ExitCode;

use authapi_client::{Error, types};

const USAGE: &str = "usage: fetch --base-url URL --token TOKEN (device|session|authflow) ID";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut base_url, mut token, mut rest) = (None, None, Vec::new());
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--base-url" => base_url = it.next(),
            "--token" => token = it.next(),
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => rest.push(arg),
        }
    }
    let (Some(base_url), Some(token), [kind, id]) = (base_url, token, rest.as_slice()) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let client = match authapi_client::with_bearer(&base_url, &token) {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let answer = match kind.as_str() {
        "device" => {
            fetch(id, |id: types::DeviceId| async move {
                client.fetch_device(&id).await
            })
            .await
        }
        "session" => {
            fetch(id, |id: types::SessionId| async move {
                client.fetch_session(&id).await
            })
            .await
        }
        "authflow" => {
            fetch(id, |id: types::AuthflowId| async move {
                client.fetch_authflow(&id).await
            })
            .await
        }
        other => Err(format!(
            "unknown resource kind {other:?}; expected device, session or authflow"
        )),
    };
    match answer {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Parses `id` as the operation's id type, calls it, and renders the answer or the error.
async fn fetch<I, T, F>(id: &str, call: impl FnOnce(I) -> F) -> Result<String, String>
where
    I: std::str::FromStr<Err: std::fmt::Display>,
    T: serde::Serialize,
    F: Future<Output = Result<authapi_client::ResponseValue<T>, Error>>,
{
    let id: I = id
        .parse()
        .map_err(|e| format!("{id:?} is not a valid id: {e}"))?;
    match call(id).await {
        Ok(answer) => serde_json::to_string_pretty(answer.as_ref()).map_err(|e| e.to_string()),
        Err(Error::ErrorResponse(e)) => Err(format!(
            "HTTP {} {}: {}",
            e.status().as_u16(),
            serde_json::to_value(e.code)
                .unwrap_or_default()
                .as_str()
                .unwrap_or("?"),
            e.message
        )),
        Err(other) => Err(other.to_string()),
    }
}
