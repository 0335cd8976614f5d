//! The server's guards: a handler that panics answers 500 `unexpected` and the server keeps
//! serving; an answer that does not match the spec is replaced by 500 `unexpected`.

use std::sync::atomic::{AtomicUsize, Ordering};

use authapi_client::types::{
    AuthflowId, DeviceId, DeviceResponse, ErrorCode, SessionId, Timestamp,
};
use authapi_client::{Error, with_bearer};
use authapi_stubs::{
    Api, ApiError, FetchAuthflowResponse, FetchDeviceResponse, FetchSessionResponse,
};

/// Panics on its first call of each operation; answers not_found after that.
#[derive(Default)]
struct Flaky {
    calls: AtomicUsize,
}

impl Flaky {
    fn answer<T>(&self) -> Result<T, ApiError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("deliberate failure in a handler");
        }
        nothing_here()
    }
}

fn nothing_here<T>() -> Result<T, ApiError> {
    Err(ApiError::new(ErrorCode::NotFound, "nothing here"))
}

impl Api for Flaky {
    type Caller = ();

    async fn authenticate_bearer_auth(&self, _token: &str) -> Result<(), ApiError> {
        Ok(())
    }

    async fn fetch_device(&self, _: &(), _: DeviceId) -> Result<FetchDeviceResponse, ApiError> {
        self.answer()
    }

    async fn fetch_session(&self, _: &(), _: SessionId) -> Result<FetchSessionResponse, ApiError> {
        self.answer()
    }

    async fn fetch_authflow(
        &self,
        _: &(),
        _: AuthflowId,
    ) -> Result<FetchAuthflowResponse, ApiError> {
        self.answer()
    }
}

/// Serves `api` on a loopback port; returns its base URL.
async fn serve(api: impl Api) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, authapi_stubs::router(api)).await });
    url
}

#[tokio::test]
async fn a_panic_is_500_unexpected_and_the_server_lives_on() {
    let url = serve(Flaky::default()).await;
    let client = with_bearer(&url, "any").unwrap();
    let id: DeviceId = "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1".parse().unwrap();

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
    match client.fetch_device(&id).await {
        Err(Error::ErrorResponse(e)) => assert_eq!(e.code, ErrorCode::NotFound),
        other => panic!("the server did not answer after the panic: {other:?}"),
    }
}

/// Answers the reference device with a timestamp JSON cannot carry (NaN encodes as null).
struct Drifting;

impl Api for Drifting {
    type Caller = ();

    async fn authenticate_bearer_auth(&self, _token: &str) -> Result<(), ApiError> {
        Ok(())
    }

    async fn fetch_device(&self, _: &(), _: DeviceId) -> Result<FetchDeviceResponse, ApiError> {
        let example = authapi::example("/api/v1/device/{device_id}", "browser");
        let mut device: DeviceResponse = serde_json::from_value(example).unwrap();
        device.summary.first_seen.as_mut().unwrap().at = Timestamp(f64::NAN);
        Ok(FetchDeviceResponse::Ok(device.into()))
    }

    async fn fetch_session(&self, _: &(), _: SessionId) -> Result<FetchSessionResponse, ApiError> {
        nothing_here()
    }

    async fn fetch_authflow(
        &self,
        _: &(),
        _: AuthflowId,
    ) -> Result<FetchAuthflowResponse, ApiError> {
        nothing_here()
    }
}

#[tokio::test]
async fn an_answer_that_breaks_the_spec_is_500_unexpected() {
    // Debug builds check every answer; release builds when asked to.
    authapi_stubs::support::check_responses(true);
    let client = with_bearer(&serve(Drifting).await, "any").unwrap();
    let id: DeviceId = "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1".parse().unwrap();
    match client.fetch_device(&id).await {
        Err(Error::ErrorResponse(e)) => {
            assert_eq!(e.status().as_u16(), 500);
            assert_eq!(e.code, ErrorCode::Unexpected);
            assert!(
                e.message.contains("did not match the API spec"),
                "{}",
                e.message
            );
        }
        other => panic!("expected 500 unexpected, got {other:?}"),
    }
}
