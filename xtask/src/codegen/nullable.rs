//! The generator's reading of nullable named schemas.
//!
//! OpenAPI 3.0 validators only accept `null` for a reference when the referenced schema is
//! itself `nullable`, so the spec marks such schemas nullable. Given that, typify would make
//! the named type a wrapper around an `Option`, and every use an `Option` of that wrapper.
//! The generator instead keeps the named type plain and makes each use `Option<T>`, which
//! accepts exactly the same JSON.

use serde_json::{Map, Value};

const PREFIX: &str = "#/components/schemas/";

/// The nullable named schemas of `spec`.
fn nullable(spec: &Value) -> Vec<String> {
    spec.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| {
            schemas
                .iter()
                .filter(|(_, s)| s.get("nullable") == Some(&Value::Bool(true)))
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `prepare` changes anything in `spec`.
pub fn any(spec: &Value) -> bool {
    !nullable(spec).is_empty()
}

/// The spec as the type generator should see it.
pub fn prepare(spec: &Value) -> Value {
    let mut out = spec.clone();
    let nullable = nullable(spec);
    if nullable.is_empty() {
        return out;
    }
    wrap_refs(&mut out, &nullable);
    for name in &nullable {
        if let Some(Value::Object(schema)) = out.pointer_mut(&format!("/components/schemas/{name}"))
        {
            schema.remove("nullable");
        }
    }
    out
}

fn nullable_target<'a>(node: &Map<String, Value>, nullable: &'a [String]) -> Option<&'a String> {
    let target = node.get("$ref")?.as_str()?.strip_prefix(PREFIX)?;
    nullable.iter().find(|n| *n == target)
}

fn is_wrapped(node: &Map<String, Value>, nullable: &[String]) -> bool {
    node.get("nullable") == Some(&Value::Bool(true))
        && matches!(node.get("allOf"), Some(Value::Array(items))
            if items.len() == 1 && items[0].as_object().is_some_and(|r| nullable_target(r, nullable).is_some()))
}

fn wrap_refs(node: &mut Value, nullable: &[String]) {
    match node {
        Value::Object(map) if is_wrapped(map, nullable) => {}
        Value::Object(map) if nullable_target(map, nullable).is_some() => {
            let reference = Value::Object(std::mem::take(map));
            map.insert("allOf".into(), Value::Array(vec![reference]));
            map.insert("nullable".into(), Value::Bool(true));
        }
        Value::Object(map) => map.values_mut().for_each(|v| wrap_refs(v, nullable)),
        Value::Array(items) => items.iter_mut().for_each(|v| wrap_refs(v, nullable)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bare_refs_to_nullable_schemas_become_nullable_uses() {
        let spec = json!({"components": {"schemas": {
            "A": {"type": "object", "nullable": true},
            "B": {"type": "object", "properties": {
                "bare": {"$ref": "#/components/schemas/A"},
                "wrapped": {"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true},
                "other": {"$ref": "#/components/schemas/B"},
            }},
        }}});
        let out = prepare(&spec);
        let wrapped = json!({"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true});
        assert_eq!(
            out.pointer("/components/schemas/A"),
            Some(&json!({"type": "object"}))
        );
        assert_eq!(
            out.pointer("/components/schemas/B/properties/bare"),
            Some(&wrapped)
        );
        assert_eq!(
            out.pointer("/components/schemas/B/properties/wrapped"),
            Some(&wrapped)
        );
        assert_eq!(
            out.pointer("/components/schemas/B/properties/other"),
            Some(&json!({"$ref": "#/components/schemas/B"}))
        );
    }

    #[test]
    fn refs_in_lists_and_longer_compositions_are_wrapped_too() {
        let a = json!({"$ref": "#/components/schemas/A"});
        let n = json!({"$ref": "#/components/schemas/N"});
        let spec = json!({"components": {"schemas": {
            "A": {"type": "string", "nullable": true},
            "N": {"type": "string", "nullable": false},
            "L": {"type": "array", "items": a},
            "O": {"type": "object", "properties": {
                "longer": {"allOf": [a, {"minLength": 1}], "nullable": true},
                "plain": {"allOf": [n], "nullable": true},
                "bare": n,
            }},
        }}});
        assert!(any(&spec));
        let wrapped = json!({"allOf": [a], "nullable": true});
        let out = prepare(&spec);
        assert_eq!(out.pointer("/components/schemas/L/items"), Some(&wrapped));
        assert_eq!(
            out.pointer("/components/schemas/O/properties/longer"),
            Some(&json!({"allOf": [wrapped, {"minLength": 1}], "nullable": true}))
        );
        // A schema that is not nullable is left as it is, and so are references to it.
        for pointer in [
            "/components/schemas/N",
            "/components/schemas/O/properties/plain",
            "/components/schemas/O/properties/bare",
        ] {
            assert_eq!(out.pointer(pointer), spec.pointer(pointer), "{pointer}");
        }

        let none = json!({"components": {"schemas": {"N": {"type": "string", "nullable": false}}}});
        assert!(!any(&none));
        assert!(!any(&json!({"openapi": "3.0.3"})));
        assert_eq!(prepare(&none), none);
    }
}
