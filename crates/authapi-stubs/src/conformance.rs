//! Checks an answer's JSON body against the schema the spec documents for its operation and
//! status, so that drift between data and spec is caught where it starts.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::{RESPONSE_SCHEMAS, SCHEMA_JSON};

/// One compiled validator per named schema that some answer uses.
pub struct Conformance {
    validators: HashMap<&'static str, jsonschema::Validator>,
}

impl Conformance {
    /// The validators for the embedded spec, compiled once per process.
    pub fn get() -> &'static Conformance {
        static INSTANCE: OnceLock<Conformance> = OnceLock::new();
        INSTANCE.get_or_init(Conformance::new)
    }

    fn new() -> Self {
        // The document is generated and checked by tests; failing here is a build defect.
        let document: Value = serde_json::from_str(SCHEMA_JSON).expect("schema.json is valid JSON");
        let mut validators = HashMap::new();
        for &(_, _, name) in RESPONSE_SCHEMAS {
            validators.entry(name).or_insert_with(|| {
                let mut root = document.clone();
                root["$ref"] = Value::String(format!("#/$defs/{name}"));
                jsonschema::options()
                    .should_validate_formats(true)
                    .build(&root)
                    .unwrap_or_else(|e| {
                        panic!("schema {name} of schema.json does not compile: {e}")
                    })
            });
        }
        Self { validators }
    }

    /// The name of the schema documented for `operation` answering `status`.
    pub fn schema_name(operation: &str, status: u16) -> Option<&'static str> {
        RESPONSE_SCHEMAS
            .iter()
            .find(|(op, st, _)| *op == operation && *st == status)
            .map(|(_, _, name)| *name)
    }

    /// Ok when `body` matches the schema documented for `operation` answering `status`; an
    /// undocumented status is an error too.
    pub fn check(&self, operation: &str, status: u16, body: &Value) -> Result<(), String> {
        let name = Self::schema_name(operation, status)
            .ok_or_else(|| format!("{operation}: status {status} is not documented in the spec"))?;
        self.check_schema(name, body)
            .map_err(|e| format!("{operation} {status}: {e}"))
    }

    /// Ok when `body` matches the named schema, which some documented answer must use.
    pub fn check_schema(&self, name: &str, body: &Value) -> Result<(), String> {
        let validator = self
            .validators
            .get(name)
            .ok_or_else(|| format!("no answer of the spec uses schema {name}"))?;
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("at {}: {e}", e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("body does not match {name}: {}", errors.join("; ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_bodies_are_checked_against_the_error_schema() {
        let c = Conformance::get();
        let good = json!({"status": "error", "code": "not_found", "message": "m"});
        assert_eq!(c.check("fetch_device", 404, &good), Ok(()));
        let bad = json!({"status": "error", "code": "nope", "message": "m"});
        assert!(
            c.check("fetch_device", 404, &bad)
                .unwrap_err()
                .contains("at /code")
        );
        assert!(
            c.check("fetch_device", 418, &good)
                .unwrap_err()
                .contains("not documented")
        );
    }

    #[test]
    fn nullable_references_accept_null_and_formats_are_checked() {
        let c = Conformance::get();
        let spec: Value = serde_json::from_str(crate::SPEC_JSON).unwrap();
        let example = &spec["paths"]["/api/v1/device/{device_id}"]["get"]["responses"]["200"]["content"]
            ["application/json"]["examples"]["mcp"]["value"];
        assert_eq!(c.check("fetch_device", 200, example), Ok(()));
        let mut bad = spec["paths"]["/api/v1/device/{device_id}"]["get"]["responses"]["200"]["content"]
            ["application/json"]["examples"]["browser"]["value"]
            .clone();
        bad["summary"]["first_seen"]["remote_ip"] = json!("not an ip");
        assert!(c.check("fetch_device", 200, &bad).is_err());
        bad["summary"]["first_seen"]["remote_ip"] = Value::Null;
        assert_eq!(c.check("fetch_device", 200, &bad), Ok(()));
    }
}
