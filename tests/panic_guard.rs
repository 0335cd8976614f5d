//! A handler that panics answers 500 `unexpected`, and the server keeps serving.

use std::sync::atomic::{AtomicUsize, Ordering};

use authapi_client::types::{
    AuthflowId, AuthflowResponse, DeviceId, DeviceResponse, ErrorCode, SessionId, SessionResponse,
};
use authapi_client::{Error, with_bearer};
use authapi_stubs::{Api, ApiError};

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
        Err(ApiError::new(ErrorCode::NotFound, "nothing here"))
    }
}

impl Api for Flaky {
    type Caller = ();

    async fn authenticate(&self, _token: &str) -> Result<(), ApiError> {
        Ok(())
    }

    async fn fetch_device(&self, _: &(), _: DeviceId) -> Result<DeviceResponse, ApiError> {
        self.answer()
    }

    async fn fetch_session(&self, _: &(), _: SessionId) -> Result<SessionResponse, ApiError> {
        self.answer()
    }

    async fn fetch_authflow(&self, _: &(), _: AuthflowId) -> Result<AuthflowResponse, ApiError> {
        self.answer()
    }
}

#[tokio::test]
async fn a_panic_is_500_unexpected_and_the_server_lives_on() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(
        async move { axum::serve(listener, authapi_stubs::router(Flaky::default())).await },
    );
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
