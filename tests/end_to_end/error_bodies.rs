//! The JSON error bodies a user sees, one snapshot per error path and operation, so that a
//! change to any message or code shows up in review.

use authapi::*;

const AUTH_A: &[u8] = b"Authorization: Bearer dev-token";
const AUTH_ALL: &[u8] = b"Authorization: Bearer dev-token-all";

#[tokio::test]
async fn error_bodies() {
    let server = start().await;
    let addr = server.addr();
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    // What every operation answers, read from the spec so that a new one is covered too.
    for op in operations() {
        let known = op.path(&op.examples[0].id);
        let upper = op.path(&op.examples[0].id.to_uppercase());
        let unknown = op.path(&op.unknown_id());
        let name = |case: &str| format!("{}-{case}", op.id);
        cases.extend([
            (name("missing_token"), get(&known, &[])),
            (
                name("malformed_header"),
                get(&known, &[b"Authorization: Token abc"]),
            ),
            (
                name("unknown_token"),
                get(&known, &[b"Authorization: Bearer nope"]),
            ),
            (name("bad_id"), get(&upper, &[AUTH_ALL])),
            (name("unknown_id"), get(&unknown, &[AUTH_ALL])),
        ]);
    }
    let device = format!("/api/v1/device/{DEVICE}");
    cases.extend([
        (
            "other_accounts_id".to_string(),
            get(&format!("/api/v1/session/{SESSION}"), &[AUTH_A]),
        ),
        (
            "missing_permission".to_string(),
            get(
                &format!("/api/v1/authflow/{AUTHFLOW}"),
                &[b"Authorization: Bearer dev-token-devices-only"],
            ),
        ),
        (
            "unknown_route".to_string(),
            get("/api/v2/device", &[AUTH_A]),
        ),
        (
            "wrong_method".to_string(),
            format!("DELETE {device} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                .into_bytes(),
        ),
    ]);
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
