//! The edits a team makes next to the product's spec generate: a POST with a JSON body that
//! answers 200 or 409, a list with `limit`/`cursor` query parameters, and a DELETE answering
//! 204. The generated trait then names exactly the methods the server must add.

use serde_json::{Value, json};
use xtask::{codegen, spec};

/// The product's spec with the three operations added, as a user would write them.
fn next_spec() -> Value {
    let root = xtask::workspace_root().expect("the workspace root");
    let text = std::fs::read_to_string(root.join(codegen::SPEC_PATH)).expect("the spec");
    let mut api = spec::parse(codegen::SPEC_PATH, text)
        .expect("the spec parses")
        .json;
    let session_id = json!({
        "name": "session_id", "in": "path", "required": true,
        "schema": {"$ref": "#/components/schemas/Session_Id"}
    });
    let device_id = json!({
        "name": "device_id", "in": "path", "required": true,
        "schema": {"$ref": "#/components/schemas/Device_Id"}
    });
    let error = |status: &str| json!({"$ref": format!("#/components/responses/{status}")});
    let paths = api["paths"].as_object_mut().expect("paths");
    paths.insert(
        "/api/v1/session/{session_id}/revoke".into(),
        json!({"post": {
            "operationId": "revoke_session",
            "parameters": [session_id],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object", "required": ["reason"],
                "properties": {"reason": {"type": "string", "maxLength": 200}}
            }}}},
            "responses": {
                "200": {"description": "revoked", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Session_Response"}
                }}},
                "409": {"description": "already revoked", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}
                }}},
                "401": error("Unauthorized"),
                "404": error("NotFound")
            }
        }}),
    );
    paths.insert(
        "/api/v1/devices".into(),
        json!({"get": {
            "operationId": "list_devices",
            "parameters": [
                {"name": "limit", "in": "query",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
                {"name": "cursor", "in": "query", "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {"description": "a page of devices", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["devices"], "properties": {
                        "devices": {"type": "array",
                                    "items": {"$ref": "#/components/schemas/Device_Response"}},
                        "next_cursor": {"type": "string", "nullable": true}
                    }}
                }}},
                "401": error("Unauthorized")
            }
        }}),
    );
    paths
        .get_mut("/api/v1/device/{device_id}")
        .and_then(Value::as_object_mut)
        .expect("the device path")
        .insert(
            "delete".into(),
            json!({
                "operationId": "forget_device",
                "parameters": [device_id],
                "responses": {"204": {"description": "forgotten"}, "404": error("NotFound")}
            }),
        );
    api
}

#[test]
fn the_next_operations_generate_and_name_the_methods_to_write() {
    let text = serde_json::to_string_pretty(&next_spec()).expect("JSON");
    let parsed = spec::parse("next.json", text).expect("the edited spec reads");
    let outputs = codegen::generate(&parsed).expect("the edited spec generates");
    let stubs = &outputs
        .iter()
        .find(|o| o.path.ends_with("authapi-stubs/src/generated.rs"))
        .expect("the stubs")
        .contents;
    let trait_start = stubs.find("pub trait Api").expect("the Api trait");
    let trait_end = trait_start + stubs[trait_start..].find("\n}\n").expect("its end");
    let methods: Vec<&str> = stubs[trait_start..trait_end]
        .lines()
        .filter_map(|l| l.trim().strip_prefix("fn "))
        .map(|l| l.split(['(', '<']).next().unwrap_or_default())
        .collect();
    assert_eq!(
        methods,
        [
            // Provided: the scenario bound to a caller, none unless implemented.
            "scenario",
            "authenticate_bearer_auth",
            "fetch_authflow",
            "fetch_device",
            "forget_device",
            "list_devices",
            "fetch_session",
            "revoke_session",
        ]
    );
    // Each answers its own statuses.
    for expected in [
        "pub enum RevokeSessionResponse",
        "Conflict(JsonBody<types::Error>)",
        "pub enum ForgetDeviceResponse",
        "NoContent,",
        "pub enum ListDevicesResponse",
    ] {
        assert!(stubs.contains(expected), "the stubs lack {expected:?}");
    }
    let client = &outputs
        .iter()
        .find(|o| o.path.ends_with("authapi-client/src/generated.rs"))
        .expect("the client")
        .contents;
    for method in ["revoke_session", "list_devices", "forget_device"] {
        assert!(
            client.contains(&format!("pub async fn {method}<")),
            "the client lacks {method}"
        );
    }
}
