//! Checks an answer's JSON body against the schema the spec documents for its operation and
//! status, so that drift between data and spec is caught where it starts.

use crate::schemas::Schemas;

/// The checks of this crate's spec.
pub struct Conformance;

impl Conformance {
    /// The schemas of the embedded spec, compiled once per process as they are needed.
    pub fn get() -> &'static Schemas {
        &crate::SCHEMAS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

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
