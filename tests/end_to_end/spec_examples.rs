//! Every example in spec/openapi.yaml decodes into its generated type and encodes back to the
//! same JSON. The test walks the spec, so a new example is checked without being listed here.

use authapi::same_json as same;
use serde_json::Value;

const SCHEMAS: &str = "#/components/schemas/";

fn spec() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/spec/openapi.yaml")).unwrap();
    serde_norway::from_str(&text).unwrap()
}

/// Round-trips `value` through the type of schema `name`, returning a failure description.
fn check(name: &str, value: &Value, at: &str) -> Option<String> {
    match authapi_types::roundtrip(name, value.clone()) {
        None => Some(format!("{at}: no generated type for schema {name}")),
        Some(Err(e)) => Some(format!("{at}: example does not decode as {name}: {e}")),
        Some(Ok(back)) if !same(&back, value) => Some(format!(
            "{at}: {name} re-encodes differently:\n  spec: {value}\n  back: {back}"
        )),
        Some(Ok(_)) => None,
    }
}

/// The name of the schema `schema` refers to, directly or through a one-item `allOf`.
fn referenced(schema: &Value) -> Option<&str> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return r.strip_prefix(SCHEMAS);
    }
    match schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([only]) => referenced(only),
        _ => None,
    }
}

/// Collects (schema name, value) for every part of `value` that a named schema describes.
fn instances<'a>(
    spec: &Value,
    schema: &Value,
    value: &'a Value,
    out: &mut Vec<(String, &'a Value)>,
) {
    if value.is_null() {
        return;
    }
    if let Some(name) = referenced(schema) {
        out.push((name.to_string(), value));
        let target = &spec["components"]["schemas"][name];
        return instances(spec, target, value, out);
    }
    if let (Some(props), Some(obj)) = (
        schema.get("properties").and_then(Value::as_object),
        value.as_object(),
    ) {
        for (key, sub) in props {
            if let Some(v) = obj.get(key) {
                instances(spec, sub, v, out);
            }
        }
    }
    if let (Some(items), Some(values)) = (schema.get("items"), value.as_array()) {
        values.iter().for_each(|v| instances(spec, items, v, out));
    }
}

#[test]
fn every_example_round_trips_through_its_generated_type() {
    let spec = spec();
    let mut failures = Vec::new();
    let mut found: Vec<(String, &Value)> = Vec::new();
    let mut checked = 0;

    // Examples of named schemas.
    let schemas = spec["components"]["schemas"]
        .as_object()
        .expect("components.schemas");
    for (name, schema) in schemas {
        if let Some(example) = schema.get("example") {
            checked += 1;
            failures.extend(check(name, example, &format!("{SCHEMAS}{name}/example")));
            instances(&spec, schema, example, &mut found);
        }
    }

    // Examples of response bodies, and every named part inside them.
    for (at, schema, value) in body_examples(&spec) {
        let mut parts = Vec::new();
        instances(&spec, schema, value, &mut parts);
        assert!(!parts.is_empty(), "{at}: the body schema names no schema");
        for (name, part) in &parts {
            checked += 1;
            failures.extend(check(name, part, &at));
        }
        found.extend(parts);
    }

    // Examples of properties, each put into an instance of the schema that holds it.
    for (name, schema) in schemas {
        for (prop, sub) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let Some(example) = sub.get("example") else {
                continue;
            };
            let base = found
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| (*v).clone());
            let Some(mut base) = base else {
                failures.push(format!(
                    "{SCHEMAS}{name}: no example holds a {name} to try {prop} in"
                ));
                continue;
            };
            base[prop] = example.clone();
            checked += 1;
            failures.extend(check(
                name,
                &base,
                &format!("{SCHEMAS}{name}/properties/{prop}/example"),
            ));
        }
    }

    assert!(
        failures.is_empty(),
        "{} of {checked} examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        checked > 50,
        "only {checked} examples found; the walk is broken"
    );
}

#[test]
fn a_bad_example_is_caught() {
    let bad = serde_json::json!({"status": "error", "code": "no_such_code", "message": "m"});
    assert!(check("Error", &bad, "test").is_some());
    let bad_id = serde_json::json!("013XRZP12G3NQK8NYVK0XWZCB2GZP8Z1");
    assert!(check("Device_Id", &bad_id, "test").is_some());
}

/// (where, body schema, example) for every example of a response body, in the paths and in
/// `components.responses`.
fn body_examples(spec: &Value) -> Vec<(String, &Value, &Value)> {
    let mut responses: Vec<(String, &Value)> = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, response) in op["responses"].as_object().unwrap() {
                responses.push((format!("{path} {method} {status}"), response));
            }
        }
    }
    for (name, response) in spec["components"]["responses"]
        .as_object()
        .into_iter()
        .flatten()
    {
        responses.push((format!("#/components/responses/{name}"), response));
    }
    let mut out = Vec::new();
    for (at, response) in responses {
        let bodies = response.get("content").and_then(Value::as_object);
        for body in bodies.into_iter().flat_map(|c| c.values()) {
            let named = body.get("examples").and_then(Value::as_object);
            let examples = named
                .into_iter()
                .flat_map(|e| e.iter().map(|(k, v)| (k.as_str(), &v["value"])))
                .chain(body.get("example").map(|v| ("example", v)));
            for (label, value) in examples {
                out.push((format!("{at} {label}"), &body["schema"], value));
            }
        }
    }
    out
}

/// (schema name, example) for every example of a named schema and every part of a response
/// example that a named schema describes.
fn named_examples(spec: &Value) -> Vec<(String, Value)> {
    let mut found: Vec<(String, &Value)> = Vec::new();
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        if let Some(example) = schema.get("example") {
            instances(spec, &json_ref(name), example, &mut found);
        }
    }
    for (_, schema, value) in body_examples(spec) {
        instances(spec, schema, value, &mut found);
    }
    found.into_iter().map(|(n, v)| (n, v.clone())).collect()
}

/// Whether a property schema admits `null`, itself or through the schema it refers to.
fn nullable(spec: &Value, schema: &Value) -> bool {
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        return true;
    }
    referenced(schema).is_some_and(|name| nullable(spec, &spec["components"]["schemas"][name]))
}

fn json_ref(name: &str) -> Value {
    serde_json::json!({"$ref": format!("{SCHEMAS}{name}")})
}

/// The schema a derived root schema describes, its definitions followed once.
fn root_object(root: &Value) -> &Value {
    match root.get("$ref").and_then(Value::as_str) {
        Some(r) => &root["definitions"][r.trim_start_matches("#/definitions/")],
        None => root,
    }
}

fn strings(value: &Value) -> std::collections::BTreeSet<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| !v.is_null())
        .map(|v| v.to_string())
        .collect()
}

#[test]
fn the_schemas_derived_from_the_generated_types_agree_with_the_spec() {
    let spec = spec();
    let mut disagreements = Vec::new();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    for (name, schema) in schemas {
        let Some(derived) = authapi_types::derived_schema(name) else {
            // A schema the spec maps to an existing Rust type has no generated one.
            if schema.get("x-rust-type").is_none() {
                disagreements.push(format!("{name}: no generated type"));
            }
            continue;
        };
        let derived = serde_json::to_value(&derived).unwrap();
        let object = root_object(&derived);
        if let Some(own) = schema.get("enum")
            && strings(own) != strings(&object["enum"])
        {
            disagreements.push(format!(
                "{name}.enum: the spec says {own}, the generated type {}",
                object["enum"]
            ));
        }
        let own = strings(&schema["required"]);
        let theirs = strings(&object["required"]);
        for field in theirs.difference(&own) {
            disagreements.push(format!(
                "{name}.{field}: required by the generated type, optional in the spec"
            ));
        }
        // A required nullable field is an `Option` in Rust, which serde reads as `None` when
        // it is missing: the generated types are lenient there, and only there.
        for field in own.difference(&theirs) {
            let field = field.trim_matches('"');
            if !nullable(&spec, &schema["properties"][field]) {
                disagreements.push(format!(
                    "{name}.{field}: required by the spec, optional in the generated type"
                ));
            }
        }
    }
    let mut checked = 0;
    for (name, example) in named_examples(&spec) {
        let Some(derived) = authapi_types::derived_schema(&name) else {
            continue;
        };
        let derived = serde_json::to_value(&derived).unwrap();
        let validator = jsonschema::validator_for(&derived).unwrap();
        for error in validator.iter_errors(&example) {
            disagreements.push(format!(
                "{name}: the generated type's schema refuses an example at {}: {error}",
                error.instance_path()
            ));
        }
        checked += 1;
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert!(checked > 20, "only {checked} examples found");
}
