//! The generated client against the real server on a loopback port: every operation, every
//! error path of the contract, asserted on typed values, every body checked against the spec.

use std::net::IpAddr;

use authapi::*;
use authapi_client::types::{
    DeviceSummarySessionType, ErrorCode, RemoteIp, SessionSummaryStatus, SuccessStatus,
};
use authapi_client::{ClientBuilder, Error, ResponseValue, with_bearer};
use authapi_stubs::SCHEMAS;
use authapi_stubs::http_status;
use serde_json::Value;

/// Asserts an error answer: its status, its typed code, that the status is the one the shared
/// table gives the code, and that the body matches the spec. Returns the message.
fn expect_error<T: std::fmt::Debug>(
    operation: &str,
    result: Result<ResponseValue<T>, Error>,
    status: u16,
    code: ErrorCode,
) -> String {
    match result {
        Err(Error::ErrorResponse(answer)) => {
            assert_eq!(answer.status().as_u16(), status, "{operation}: {answer:?}");
            assert_eq!(
                http_status(code).as_u16(),
                status,
                "table disagrees for {code}"
            );
            assert_eq!(answer.code, code, "{operation}: {}", answer.message);
            let body = serde_json::to_value(answer.into_inner()).unwrap();
            assert_conforms(operation, status, &body);
            body["message"].as_str().unwrap().to_string()
        }
        other => panic!("{operation}: expected {status} {code}, got {other:?}"),
    }
}

#[tokio::test]
async fn each_operation_returns_its_reference_example() {
    let server = start().await;
    let a = server.client(TOKEN_A);
    let b = server.client(TOKEN_B);

    let answer = a.fetch_device(&DEVICE.parse().unwrap()).await.unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(answer.headers()["content-type"], "application/json");
    let device = answer.into_inner();
    assert_eq!(device.status, SuccessStatus::Success);
    assert_eq!(device.summary.id.as_str(), DEVICE);
    assert_eq!(device.summary.title, "Chrome on macOS");
    assert_eq!(
        device.summary.session_type,
        DeviceSummarySessionType::Browser
    );
    assert_eq!(device.summary.dynamic_client_details, None);
    let seen = device.summary.first_seen.as_ref().unwrap();
    assert_eq!(seen.asn.get(), 4764);
    assert_eq!(seen.country_code.as_str(), "AU");
    assert_eq!(seen.lat_long.0, [-37.8159, 144.9669]);
    assert_eq!(seen.remote_ip, Some(RemoteIp(IpAddr::from([127, 0, 0, 1]))));
    let json = serde_json::to_value(&device).unwrap();
    assert_conforms("fetch_device", 200, &json);
    assert!(
        same_json(&json, &example("/api/v1/device/{device_id}", "browser")),
        "{json}"
    );

    let session = b
        .fetch_session(&SESSION.parse().unwrap())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(session.summary.status, SessionSummaryStatus::New);
    assert!(session.actions.revoke);
    let json = serde_json::to_value(&session).unwrap();
    assert_conforms("fetch_session", 200, &json);
    assert!(
        same_json(&json, &example("/api/v1/session/{session_id}", "new")),
        "{json}"
    );

    let authflow = a
        .fetch_authflow(&AUTHFLOW.parse().unwrap())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(authflow.summary.factor_names, ["password", "totp"]);
    assert_eq!(authflow.summary.required_email, None);
    let json = serde_json::to_value(&authflow).unwrap();
    assert_conforms("fetch_authflow", 200, &json);
    assert!(
        same_json(&json, &example("/api/v1/authflow/{authflow_id}", "new")),
        "{json}"
    );
}

#[tokio::test]
async fn the_mcp_device_example_round_trips_with_its_nulls() {
    let server = start().await;
    let url = server.url();
    let a = with_bearer(&url, TOKEN_A).unwrap();
    let device = a
        .fetch_device(&"013xrzp12g3nqk8n7m2ywq4cgsfhbt0a".parse().unwrap())
        .await
        .unwrap();
    let json = serde_json::to_value(device.into_inner()).unwrap();
    assert_conforms("fetch_device", 200, &json);
    assert!(
        same_json(&json, &example("/api/v1/device/{device_id}", "mcp")),
        "{json}"
    );
}

#[tokio::test]
async fn revoke_is_offered_until_a_session_is_revoked_or_complete() {
    let server = start().await;
    let url = server.url();
    let a = with_bearer(&url, TOKEN_A).unwrap();
    let b = with_bearer(&url, TOKEN_B).unwrap();
    let cases = [
        (
            &b,
            "013xrzp12g3nqk8n6cq643dzvmxxqkfb",
            SessionSummaryStatus::Revoked,
            false,
        ),
        (
            &a,
            "013xrzp12g3nqk8n4mnpzx45hy43kwjr",
            SessionSummaryStatus::Authenticated,
            true,
        ),
        (
            &a,
            "013xrzp12g3nqk8np1xpa7z3dj8fssz5",
            SessionSummaryStatus::Complete,
            false,
        ),
    ];
    for (client, id, status, revoke) in cases {
        let session = client
            .fetch_session(&id.parse().unwrap())
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            (session.summary.status, session.actions.revoke),
            (status, revoke),
            "{id}"
        );
    }
}

#[tokio::test]
async fn missing_malformed_and_unknown_tokens_are_401() {
    let server = start().await;
    let url = server.url();
    let id = DEVICE.parse().unwrap();

    let anonymous = ClientBuilder::new(&url).build().unwrap();
    let message = expect_error(
        "fetch_device",
        anonymous.fetch_device(&id).await,
        401,
        ErrorCode::NotAuthenticated,
    );
    assert!(
        message.contains("Authorization header is missing"),
        "{message}"
    );

    let malformed = with_bearer(&url, "two words").unwrap();
    expect_error(
        "fetch_device",
        malformed.fetch_device(&id).await,
        401,
        ErrorCode::BadAuthtoken,
    );

    let unknown = with_bearer(&url, "no-such-token").unwrap();
    expect_error(
        "fetch_session",
        unknown.fetch_session(&SESSION.parse().unwrap()).await,
        401,
        ErrorCode::BadAuthtoken,
    );

    // Auth comes first: an unauthenticated caller learns nothing about ids.
    let raw = reqwest::get(format!("{url}/api/v1/device/not-an-id"))
        .await
        .unwrap();
    assert_eq!(raw.status().as_u16(), 401);
}

#[tokio::test]
async fn a_bad_id_is_400_naming_the_parameter() {
    let server = start().await;
    let url = server.url();
    let http = reqwest::Client::new();
    for (path, param) in [
        ("device/013XRZP12G3NQK8NYVK0XWZCB2GZP8Z1", "device_id"),
        ("session/short", "session_id"),
        ("authflow/013xrzp12g3nqk8nqprv12gz6v99a2vi", "authflow_id"),
    ] {
        let answer = http
            .get(format!("{url}/api/v1/{path}"))
            .bearer_auth(TOKEN_A)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 400, "{path}");
        let body: Value = answer.json().await.unwrap();
        let operation = format!("fetch_{}", param.trim_end_matches("_id"));
        assert_conforms(&operation, 400, &body);
        assert_eq!(body["code"], "invalid_value");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("path parameter {param}: ")),
            "{message}"
        );
        assert!(
            message.contains("expected a value like 013xrzp12g3nqk8n"),
            "{message}"
        );
    }
    // The client refuses to build such a request in the first place.
    assert!(
        "013XRZP12G3NQK8NYVK0XWZCB2GZP8Z1"
            .parse::<authapi_client::types::DeviceId>()
            .is_err()
    );
}

#[tokio::test]
async fn unknown_ids_and_other_accounts_ids_are_the_same_404() {
    let server = start().await;
    let url = server.url();
    let a = with_bearer(&url, TOKEN_A).unwrap();

    let missing = "013xrzp12g3nqk8nss6ys3c4dwa7n360";
    let message = expect_error(
        "fetch_session",
        a.fetch_session(&missing.parse().unwrap()).await,
        404,
        ErrorCode::NotFound,
    );
    assert_eq!(message, format!("session {missing} not found"));

    // SESSION belongs to account B.
    let message = expect_error(
        "fetch_session",
        a.fetch_session(&SESSION.parse().unwrap()).await,
        404,
        ErrorCode::NotFound,
    );
    assert_eq!(message, format!("session {SESSION} not found"));

    let b = with_bearer(&url, TOKEN_B).unwrap();
    expect_error(
        "fetch_device",
        b.fetch_device(&DEVICE.parse().unwrap()).await,
        404,
        ErrorCode::NotFound,
    );
    expect_error(
        "fetch_authflow",
        b.fetch_authflow(&AUTHFLOW.parse().unwrap()).await,
        404,
        ErrorCode::NotFound,
    );
}

#[tokio::test]
async fn a_token_without_the_kind_is_403() {
    let server = start().await;
    let url = server.url();
    let devices_only = with_bearer(&url, TOKEN_DEVICES_ONLY).unwrap();
    assert!(
        devices_only
            .fetch_device(&DEVICE.parse().unwrap())
            .await
            .is_ok()
    );
    let message = expect_error(
        "fetch_authflow",
        devices_only
            .fetch_authflow(&AUTHFLOW.parse().unwrap())
            .await,
        403,
        ErrorCode::NotPermitted,
    );
    assert_eq!(message, "this token may not read authflows");
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_answer_json() {
    let server = start().await;
    let url = server.url();
    let http = reqwest::Client::new();

    let answer = http
        .get(format!("{url}/api/v1/nothing/here"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 404);
    let body: Value = answer.json().await.unwrap();
    SCHEMAS.check_schema("Error", &body).unwrap();
    assert_eq!(body["code"], "not_found");

    let answer = http
        .delete(format!("{url}/api/v1/device/{DEVICE}"))
        .bearer_auth(TOKEN_A)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 405);
    assert_eq!(answer.headers()["allow"], "GET,HEAD");
    assert_eq!(answer.headers()["content-type"], "application/json");
    let body: Value = answer.json().await.unwrap();
    SCHEMAS.check_schema("Error", &body).unwrap();

    let answer = http
        .head(format!("{url}/api/v1/device/{DEVICE}"))
        .bearer_auth(TOKEN_A)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(answer.bytes().await.unwrap().len(), 0);
}

#[tokio::test]
async fn the_spec_is_served() {
    let server = start().await;
    let url = server.url();
    let json: Value = reqwest::get(format!("{url}/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json, spec());
    let yaml = reqwest::get(format!("{url}/openapi.yaml"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(yaml, authapi_stubs::SPEC_YAML);
}
