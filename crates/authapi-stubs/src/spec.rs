//! What the spec documents for each operation's answers (statuses, media types, examples),
//! read from the spec itself the first time a scenario or a challenge needs it, so that the
//! hot path never pays for it and answers follow a spec edit with no hand-written code.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::auth::Scheme;
use crate::schemas::Schemas;

/// One operation as its generated handler describes it to the runtime.
#[derive(Debug)]
pub struct Operation {
    /// The operation id as the spec writes it.
    pub id: &'static str,
    /// Its documented statuses as the spec writes them (`200`, `4XX`, `default`).
    pub statuses: &'static [&'static str],
    /// The security schemes it accepts; empty when it takes no credentials.
    pub schemes: &'static [Scheme],
}

/// A spec as the runtime reads it: its JSON text, its compiled schemas, and an index of its
/// documented answers built on first use.
pub struct Spec {
    json: &'static str,
    schemas: &'static Schemas,
    index: OnceLock<Index>,
}

#[derive(Default)]
struct Index {
    title: String,
    answers: HashMap<String, Vec<Documented>>,
}

/// One documented response of an operation.
#[derive(Debug)]
pub(crate) struct Documented {
    /// The status key as written: `404`, `4XX` or `default`.
    pub key: String,
    /// The first media type of its content (JSON preferred); `None` for a body-less answer.
    pub media: Option<String>,
    /// Its named examples, by name.
    pub examples: Vec<(String, Value)>,
    /// The media type's `example`, or else its schema's.
    pub example: Option<Value>,
}

impl Documented {
    /// The status this response answers with: its own, or the first of its class (`4XX` →
    /// 400), or 200 for `default`.
    pub fn status(&self) -> u16 {
        if let Ok(code) = self.key.parse() {
            return code;
        }
        match self.key.as_bytes() {
            [class @ b'1'..=b'5', b'X' | b'x', b'X' | b'x'] => u16::from(class - b'0') * 100,
            _ => 200,
        }
    }

    /// Whether a `code` falls under this response's key, exactly or by class or as `default`.
    fn covers(&self, code: u16, exact_only: bool) -> bool {
        if exact_only {
            return self.key == code.to_string();
        }
        self.key.eq_ignore_ascii_case(&format!("{}XX", code / 100)) || self.key == "default"
    }
}

impl Spec {
    pub const fn new(json: &'static str, schemas: &'static Schemas) -> Self {
        Self {
            json,
            schemas,
            index: OnceLock::new(),
        }
    }

    pub fn schemas(&self) -> &'static Schemas {
        self.schemas
    }

    fn index(&self) -> &Index {
        // The document is generated and checked by tests; one that does not parse documents
        // nothing, and every scenario then says so.
        self.index.get_or_init(|| {
            serde_json::from_str(self.json).map_or_else(|_| Index::default(), |spec| index(&spec))
        })
    }

    /// The spec's `info.title`: the realm of its authentication challenges.
    pub fn title(&self) -> &str {
        &self.index().title
    }

    /// The responses `operation` documents, by status key.
    pub(crate) fn answers(&self, operation: &str) -> &[Documented] {
        self.index()
            .answers
            .get(operation)
            .map_or(&[], Vec::as_slice)
    }

    /// The response documented for `code`: the exact status, else its class, else `default`.
    pub(crate) fn answer_for(&self, operation: &str, code: u16) -> Option<&Documented> {
        let answers = self.answers(operation);
        answers
            .iter()
            .find(|d| d.covers(code, true))
            .or_else(|| {
                answers
                    .iter()
                    .find(|d| d.covers(code, false) && d.key != "default")
            })
            .or_else(|| answers.iter().find(|d| d.key == "default"))
    }
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn index(spec: &Value) -> Index {
    let mut answers = HashMap::new();
    let paths = spec.get("paths").and_then(Value::as_object);
    for item in paths.into_iter().flat_map(|p| p.values()) {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let documented = op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(key, response)| documented(spec, key, resolve(spec, response)))
                .collect();
            answers.insert(id.to_string(), documented);
        }
    }
    let title = spec
        .pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or("api")
        .to_string();
    Index { title, answers }
}

fn documented(spec: &Value, key: &str, response: &Value) -> Documented {
    let content = response.get("content").and_then(Value::as_object);
    let media = content.and_then(|c| {
        c.iter()
            .find(|(name, _)| is_json(name))
            .or_else(|| c.iter().next())
    });
    let Some((name, media)) = media else {
        return Documented {
            key: key.to_string(),
            media: None,
            examples: Vec::new(),
            example: None,
        };
    };
    let examples = media
        .get("examples")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, example)| {
            let value = resolve(spec, example).get("value")?;
            Some((name.clone(), value.clone()))
        })
        .collect();
    let example = media
        .get("example")
        .or_else(|| resolve(spec, media.get("schema")?).get("example"))
        .cloned();
    Documented {
        key: key.to_string(),
        media: Some(name.clone()),
        examples,
        example,
    }
}

/// A media type without its parameters, in lower case: `application/json` for
/// `Application/JSON; charset=utf-8`.
pub(crate) fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether a media type carries JSON: `application/json`, with parameters, or `*+json`.
pub(crate) fn is_json(media: &str) -> bool {
    let essence = essence(media);
    essence == "application/json" || essence.ends_with("+json")
}

/// The object a local `$ref` points at, followed a bounded number of times; anything else as
/// it is.
fn resolve<'a>(spec: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..16 {
        let Some(target) = value.get("$ref").and_then(Value::as_str) else {
            return value;
        };
        let Some(found) = target.strip_prefix('#').and_then(|p| spec.pointer(p)) else {
            return value;
        };
        value = found;
    }
    value
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn answers_come_with_their_examples_through_references() {
        let spec = json!({
            "info": {"title": "things"},
            "components": {
                "responses": {"Missing": {"description": "gone", "content": {"application/json": {
                    "example": {"code": "not_found"}}}}},
                "examples": {"Big": {"value": {"size": 9}}}
            },
            "paths": {"/things": {"get": {"operationId": "list", "responses": {
                "200": {"description": "ok", "content": {
                    "text/plain": {"example": "hello"},
                    "application/vnd.things+json": {"examples": {
                        "small": {"value": {"size": 1}},
                        "big": {"$ref": "#/components/examples/Big"}}}}},
                "204": {"description": "none"},
                "4XX": {"$ref": "#/components/responses/Missing"}
            }}}}
        });
        let index = index(&spec);
        assert_eq!(index.title, "things");
        let list = &index.answers["list"];
        assert_eq!(
            list[0].media.as_deref(),
            Some("application/vnd.things+json")
        );
        assert_eq!(
            list[0].examples,
            vec![
                ("big".to_string(), json!({"size": 9})),
                ("small".to_string(), json!({"size": 1}))
            ]
        );
        assert_eq!(list[1].media, None);
        assert_eq!(list[2].example, Some(json!({"code": "not_found"})));
        assert_eq!(list[2].status(), 400);
    }

    #[test]
    fn a_class_comes_before_default() {
        let spec = json!({
            "paths": {"/x": {"get": {"operationId": "x", "responses": {
                "4XX": {"description": "client", "content": {"application/json": {"example": "class"}}},
                "default": {"description": "other", "content": {"application/json": {"example": "default"}}}
            }}}}
        });
        let spec = Spec {
            json: "",
            schemas: &crate::SCHEMAS,
            index: OnceLock::from(index(&spec)),
        };
        let example = |code| spec.answer_for("x", code).and_then(|d| d.example.clone());
        assert_eq!(example(418), Some(json!("class")));
        assert_eq!(example(503), Some(json!("default")));
        assert!(spec.answer_for("y", 200).is_none());
    }

    #[test]
    fn json_media_types_are_told_apart() {
        for json in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/problem+json",
        ] {
            assert!(is_json(json), "{json}");
        }
        for other in [
            "text/plain",
            "application/jsonl",
            "application/x-www-form-urlencoded",
            "",
        ] {
            assert!(!is_json(other), "{other}");
        }
    }

    #[test]
    fn statuses_match_exactly_then_by_class_then_default() {
        let at = |key: &str| Documented {
            key: key.into(),
            media: None,
            examples: Vec::new(),
            example: None,
        };
        assert!(at("404").covers(404, true));
        assert!(!at("4XX").covers(404, true));
        assert!(at("4XX").covers(404, false));
        assert!(!at("4XX").covers(500, false));
        assert!(at("default").covers(418, false));
        assert_eq!(at("5XX").status(), 500);
        assert_eq!(at("default").status(), 200);
    }
}
