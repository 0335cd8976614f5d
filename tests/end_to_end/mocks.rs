//! The client's generated mocks (feature `mock`) against the generated client: a mock set up
//! with typed values answers what the client decodes into the same values, error answers
//! included, and matches only the parameters it was given.

use authapi::example;
use authapi_client::mock::{MockServer, MockServerExt};
use authapi_client::types::{
    DeviceId, DeviceResponse, Error as ErrorBody, ErrorCode, ErrorStatus, SessionId,
    SessionResponse,
};
use authapi_client::{Error, with_bearer};

fn error(code: ErrorCode, message: &str) -> ErrorBody {
    ErrorBody {
        status: ErrorStatus::Error,
        code,
        message: message.into(),
    }
}

#[tokio::test]
async fn a_mocked_device_is_what_the_client_gets() {
    let server = MockServer::start_async().await;
    let device: DeviceResponse =
        serde_json::from_value(example("/api/v1/device/{device_id}", "browser")).unwrap();
    let id = device.summary.id.clone();
    let mock = server.fetch_device(|when, then| {
        when.device_id(&id);
        then.ok(&device);
    });

    let client = with_bearer(&server.base_url(), "any-token").unwrap();
    let answer = client.fetch_device(&id).await.unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(answer.into_inner(), device);
    mock.assert();
}

#[tokio::test]
async fn a_mocked_error_is_the_typed_error_of_its_status() {
    let server = MockServer::start_async().await;
    let id: DeviceId = "013xrzp12g3nqk8nyvk0xwzcb2gzp8z2".parse().unwrap();
    let missing = error(
        ErrorCode::NotFound,
        "device 013xrzp12g3nqk8nyvk0xwzcb2gzp8z2 not found",
    );
    server.fetch_device(|when, then| {
        when.device_id(&id);
        then.not_found(&missing);
    });

    let client = with_bearer(&server.base_url(), "any-token").unwrap();
    match client.fetch_device(&id).await {
        Err(Error::ErrorResponse(answer)) => {
            assert_eq!(answer.status().as_u16(), 404);
            assert_eq!(answer.into_inner(), missing);
        }
        other => panic!("expected the mocked 404, got {other:?}"),
    }
}

#[tokio::test]
async fn a_mock_matches_only_its_own_operation_and_parameters() {
    let server = MockServer::start_async().await;
    let session: SessionResponse =
        serde_json::from_value(example("/api/v1/session/{session_id}", "new")).unwrap();
    let id = session.summary.id.clone();
    let unauthorized = error(ErrorCode::BadAuthtoken, "the bearer token is not known");
    let mock = server.fetch_session(|when, then| {
        when.session_id(&id);
        then.unauthorized(&unauthorized);
    });
    let client = with_bearer(&server.base_url(), "any-token").unwrap();

    // Another id, and another operation with the same id, are not this mock's.
    let other: SessionId = "013xrzp12g3nqk8n6cq643dzvmxxqkfb".parse().unwrap();
    assert!(client.fetch_session(&other).await.is_err());
    let device_id: DeviceId = id.as_str().parse().unwrap();
    assert!(client.fetch_device(&device_id).await.is_err());
    assert_eq!(mock.calls(), 0);

    match client.fetch_session(&id).await {
        Err(Error::ErrorResponse(answer)) => {
            assert_eq!(answer.status().as_u16(), 401);
            assert_eq!(answer.code, ErrorCode::BadAuthtoken);
        }
        other => panic!("expected the mocked 401, got {other:?}"),
    }
    assert_eq!(mock.calls(), 1);
}
