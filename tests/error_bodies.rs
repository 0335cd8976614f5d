//! The JSON error bodies a user sees, one snapshot per error path, so that a change to any
//! message or code shows up in review.

use authapi::*;

const AUTH_A: &[u8] = b"Authorization: Bearer dev-token";

#[tokio::test]
async fn error_bodies() {
    let server = start().await;
    let addr = server.addr();
    let device = format!("/api/v1/device/{DEVICE}");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("missing_token", get(&device, &[])),
        (
            "malformed_header",
            get(&device, &[b"Authorization: Token abc"]),
        ),
        (
            "unknown_token",
            get(&device, &[b"Authorization: Bearer nope"]),
        ),
        (
            "bad_id",
            get("/api/v1/device/013XRZP12G3NQK8NYVK0XWZCB2GZP8Z1", &[AUTH_A]),
        ),
        (
            "unknown_id",
            get("/api/v1/device/013xrzp12g3nqk8nss6ys3c4dwa7n360", &[AUTH_A]),
        ),
        (
            "other_accounts_id",
            get(&format!("/api/v1/session/{SESSION}"), &[AUTH_A]),
        ),
        (
            "missing_permission",
            get(
                &format!("/api/v1/authflow/{AUTHFLOW}"),
                &[b"Authorization: Bearer dev-token-devices-only"],
            ),
        ),
        ("unknown_route", get("/api/v2/device", &[AUTH_A])),
        (
            "wrong_method",
            format!("DELETE {device} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                .into_bytes(),
        ),
    ];
    for (name, request) in cases {
        let answer = raw(addr, &request).await;
        let snapshot = serde_json::json!({
            "status": answer.status,
            "allow": answer.header("allow"),
            "body": answer.json(),
        });
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_json_snapshot!(name, snapshot);
        });
    }
}
