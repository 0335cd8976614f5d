//! OpenAPI 3.0 schemas as the JSON Schema that typify reads, converted the way the client
//! generator converts them, so that one schema gives the same Rust type on every side.

use serde_json::{Map, Value};

/// The schemars form of an OpenAPI schema; `Err` says why the schema is not one.
pub fn to_schemars(schema: &Value) -> Result<schemars::schema::Schema, String> {
    serde_json::from_value(convert(schema)).map_err(|e| format!("not a valid schema: {e}"))
}

/// OpenAPI 3.0 writes an exclusive bound as a flag beside the bound (`minimum: 0,
/// exclusiveMinimum: true`), JSON Schema since draft 6 as the bound itself
/// (`exclusiveMinimum: 0`): `out`, the conversion of `map` without its flags, gets the latter.
pub fn exclusive_bounds(map: &Map<String, Value>, out: &mut Map<String, Value>) {
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if map.get(flag) == Some(&Value::Bool(true))
            && let Some(value) = out.remove(bound)
        {
            out.insert(flag.to_string(), value);
        }
    }
}

/// The JSON Schema (draft 7) form of an OpenAPI 3.0 schema.
pub fn convert(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    if let Some(reference) = map.get("$ref") {
        // A reference's siblings are ignored in OpenAPI 3.0.
        return Value::Object(Map::from_iter([("$ref".to_string(), reference.clone())]));
    }
    let mut out = Map::new();
    for (key, value) in map {
        let value = match key.as_str() {
            "nullable" | "example" | "discriminator" | "xml" | "externalDocs" => continue,
            "exclusiveMinimum" | "exclusiveMaximum" => continue,
            "properties" => Value::Object(
                value
                    .as_object()
                    .map(|props| props.iter().map(|(k, v)| (k.clone(), convert(v))).collect())
                    .unwrap_or_default(),
            ),
            // `convert` gives back what is not a schema object (`additionalProperties: false`).
            "items" | "not" | "additionalProperties" => convert(value),
            "allOf" | "anyOf" | "oneOf" => match value {
                Value::Array(items) => Value::Array(items.iter().map(convert).collect()),
                other => other.clone(),
            },
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    exclusive_bounds(map, &mut out);
    if map.get("nullable") != Some(&Value::Bool(true)) {
        return Value::Object(out);
    }
    if let Some(Value::String(ty)) = out.get("type") {
        let ty = Value::Array(vec![
            Value::String(ty.clone()),
            Value::String("null".into()),
        ]);
        out.insert("type".into(), ty);
        return Value::Object(out);
    }
    let composed = ["allOf", "anyOf", "oneOf", "not"]
        .iter()
        .any(|k| out.contains_key(*k));
    if !composed {
        // An untyped schema accepts null already.
        return Value::Object(out);
    }
    // A nullable composition: null, or the schema; its description stays outside.
    let mut wrapper = Map::new();
    for key in [
        "title",
        "description",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
    ] {
        if let Some(value) = out.remove(key) {
            wrapper.insert(key.to_string(), value);
        }
    }
    for key in out
        .keys()
        .filter(|k| k.starts_with("x-"))
        .cloned()
        .collect::<Vec<_>>()
    {
        if let Some(value) = out.remove(&key) {
            wrapper.insert(key, value);
        }
    }
    let null = Value::Object(Map::from_iter([(
        "type".to_string(),
        Value::String("null".into()),
    )]));
    wrapper.insert("oneOf".into(), Value::Array(vec![null, Value::Object(out)]));
    Value::Object(wrapper)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nullable_bounds_and_refs_convert_as_the_client_generator_does() {
        assert_eq!(
            convert(
                &json!({"type": "integer", "minimum": 1, "exclusiveMinimum": true, "nullable": true, "example": 3})
            ),
            json!({"type": ["integer", "null"], "exclusiveMinimum": 1})
        );
        assert_eq!(
            convert(&json!({"$ref": "#/components/schemas/A", "description": "ignored"})),
            json!({"$ref": "#/components/schemas/A"})
        );
        assert_eq!(
            convert(
                &json!({"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true, "description": "d"})
            ),
            json!({"description": "d", "oneOf": [{"type": "null"}, {"allOf": [{"$ref": "#/components/schemas/A"}]}]})
        );
        assert_eq!(
            convert(
                &json!({"type": "object", "properties": {"a": {"type": "number", "maximum": 2, "exclusiveMaximum": false}}})
            ),
            json!({"type": "object", "properties": {"a": {"type": "number", "maximum": 2}}})
        );
    }

    #[test]
    fn nested_schemas_convert_and_a_nullable_composition_keeps_its_notes_outside() {
        let nullable = json!({"type": "string", "nullable": true, "xml": {}});
        let converted = json!({"type": ["string", "null"]});
        assert_eq!(
            convert(&json!({
                "type": "object",
                "items": nullable,
                "not": nullable,
                "additionalProperties": nullable,
                "discriminator": {"propertyName": "k"},
                "externalDocs": {"url": "https://example.com"},
            })),
            json!({
                "type": "object",
                "items": converted,
                "not": converted,
                "additionalProperties": converted,
            })
        );
        assert_eq!(
            convert(&json!({"additionalProperties": false, "anyOf": "kept as written"})),
            json!({"additionalProperties": false, "anyOf": "kept as written"})
        );
        // Untyped and not composed, a schema accepts null already.
        assert_eq!(
            convert(&json!({"nullable": true, "description": "anything"})),
            json!({"description": "anything"})
        );
        assert_eq!(
            convert(&json!({
                "nullable": true,
                "anyOf": [nullable],
                "title": "t",
                "default": null,
                "deprecated": true,
                "readOnly": true,
                "writeOnly": false,
                "x-note": 1,
                "minProperties": 1,
            })),
            json!({
                "title": "t",
                "default": null,
                "deprecated": true,
                "readOnly": true,
                "writeOnly": false,
                "x-note": 1,
                "oneOf": [{"type": "null"}, {"anyOf": [converted], "minProperties": 1}],
            })
        );
    }
}
