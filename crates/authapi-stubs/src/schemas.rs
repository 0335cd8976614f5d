//! The spec's schemas, compiled once and on demand, for checking parameters and bodies on the
//! way in and answers on the way out.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

/// The schema document of one spec (`$defs` by name) and which schema each documented answer
/// uses. Generated code holds one in a `static`.
pub struct Schemas {
    document: &'static str,
    responses: &'static [(&'static str, &'static str, &'static str)],
    compiled: OnceLock<Compiled>,
}

struct Compiled {
    /// Each `$defs` name, with its validator built the first time it is needed.
    validators: HashMap<String, OnceLock<Result<jsonschema::Validator, String>>>,
    root: Value,
}

impl Schemas {
    /// `document` is a JSON Schema document with the schemas under `$defs`; `responses` lists
    /// (operation id, status key as the spec writes it, `$defs` name).
    pub const fn new(
        document: &'static str,
        responses: &'static [(&'static str, &'static str, &'static str)],
    ) -> Self {
        Self {
            document,
            responses,
            compiled: OnceLock::new(),
        }
    }

    fn compiled(&self) -> &Compiled {
        self.compiled.get_or_init(|| {
            // The document is generated and checked by tests; an unreadable one reads as empty,
            // and every check against it then fails naming the schema.
            let root: Value = serde_json::from_str(self.document).unwrap_or(Value::Null);
            let validators = root
                .get("$defs")
                .and_then(Value::as_object)
                .map(|defs| defs.keys().map(|k| (k.clone(), OnceLock::new())).collect())
                .unwrap_or_default();
            Compiled { validators, root }
        })
    }

    /// The whole schema document, with every schema under `$defs`.
    pub(crate) fn document(&self) -> &Value {
        &self.compiled().root
    }

    /// The `$defs` schema documented for `operation` answering `status`: the exact status, else
    /// its class (`4XX`), else `default`.
    pub fn schema_for(&self, operation: &str, status: u16) -> Option<&'static str> {
        let exact = status.to_string();
        let class = format!("{}XX", status / 100);
        [exact.as_str(), class.as_str(), "default"]
            .iter()
            .find_map(|key| {
                self.responses
                    .iter()
                    .find(|(op, st, _)| *op == operation && st.eq_ignore_ascii_case(key))
            })
            .map(|(_, _, name)| *name)
    }

    /// Ok when `body` matches the schema documented for `operation` answering `status`; an
    /// undocumented status is an error too.
    pub fn check(&self, operation: &str, status: u16, body: &Value) -> Result<(), String> {
        let name = self
            .schema_for(operation, status)
            .ok_or_else(|| format!("{operation}: status {status} is not documented in the spec"))?;
        self.check_schema(name, body)
            .map_err(|e| format!("{operation} {status}: {e}"))
    }

    /// Ok when `body` matches the `$defs` schema `name`.
    pub fn check_schema(&self, name: &str, body: &Value) -> Result<(), String> {
        let errors = self.errors(name, body)?;
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("body does not match {name}: {}", errors.join("; ")))
        }
    }

    /// Each way `value` breaks schema `name`, as `at <JSON pointer>: <rule>`; empty when it
    /// matches.
    pub fn errors(&self, name: &str, value: &Value) -> Result<Vec<String>, String> {
        let compiled = self.compiled();
        let slot = compiled
            .validators
            .get(name)
            .ok_or_else(|| format!("the spec has no schema {name}"))?;
        let validator = slot
            .get_or_init(|| {
                let mut root = compiled.root.clone();
                root["$ref"] = Value::String(format!("#/$defs/{}", pointer_token(name)));
                jsonschema::options()
                    .should_validate_formats(true)
                    .build(&root)
                    .map_err(|e| format!("schema {name} does not compile: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)?;
        Ok(validator
            .iter_errors(value)
            .map(|e| {
                let at = e.instance_path().to_string();
                if at.is_empty() {
                    e.to_string()
                } else {
                    format!("at {at}: {e}")
                }
            })
            .collect())
    }
}

/// `name` as the last step of a `#/$defs/...` reference: a JSON pointer token (RFC 6901), as a
/// URI fragment may hold it. Names made from operation ids (`List Pets.query.page`) may hold
/// spaces, quotes, `%` or any other character.
fn pointer_token(name: &str) -> String {
    fragment(&name.replace('~', "~0").replace('/', "~1"))
}

/// A JSON pointer as a URI fragment: the bytes a fragment may not hold percent-encoded
/// (RFC 3986).
pub(crate) fn fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::SCHEMAS;

    #[test]
    fn error_bodies_are_checked_against_the_error_schema() {
        let good = json!({"status": "error", "code": "not_found", "message": "m"});
        assert_eq!(SCHEMAS.check("fetch_device", 404, &good), Ok(()));
        let bad = json!({"status": "error", "code": "nope", "message": "m"});
        assert!(
            SCHEMAS
                .check("fetch_device", 404, &bad)
                .unwrap_err()
                .contains("at /code")
        );
        assert!(
            SCHEMAS
                .check("fetch_device", 418, &good)
                .unwrap_err()
                .contains("not documented")
        );
    }

    #[test]
    fn an_answer_takes_the_schema_of_its_status_else_its_class_else_default() {
        let schemas = super::Schemas::new(
            "{}",
            &[
                ("op", "200", "Ok"),
                ("op", "4xx", "ClientError"),
                ("op", "404", "Missing"),
                ("op", "default", "Other"),
                ("other", "404", "OtherMissing"),
            ],
        );
        let chosen = |operation, status| schemas.schema_for(operation, status);
        assert_eq!(chosen("op", 200), Some("Ok"));
        assert_eq!(chosen("op", 404), Some("Missing"));
        assert_eq!(chosen("op", 409), Some("ClientError"));
        assert_eq!(chosen("op", 201), Some("Other"));
        assert_eq!(chosen("op", 500), Some("Other"));
        assert_eq!(chosen("other", 404), Some("OtherMissing"));
        assert_eq!(chosen("other", 409), None);
        assert_eq!(chosen("third", 200), None);
    }

    #[test]
    fn errors_name_where_the_value_breaks_its_schema() {
        assert_eq!(SCHEMAS.errors("ErrorCode", &json!("not_found")), Ok(vec![]));
        assert_eq!(
            SCHEMAS.errors(
                "Error",
                &json!({"status": "error", "code": "not_found", "message": 7})
            ),
            Ok(vec![
                r#"at /message: 7 is not of type "string""#.to_string()
            ])
        );
        // At the value's root there is no pointer to name.
        assert_eq!(
            SCHEMAS.errors("ErrorStatus", &json!("ok")),
            Ok(vec![r#""ok" is not one of "error""#.to_string()])
        );
        assert_eq!(
            SCHEMAS.errors("Nothing", &json!({})),
            Err("the spec has no schema Nothing".to_string())
        );
    }

    #[test]
    fn any_name_can_be_checked_against() {
        let names = [
            "List Pets.query.page",
            "a/b~c",
            "100%",
            "say \"hi\"",
            "<x>{y}|z^`\\",
            "köpa#?",
        ];
        let defs: serde_json::Map<String, Value> = names
            .iter()
            .map(|name| (name.to_string(), json!({"type": "integer", "minimum": 1})))
            .collect();
        let document = json!({ "$defs": defs }).to_string();
        let schemas = super::Schemas::new(Box::leak(document.into_boxed_str()), &[]);
        for name in names {
            assert_eq!(schemas.errors(name, &json!(2)), Ok(vec![]), "{name}");
            assert_eq!(
                schemas.errors(name, &json!(0)),
                Ok(vec!["0 is less than the minimum of 1".to_string()]),
                "{name}"
            );
        }
        assert_eq!(super::pointer_token("a b/c~%"), "a%20b~1c~0%25");
        assert_eq!(super::fragment("/$defs/a b/x?"), "/$defs/a%20b/x?");
    }

    #[test]
    fn nullable_references_accept_null_and_formats_are_checked() {
        let spec: Value = serde_json::from_str(crate::SPEC_JSON).unwrap();
        let examples = &spec["paths"]["/api/v1/device/{device_id}"]["get"]["responses"]["200"]["content"]
            ["application/json"]["examples"];
        assert_eq!(
            SCHEMAS.check("fetch_device", 200, &examples["mcp"]["value"]),
            Ok(())
        );
        let mut bad = examples["browser"]["value"].clone();
        bad["summary"]["first_seen"]["remote_ip"] = json!("not an ip");
        assert!(SCHEMAS.check("fetch_device", 200, &bad).is_err());
        bad["summary"]["first_seen"]["remote_ip"] = Value::Null;
        assert_eq!(SCHEMAS.check("fetch_device", 200, &bad), Ok(()));
    }
}
