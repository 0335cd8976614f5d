//! Unit tests with the client's typed mocks (`authapi-client`, feature `mock`): no server, each
//! answer chosen by the test, in the types of the spec.

use authapi_client::mock::{MockServer, MockServerExt};
use authapi_client::types::{
    DeviceId, DeviceResponse, DeviceSummary, DeviceSummarySessionType, DeviceSummaryStatus,
    DeviceSummaryType, Error, ErrorCode, ErrorStatus, SuccessStatus,
};
use authapi_consumer::device_label;

const ID: &str = "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1";

fn device(id: &DeviceId) -> DeviceResponse {
    DeviceResponse {
        status: SuccessStatus::Success,
        summary: DeviceSummary {
            account_id: "013xrzp12g3nqk8n505tp6wqnscpdy8q".parse().unwrap(),
            domain_id: "013xrzp12g3nqk8nz2ccx5vt2j6f6hjz".parse().unwrap(),
            dynamic_client_details: None,
            first_seen: None,
            id: id.clone(),
            last_seen: None,
            pool_id: "013xrzp12g3nqk8n6z7f3q8wqgbmh3n9".parse().unwrap(),
            session_type: DeviceSummarySessionType::Mcp,
            status: DeviceSummaryStatus::Revoked,
            title: "Example MCP client".into(),
            type_: DeviceSummaryType::Device,
        },
    }
}

fn error(code: ErrorCode, message: &str) -> Error {
    Error {
        status: ErrorStatus::Error,
        code,
        message: message.into(),
    }
}

#[tokio::test]
async fn a_device_is_labelled_with_its_kind_and_status() {
    let server = MockServer::start_async().await;
    let id: DeviceId = ID.parse().unwrap();
    let answer = device(&id);
    let mock = server.fetch_device(|when, then| {
        when.device_id(&id);
        then.ok(&answer);
    });
    let client = authapi_client::with_bearer(&server.base_url(), "any-token").unwrap();
    assert_eq!(
        device_label(&client, &id).await.unwrap(),
        "Example MCP client (MCP client, revoked)"
    );
    mock.assert();
}

#[tokio::test]
async fn a_missing_device_is_unknown_and_other_errors_are_reported() {
    let server = MockServer::start_async().await;
    let id: DeviceId = ID.parse().unwrap();
    let client = authapi_client::with_bearer(&server.base_url(), "any-token").unwrap();

    let mut missing = server.fetch_device(|when, then| {
        when.device_id(&id);
        then.not_found(&error(ErrorCode::NotFound, "device not found"));
    });
    assert_eq!(device_label(&client, &id).await.unwrap(), "unknown device");
    missing.delete();

    server.fetch_device(|when, then| {
        when.device_id(&id);
        then.forbidden(&error(
            ErrorCode::NotPermitted,
            "this token may not read devices",
        ));
    });
    assert_eq!(
        device_label(&client, &id).await.unwrap_err(),
        "403 Forbidden not_permitted: this token may not read devices"
    );
}
