//! The server's guards: a handler that panics answers 500 `unexpected` and the server keeps
//! serving; with the response check on, an answer that does not match the spec is replaced by
//! 500 `unexpected`, and with it off the record goes out as it is. Both are driven through the
//! store and the data, so no operation needs code here.

use std::sync::atomic::{AtomicUsize, Ordering};

use authapi::{DEVICE, TOKEN_A};
use authapi_client::types::{DeviceId, ErrorCode};
use authapi_client::{Error, with_bearer};
use authapi_server::api::StubApi;
use authapi_server::data::{Dataset, Format, Resource};
use authapi_server::store::{Found, MemoryStore, Store};
use authapi_server::tokens::Tokens;
use authapi_stubs::runtime::Options;

/// The embedded data, whose first lookup panics.
struct Flaky {
    records: MemoryStore,
    calls: AtomicUsize,
}

impl Store for Flaky {
    fn find<R: Resource>(&self, id: &R::Id) -> Option<Found<'_, R>> {
        if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("deliberate failure in a handler");
        }
        self.records.find(id)
    }
}

/// Serves `router` on a loopback port; returns its base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

#[tokio::test]
async fn a_panic_is_500_unexpected_and_the_server_lives_on() {
    let data = Dataset::embedded().unwrap();
    let tokens = Tokens::new(data.tokens.clone());
    let store = Flaky {
        records: MemoryStore::new(data),
        calls: AtomicUsize::new(0),
    };
    let url = serve(authapi_stubs::router(StubApi::new(store, tokens))).await;
    let client = with_bearer(&url, TOKEN_A).unwrap();
    let id: DeviceId = DEVICE.parse().unwrap();

    match client.fetch_device(&id).await {
        Err(Error::ErrorResponse(e)) => {
            assert_eq!(e.status().as_u16(), 500);
            assert_eq!(e.code, ErrorCode::Unexpected);
            assert!(
                !e.message.contains("deliberate"),
                "panic text leaked: {}",
                e.message
            );
        }
        other => panic!("expected 500 unexpected, got {other:?}"),
    }
    let device = client
        .fetch_device(&id)
        .await
        .expect("an answer after the panic");
    assert_eq!(device.summary.id.as_str(), DEVICE);
}

/// The embedded data with the reference device first seen at a time JSON cannot carry: NaN,
/// which encodes as `null` where the spec wants a number.
fn drifting_data() -> Dataset {
    let anchor = "first_seen: &melbourne";
    let data = authapi_server::data::DEFAULT_DATA;
    let first_seen = data
        .find(anchor)
        .expect("the reference device's first_seen in the embedded data");
    let start = first_seen + data[first_seen..].find("at: ").unwrap() + "at: ".len();
    let rest = &authapi_server::data::DEFAULT_DATA[start..];
    let end = rest.find('\n').unwrap();
    let text = format!(
        "{}.nan{}",
        &authapi_server::data::DEFAULT_DATA[..start],
        &rest[end..]
    );
    Dataset::parse("drifting data", &text, Format::Yaml).unwrap()
}

async fn fetch_reference_device(check_responses: bool) -> Result<serde_json::Value, (u16, String)> {
    let options = Options {
        check_responses,
        ..Options::default()
    };
    let url = serve(authapi_server::app_with(
        drifting_data(),
        Vec::new(),
        options,
    ))
    .await;
    let answer = reqwest::Client::new()
        .get(format!("{url}/api/v1/device/{DEVICE}"))
        .bearer_auth(TOKEN_A)
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let body: serde_json::Value = answer.json().await.unwrap();
    match status {
        200 => Ok(body),
        _ => Err((status, body.to_string())),
    }
}

#[tokio::test]
async fn with_the_check_on_an_answer_that_breaks_the_spec_is_500_unexpected() {
    let (status, body) = fetch_reference_device(true).await.unwrap_err();
    assert_eq!(status, 500);
    assert_eq!(
        body,
        r#"{"code":"unexpected","message":"the server's answer did not match the API spec; the mismatch is logged","status":"error"}"#
    );
}

#[tokio::test]
async fn with_the_check_off_the_record_goes_out_as_it_is() {
    let body = fetch_reference_device(false).await.unwrap();
    assert_eq!(body["summary"]["id"], DEVICE);
    assert_eq!(body["summary"]["first_seen"]["at"], serde_json::Value::Null);
}
