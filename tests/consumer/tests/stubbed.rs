//! Integration tests against the stub server in-process (`authapi-server`'s `TestServer`): the
//! real client, HTTP and auth, on the embedded data or on records made for the test.

use authapi_client::types::{
    AccountId, DeviceId, DeviceSummary, DeviceSummarySessionType, DeviceSummaryStatus,
    DeviceSummaryType,
};
use authapi_consumer::device_label;
use authapi_server::{Data, TestServer};

#[tokio::test]
async fn the_reference_device_of_the_embedded_data() {
    let stub = TestServer::start(Data::default()).await.unwrap();
    let client = stub.client("dev-token");
    let id: DeviceId = "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1".parse().unwrap();
    assert_eq!(
        device_label(&client, &id).await.unwrap(),
        "Chrome on macOS (browser, active)"
    );
    // The same device, asked for with another account's token, does not exist for it.
    let other = stub.client("dev-token-b");
    assert_eq!(device_label(&other, &id).await.unwrap(), "unknown device");
}

#[tokio::test]
async fn a_device_made_for_the_test() {
    let account: AccountId = "013xrzp12g3nqk8n505tp6wqnscpdy8q".parse().unwrap();
    let id: DeviceId = "013xrzp12g3nqk8nyvk0xwzcb2gzp8z9".parse().unwrap();
    let data = Data::empty()
        .token("test-token", &account)
        .device(DeviceSummary {
            account_id: account.clone(),
            domain_id: "013xrzp12g3nqk8nz2ccx5vt2j6f6hjz".parse().unwrap(),
            dynamic_client_details: None,
            first_seen: None,
            id: id.clone(),
            last_seen: None,
            pool_id: "013xrzp12g3nqk8n6z7f3q8wqgbmh3n9".parse().unwrap(),
            session_type: DeviceSummarySessionType::Api,
            status: DeviceSummaryStatus::Active,
            title: "Build server".into(),
            type_: DeviceSummaryType::Device,
        });
    let stub = TestServer::start(data).await.unwrap();
    let client = stub.client("test-token");
    assert_eq!(
        device_label(&client, &id).await.unwrap(),
        "Build server (API client, active)"
    );
}
