//! Scenarios end to end: `Prefer` headers in Prism's syntax and scenarios bound to tokens,
//! answered from the spec's examples and schemas, always after authentication; the 401
//! challenge of RFC 6750; strict mode.

use std::time::{Duration, Instant};

use authapi::*;
use authapi_server::data::DEFAULT_DATA;
use authapi_server::{Data, TestServer};
use serde_json::Value;

fn bearer(token: &str) -> String {
    format!("Authorization: Bearer {token}")
}

async fn ask(server: &TestServer, path: &str, headers: &[&str]) -> RawReply {
    let lines: Vec<&[u8]> = headers.iter().map(|h| h.as_bytes()).collect();
    raw(server.addr(), &get(path, &lines)).await
}

/// A data file: the default data with more tokens, one YAML list item each.
fn data_with_tokens(name: &str, tokens: &str) -> Data {
    let dir = std::env::temp_dir().join(format!("authapi-scenarios-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("data.yaml");
    let text = DEFAULT_DATA.replacen("tokens:\n", &format!("tokens:\n{tokens}"), 1);
    std::fs::write(&file, text).unwrap();
    Data::file(file)
}

#[tokio::test]
async fn a_documented_status_is_answered_with_its_example() {
    let server = start().await;
    let spec = spec();
    for op in operations() {
        let path = op.path(&op.examples[0].id);
        let reply = ask(&server, &path, &[&bearer(TOKEN_ALL), "Prefer: code=404"]).await;
        assert_eq!(reply.status, 404, "{}", op.id);
        assert_eq!(reply.header("preference-applied"), Some("code=404"));
        let documented =
            &spec["components"]["responses"]["NotFound"]["content"]["application/json"]["example"];
        assert_eq!(
            reply.body,
            serde_json::to_vec(documented).unwrap(),
            "{}",
            op.id
        );
        assert_conforms(&op.id, 404, &reply.json());

        let refused = ask(&server, &path, &[&bearer(TOKEN_ALL), "Prefer: code=418"]).await;
        assert_eq!(refused.status, 400);
        assert_eq!(
            refused.json()["message"],
            format!(
                "Prefer: code=418: {} documents the statuses 200, 400, 401, 403, 404, 500",
                op.id
            )
        );
    }
}

#[tokio::test]
async fn a_named_example_is_answered_byte_for_byte_whatever_the_id() {
    let server = start().await;
    for op in operations() {
        for example in &op.examples {
            // An id the data does not hold: the scenario answers before any lookup.
            let path = op.path(&op.unknown_id());
            let prefer = format!("Prefer: example={}", example.name);
            let reply = ask(&server, &path, &[&bearer(TOKEN_A), &prefer]).await;
            assert_eq!(reply.status, 200, "{} {}", op.id, example.name);
            assert_eq!(reply.body, serde_json::to_vec(&example.body).unwrap());
            assert_eq!(
                reply.header("preference-applied"),
                Some(format!("example={}", example.name).as_str())
            );
        }
        let reply = ask(
            &server,
            &op.path(&op.unknown_id()),
            &[&bearer(TOKEN_A), "Prefer: example=nope"],
        )
        .await;
        assert_eq!(reply.status, 400);
        let message = reply.json()["message"].as_str().unwrap().to_string();
        assert!(
            message.starts_with(&format!(
                "Prefer: example=nope: {} has no example of that name; its examples are ",
                op.id
            )),
            "{message}"
        );
        for example in &op.examples {
            assert!(
                message.contains(&format!("{} (200)", example.name)),
                "{message}"
            );
        }
    }
}

#[tokio::test]
async fn random_bodies_match_the_spec_and_come_again_with_their_seed() {
    let server = start().await;
    let operations = operations();
    let mut bodies = std::collections::HashSet::new();
    for i in 0..200 {
        let op = &operations[i % operations.len()];
        let reply = ask(
            &server,
            &op.path(&op.unknown_id()),
            &[&bearer(TOKEN_A), "Prefer: dynamic=true"],
        )
        .await;
        assert_eq!(
            reply.status,
            200,
            "{}: {:?}",
            op.id,
            String::from_utf8_lossy(&reply.body)
        );
        assert_conforms(&op.id, 200, &reply.json());
        let applied = reply.header("preference-applied").unwrap().to_string();
        let seed = applied.strip_prefix("dynamic=true, seed=").expect(&applied);
        let again = ask(
            &server,
            &op.path(&op.unknown_id()),
            &[
                &bearer(TOKEN_A),
                &format!("Prefer: dynamic=true; seed={seed}"),
            ],
        )
        .await;
        assert_eq!(again.body, reply.body, "seed {seed} gave another body");
        bodies.insert(reply.body);
    }
    assert!(
        bodies.len() > 150,
        "only {} different bodies in 200",
        bodies.len()
    );
}

#[tokio::test]
async fn authentication_comes_before_any_scenario() {
    let server = start().await;
    let path = format!("/api/v1/device/{DEVICE}");
    let missing = ask(&server, &path, &["Prefer: code=200"]).await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.json()["code"], "not_authenticated");
    assert_eq!(
        missing.header("www-authenticate"),
        Some(r#"Bearer realm="authapi""#)
    );
    assert_eq!(missing.header("preference-applied"), None);

    let bad = ask(
        &server,
        &path,
        &[&bearer("nope"), "Prefer: example=browser"],
    )
    .await;
    assert_eq!(bad.status, 401);
    assert_eq!(bad.json()["code"], "bad_authtoken");
    assert_eq!(
        bad.header("www-authenticate"),
        Some(r#"Bearer realm="authapi", error="invalid_token""#)
    );
}

#[tokio::test]
async fn a_delay_waits_then_answers_from_the_data() {
    let server = start().await;
    let path = format!("/api/v1/device/{DEVICE}");
    let started = Instant::now();
    let reply = ask(&server, &path, &[&bearer(TOKEN_A), "Prefer: delay=300"]).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        example("/api/v1/device/{device_id}", "browser")
    );
    assert_eq!(reply.header("preference-applied"), Some("delay=300"));

    let too_long = ask(&server, &path, &[&bearer(TOKEN_A), "Prefer: delay=30001"]).await;
    assert_eq!(too_long.status, 400);
    assert_eq!(
        too_long.json()["message"],
        "Prefer: delay=30001 is not a whole number from 0 to 30000"
    );
}

#[tokio::test]
async fn scenarios_bound_to_tokens_need_no_header() {
    let data = data_with_tokens(
        "bound",
        "  - token: expired\n    scenario: {code: 401}\n  - token: slow\n    accounts: all\n    scenario: {delay: 200}\n  - token: chaos\n    scenario: {dynamic: true}\n",
    );
    let server = TestServer::start(data).await.unwrap();
    let path = format!("/api/v1/device/{DEVICE}");

    let expired = ask(&server, &path, &[&bearer("expired")]).await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.json()["code"], "bad_authtoken");
    assert_eq!(
        expired.header("www-authenticate"),
        Some(r#"Bearer realm="authapi", error="invalid_token""#)
    );
    // A request's own header is laid over its token's scenario.
    let overridden = ask(&server, &path, &[&bearer("expired"), "Prefer: code=404"]).await;
    assert_eq!(overridden.status, 404);

    let started = Instant::now();
    let slow = ask(&server, &path, &[&bearer("slow")]).await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(slow.status, 200);
    assert_eq!(slow.json()["summary"]["id"], DEVICE);

    let chaos = ask(&server, &path, &[&bearer("chaos")]).await;
    assert_eq!(chaos.status, 200);
    assert_conforms("fetch_device", 200, &chaos.json());
    assert!(
        chaos
            .header("preference-applied")
            .unwrap()
            .starts_with("dynamic=true, seed=")
    );
    // A header that asks for something else keeps the token's random body.
    let seeded = ask(&server, &path, &[&bearer("chaos"), "Prefer: seed=7"]).await;
    assert_eq!(seeded.status, 200);
    assert_eq!(
        seeded.header("preference-applied"),
        Some("dynamic=true, seed=7")
    );
    assert_conforms("fetch_device", 200, &seeded.json());
    let again = ask(&server, &path, &[&bearer("chaos"), "Prefer: seed=7"]).await;
    assert_eq!(again.json(), seeded.json());
}

#[tokio::test]
async fn a_bad_token_scenario_stops_the_start_naming_the_field() {
    let data = data_with_tokens(
        "bad",
        "  - token: slow\n    accounts: all\n    scenario: {delay: 90000}\n",
    );
    let error = TestServer::start(data).await.unwrap_err().to_string();
    assert!(
        error.ends_with(
            "tokens[0].scenario.delay: 90000 ms is longer than the 30000 ms a scenario may wait"
        ),
        "{error}"
    );
    let data = data_with_tokens(
        "unknown",
        "  - token: odd\n    accounts: all\n    scenario: {status: 404}\n",
    );
    let error = TestServer::start(data).await.unwrap_err().to_string();
    assert!(
        error.contains("tokens[0].scenario") && error.contains("status"),
        "{error}"
    );
}

#[tokio::test]
async fn strict_mode_answers_every_request_from_the_data() {
    let options = authapi_stubs::runtime::Options {
        scenarios: false,
        ..Default::default()
    };
    let data = data_with_tokens("strict", "  - token: expired\n    scenario: {code: 401}\n")
        .load()
        .unwrap();
    let app = authapi_server::app_with(data, Vec::new(), options);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let path = format!("/api/v1/device/{DEVICE}");
    let reply = raw(
        addr,
        &get(&path, &[bearer(TOKEN_A).as_bytes(), b"Prefer: code=404"]),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("preference-applied"), None);
    // The token's scenario is ignored too: it reads nothing, so the device is not found.
    let reply = raw(addr, &get(&path, &[bearer("expired").as_bytes()])).await;
    assert_eq!(reply.status, 404);
    let body: Value = reply.json();
    assert_eq!(body["code"], "not_found");
}
