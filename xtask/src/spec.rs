//! Reads an OpenAPI document and checks what the generator relies on, so that a bad spec
//! fails with its path, a location and the problem instead of a panic deep in codegen.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use openapiv3::OpenAPI;
use serde_json::Value;

/// A spec that parsed and passed the checks below.
pub struct Spec {
    /// The document as the generator's input type.
    pub api: OpenAPI,
    /// The same document as plain JSON, for walking `$ref`s and examples.
    pub json: Value,
    /// The document read from `json`, which is how the generators read it.
    pub json_api: OpenAPI,
    /// The file's text, embedded verbatim in generated code.
    pub text: String,
    /// How messages name the file: as the user named it, or from the current directory.
    pub shown: String,
}

/// What is wrong with a spec, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The spec's path as the user named it.
    pub file: String,
    /// 1-based line and column, when known.
    pub line_col: Option<(usize, usize)>,
    /// JSON pointer into the document, when known.
    pub pointer: Option<String>,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some((line, col)) = self.line_col {
            write!(f, ":{line}:{col}")?;
        }
        if let Some(pointer) = &self.pointer {
            write!(f, ": at #{pointer}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for SpecError {}

impl SpecError {
    /// A problem with the whole file, or one whose place is not known.
    pub fn file(shown: &str, message: impl Into<String>) -> SpecError {
        SpecError {
            file: shown.to_string(),
            line_col: None,
            pointer: None,
            message: message.into(),
        }
    }

    /// A problem with the node at `pointer` of `spec`, placed at its line and column.
    pub fn at(spec: &Spec, pointer: impl Into<String>, message: impl Into<String>) -> SpecError {
        SpecError::in_text(&spec.shown, &spec.text, pointer, message)
    }

    /// Like `at`, for a document not (yet) read into a `Spec`: `text` is the file's text.
    pub fn in_text(
        shown: &str,
        text: &str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> SpecError {
        let pointer = pointer.into();
        SpecError {
            file: shown.to_string(),
            line_col: locate(text, &pointer),
            pointer: Some(pointer),
            message: message.into(),
        }
    }

    /// A problem at a line and column (when known) that no JSON pointer names, such as a
    /// YAML syntax error.
    pub fn at_line_col(
        shown: &str,
        line_col: Option<(usize, usize)>,
        message: impl Into<String>,
    ) -> SpecError {
        SpecError {
            line_col,
            ..SpecError::file(shown, message)
        }
    }
}

/// What a check found wrong: the JSON pointer of the node at fault and the message.
type Problem = (String, String);

/// One of the checks `parse` runs over the document as JSON.
type Check = fn(&Value) -> Result<(), Problem>;

/// Reads and checks the spec at `path`; `shown` is how messages name the file, and the spec
/// keeps it.
pub fn load(path: &Path, shown: &str) -> Result<Spec, SpecError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| SpecError::file(shown, format!("cannot read {}: {e}", path.display())))?;
    parse(shown, text)
}

/// Parses and checks a spec held in memory; `shown` is how messages name it.
pub fn parse(shown: &str, text: String) -> Result<Spec, SpecError> {
    let yaml_error = |e: serde_norway::Error| {
        let message = without_positions(&e.to_string());
        let line_col = e.location().map(|l| (l.line(), l.column()));
        let line_col = line_col.map(|at| duplicate_key(&text, at, &message).unwrap_or(at));
        SpecError::at_line_col(shown, line_col, message)
    };

    // The text is read once, into serde_norway's own value type, which rejects a key given
    // twice in one mapping (the other readers keep one of them, and openapiv3 panics when they
    // disagree) and keeps the document's order. JSON and openapiv3 are read from that value.
    let value = serde_norway::from_str::<serde_norway::Value>(&text).map_err(yaml_error)?;
    // A value JSON cannot hold (a key that is a list, say) is reported where the text holds
    // it, by reading the text again.
    let json = serde_json::to_value(&value)
        .or_else(|_| serde_norway::from_str::<Value>(&text).map_err(yaml_error))?;

    let problem =
        |pointer: String, message: String| SpecError::in_text(shown, &text, pointer, message);

    // A newer document may not even read as 3.0; its version is the first thing to tell.
    if let Some(version) = json.get("openapi").and_then(Value::as_str)
        && !version.starts_with("3.0.")
    {
        return Err(problem(
            "/openapi".into(),
            format!("version {version:?} is not supported; the generator reads OpenAPI 3.0.x"),
        ));
    }
    // Three readings of the document, each a while on a large spec, run side by side; their
    // failures are reported in the order below. openapiv3 reads quietly, since a document that
    // panics it is one that the JSON reading or the checks report.
    let (api, json_api, checked) = std::thread::scope(|scope| {
        let api = scope.spawn(|| {
            crate::quiet::quietly(|| <OpenAPI as serde::Deserialize>::deserialize(&value))
        });
        let json_api = scope.spawn(|| <OpenAPI as serde::Deserialize>::deserialize(&json));
        // The checks read any JSON; one that trips over a document openapiv3 rejects is not
        // reported, as the rejection is.
        let checked = crate::quiet::quietly(|| check(&json));
        (
            api.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            json_api
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            checked,
        )
    });
    // The generators read the document as JSON, so it must read as OpenAPI from JSON; `api` is
    // read from the YAML value so that its maps keep the document's order. The two may differ:
    // YAML reads `version: 1.0` into a string, JSON does not.
    let json_api = match json_api {
        Ok(api) => api,
        Err(e) => {
            let (pointer, message) = unreadable(Node::Document, &json, &mut String::new())
                .unwrap_or_else(|| (String::new(), e.to_string()));
            return Err(problem(pointer, message));
        }
    };
    // Read from the text again, a value openapiv3 did not take is reported where it is.
    let api: OpenAPI = match api {
        Some(Ok(api)) => api,
        _ => serde_norway::from_str(&text).map_err(yaml_error)?,
    };
    checked
        .unwrap_or_else(|| check(&json))
        .map_err(|(p, m)| problem(p, m))?;
    check_operations(&api).map_err(|(p, m)| problem(p, m))?;
    Ok(Spec {
        api,
        json,
        json_api,
        text,
        shown: shown.to_string(),
    })
}

/// The checks of the document as JSON, in order: later checks rely on the references that
/// earlier ones accepted.
fn check(json: &Value) -> Result<(), Problem> {
    let checks: [Check; 5] = [
        |json| check_refs(json, json, &mut String::new()),
        check_ref_kinds,
        check_ref_chains,
        check_schema_names,
        check_schemas,
    ];
    checks.iter().try_for_each(|check| check(json))
}

/// What an object of the document is, by where it sits: that decides which openapiv3 type
/// reads it, which objects lie below it, and where a `$ref` in its place may point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Node {
    Document,
    Info,
    Server,
    Tag,
    ExternalDocs,
    SecurityRequirement,
    Paths,
    PathItem,
    Operation,
    Responses,
    Callback,
    Components,
    Parameter,
    Header,
    RequestBody,
    Response,
    MediaType,
    Encoding,
    Schema,
    Example,
    Link,
    SecurityScheme,
}

impl Node {
    /// How messages name it.
    fn name(self) -> &'static str {
        match self {
            Node::Document => "OpenAPI document",
            Node::Info => "info object",
            Node::Server => "server",
            Node::Tag => "tag",
            Node::ExternalDocs => "external documentation object",
            Node::SecurityRequirement => "security requirement",
            Node::Paths => "paths object",
            Node::PathItem => "path item",
            Node::Operation => "operation",
            Node::Responses => "responses object",
            Node::Callback => "callback",
            Node::Components => "components object",
            Node::Parameter => "parameter",
            Node::Header => "header",
            Node::RequestBody => "request body",
            Node::Response => "response",
            Node::MediaType => "media type object",
            Node::Encoding => "encoding object",
            Node::Schema => "schema",
            Node::Example => "example",
            Node::Link => "link",
            Node::SecurityScheme => "security scheme",
        }
    }

    /// The components section that a `$ref` standing for this node must point into; the
    /// generators look a reference up by its last segment in that section alone.
    fn section(self) -> Option<&'static str> {
        Some(match self {
            Node::Schema => "schemas",
            Node::Response => "responses",
            Node::Parameter => "parameters",
            Node::Example => "examples",
            Node::RequestBody => "requestBodies",
            Node::Header => "headers",
            Node::SecurityScheme => "securitySchemes",
            Node::Link => "links",
            Node::Callback => "callbacks",
            _ => return None,
        })
    }

    /// Reads `value` as this node's openapiv3 type.
    fn read(self, value: &Value) -> Result<(), String> {
        use openapiv3 as o;
        macro_rules! read {
            ($ty:ty) => {
                serde_json::from_value::<$ty>(value.clone())
                    .map(drop)
                    .map_err(|e| e.to_string())
            };
        }
        match self {
            Node::Document => read!(OpenAPI),
            Node::Info => read!(o::Info),
            Node::Server => read!(o::Server),
            Node::Tag => read!(o::Tag),
            Node::ExternalDocs => read!(o::ExternalDocumentation),
            Node::SecurityRequirement => read!(o::SecurityRequirement),
            Node::Paths => read!(o::Paths),
            Node::PathItem => read!(o::ReferenceOr<o::PathItem>),
            Node::Operation => read!(o::Operation),
            Node::Responses => read!(o::Responses),
            Node::Callback => read!(o::ReferenceOr<o::Callback>),
            Node::Components => read!(o::Components),
            Node::Parameter => read!(o::ReferenceOr<o::Parameter>),
            Node::Header => read!(o::ReferenceOr<o::Header>),
            Node::RequestBody => read!(o::ReferenceOr<o::RequestBody>),
            Node::Response => read!(o::ReferenceOr<o::Response>),
            Node::MediaType => read!(o::MediaType),
            Node::Encoding => read!(o::Encoding),
            Node::Schema => read!(o::ReferenceOr<o::Schema>),
            Node::Example => read!(o::ReferenceOr<o::Example>),
            Node::Link => read!(o::ReferenceOr<o::Link>),
            Node::SecurityScheme => read!(o::ReferenceOr<o::SecurityScheme>),
        }
    }

    /// The objects directly below `value`: (path segments from `value`, what each is).
    fn children(self, value: &Value) -> Vec<(Vec<String>, Node)> {
        let mut out = Vec::new();
        if value.get("$ref").is_some() {
            // A reference stands for its target, which is visited where it is defined.
            return out;
        }
        let mut one = |key: &str, node: Node| {
            if present(value, key).is_some() {
                out.push((vec![key.to_string()], node));
            }
        };
        match self {
            Node::Document => {
                one("info", Node::Info);
                one("paths", Node::Paths);
                one("components", Node::Components);
                one("externalDocs", Node::ExternalDocs);
            }
            Node::Operation => {
                one("requestBody", Node::RequestBody);
                one("responses", Node::Responses);
                one("externalDocs", Node::ExternalDocs);
            }
            Node::Parameter | Node::Header | Node::MediaType => one("schema", Node::Schema),
            Node::PathItem => {
                for method in METHODS {
                    one(method, Node::Operation);
                }
            }
            Node::Responses => {
                if let Value::Object(map) = value {
                    // openapiv3 skips keys that are neither `default` nor a status code.
                    for key in map.keys().filter(|k| *k == "default" || is_status(k)) {
                        one(key, Node::Response);
                    }
                }
            }
            Node::Schema => {
                one("items", Node::Schema);
                one("not", Node::Schema);
                if value
                    .get("additionalProperties")
                    .is_some_and(Value::is_object)
                {
                    one("additionalProperties", Node::Schema);
                }
            }
            _ => {}
        }
        let mut each = |key: Option<&str>, node: Node| {
            let holder = match key {
                Some(key) => value.get(key),
                None => Some(value),
            };
            let names: Vec<String> = match holder {
                Some(Value::Object(map)) => map.keys().cloned().collect(),
                Some(Value::Array(items)) => (0..items.len()).map(|i| i.to_string()).collect(),
                _ => Vec::new(),
            };
            for name in names {
                out.push((
                    key.map(String::from).into_iter().chain([name]).collect(),
                    node,
                ));
            }
        };
        match self {
            Node::Document => {
                each(Some("servers"), Node::Server);
                each(Some("security"), Node::SecurityRequirement);
                each(Some("tags"), Node::Tag);
            }
            Node::Paths => each(None, Node::PathItem),
            Node::PathItem => {
                each(Some("parameters"), Node::Parameter);
                each(Some("servers"), Node::Server);
            }
            Node::Operation => {
                each(Some("parameters"), Node::Parameter);
                each(Some("callbacks"), Node::Callback);
                each(Some("servers"), Node::Server);
                each(Some("security"), Node::SecurityRequirement);
            }
            Node::Callback => each(None, Node::PathItem),
            Node::Components => {
                each(Some("schemas"), Node::Schema);
                each(Some("responses"), Node::Response);
                each(Some("parameters"), Node::Parameter);
                each(Some("examples"), Node::Example);
                each(Some("requestBodies"), Node::RequestBody);
                each(Some("headers"), Node::Header);
                each(Some("securitySchemes"), Node::SecurityScheme);
                each(Some("links"), Node::Link);
                each(Some("callbacks"), Node::Callback);
            }
            Node::Parameter | Node::Header => {
                each(Some("content"), Node::MediaType);
                each(Some("examples"), Node::Example);
            }
            Node::RequestBody => each(Some("content"), Node::MediaType),
            Node::Response => {
                each(Some("headers"), Node::Header);
                each(Some("content"), Node::MediaType);
                each(Some("links"), Node::Link);
            }
            Node::MediaType => {
                each(Some("examples"), Node::Example);
                each(Some("encoding"), Node::Encoding);
            }
            Node::Encoding => each(Some("headers"), Node::Header),
            Node::Schema => {
                each(Some("properties"), Node::Schema);
                each(Some("allOf"), Node::Schema);
                each(Some("anyOf"), Node::Schema);
                each(Some("oneOf"), Node::Schema);
            }
            _ => {}
        }
        out
    }
}

/// `noun` with its indefinite article.
fn a(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u', 'O']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

/// The operations of a path item, as `PathItem::iter` names them.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Whether openapiv3 reads `key` of a responses object as a status code.
fn is_status(key: &str) -> bool {
    serde_json::from_value::<openapiv3::StatusCode>(Value::String(key.to_string())).is_ok()
}

/// A field of an object, unless absent or `null`, which openapiv3 reads as absent.
fn present<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    value.get(key).filter(|v| !v.is_null())
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The value at `segments` below `value`, adding them to `pointer`.
fn descend<'a>(value: &'a Value, segments: &[String], pointer: &mut String) -> Option<&'a Value> {
    segments.iter().try_fold(value, |below, segment| {
        pointer.push('/');
        pointer.push_str(&escape(segment));
        match below {
            Value::Object(map) => map.get(segment),
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?),
            _ => None,
        }
    })
}

/// The deepest object at or below `value` that its openapiv3 type cannot read, and why: the
/// pointer and message of a spec that does not read as OpenAPI 3.0.
fn unreadable(node: Node, value: &Value, pointer: &mut String) -> Option<Problem> {
    let reason = node.read(value).err()?;
    for (segments, child) in node.children(value) {
        let len = pointer.len();
        if let Some(deeper) =
            descend(value, &segments, pointer).and_then(|below| unreadable(child, below, pointer))
        {
            return Some(deeper);
        }
        pointer.truncate(len);
    }
    Some((
        pointer.clone(),
        format!("not {}: {reason}", a(&format!("valid {}", node.name()))),
    ))
}

/// Visits `value`, a `node`, and every object below it, depth first, with its pointer.
fn walk<'a>(
    node: Node,
    value: &'a Value,
    pointer: &mut String,
    visit: &mut impl FnMut(Node, &'a Value, &str) -> Result<(), Problem>,
) -> Result<(), Problem> {
    visit(node, value, pointer)?;
    for (segments, child) in node.children(value) {
        let len = pointer.len();
        if let Some(below) = descend(value, &segments, pointer) {
            walk(child, below, pointer, visit)?;
        }
        pointer.truncate(len);
    }
    Ok(())
}

/// Every `$ref` must be local and point at something that exists.
fn check_refs(root: &Value, value: &Value, pointer: &mut String) -> Result<(), Problem> {
    match value {
        Value::Object(map) => {
            if let Some(target) = map.get("$ref") {
                let target = target.as_str().unwrap_or_default();
                let resolved = target.strip_prefix('#').and_then(|p| root.pointer(p));
                if resolved.is_none() {
                    return Err((
                        format!("{pointer}/$ref"),
                        format!(
                            "reference {target:?} does not resolve to anything in this document"
                        ),
                    ));
                }
            }
            for (key, child) in map {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                check_refs(root, child, pointer)?;
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                check_refs(root, child, pointer)?;
                pointer.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

/// A `$ref` must stand for an object that may be referenced, and point at an entry of the
/// components section of that kind: the generators look it up by its last segment there.
fn check_ref_kinds(json: &Value) -> Result<(), Problem> {
    walk(
        Node::Document,
        json,
        &mut String::new(),
        &mut |node, value, pointer| {
            let Some(target) = value.get("$ref") else {
                return Ok(());
            };
            let at = format!("{pointer}/$ref");
            let Some(section) = node.section() else {
                return Err((
                    at,
                    format!(
                        "a $ref in place of {} is not supported by the generator",
                        a(node.name())
                    ),
                ));
            };
            let target = target.as_str().unwrap_or_default();
            let prefix = format!("#/components/{section}/");
            let Some(name) = target.strip_prefix(&prefix) else {
                return Err((
                    at,
                    format!(
                        "reference {target:?} stands for {} and must point into {prefix}",
                        a(node.name())
                    ),
                ));
            };
            if name.contains(['/', '~']) {
                return Err((
                    at,
                    format!(
                        "reference {target:?} is not supported by the generator: it must name an entry of {prefix} itself, and the name must not hold '/' or '~'"
                    ),
                ));
            }
            Ok(())
        },
    )
}

/// A component that is only a `$ref` must lead, through other such components, to one that
/// is not: the generators follow such chains without end.
fn check_ref_chains(json: &Value) -> Result<(), Problem> {
    let Some(Value::Object(components)) = json.get("components") else {
        return Ok(());
    };
    for (section, entries) in components {
        let Value::Object(entries) = entries else {
            continue;
        };
        let prefix = format!("#/components/{section}/");
        let target = |name: &str| {
            entries
                .get(name)?
                .get("$ref")?
                .as_str()?
                .strip_prefix(&prefix)
                .map(String::from)
        };
        for start in entries.keys() {
            let mut chain = vec![start.clone()];
            while let Some(next) = target(chain.last().map(String::as_str).unwrap_or_default()) {
                if chain.contains(&next) {
                    chain.push(next);
                    return Err((
                        format!("/components/{}/{}/$ref", escape(section), escape(start)),
                        format!(
                            "the references {} go round in a loop and never reach a definition",
                            chain.join(" → ")
                        ),
                    ));
                }
                chain.push(next);
            }
        }
    }
    Ok(())
}

/// Operations need unique ids (they name the generated methods) and inline path items.
fn check_operations(api: &OpenAPI) -> Result<(), Problem> {
    let mut seen = BTreeSet::new();
    for (path, item) in &api.paths.paths {
        let escaped = path.replace('~', "~0").replace('/', "~1");
        let Some(item) = item.as_item() else {
            return Err((
                format!("/paths/{escaped}"),
                "a path item given as $ref is not supported".into(),
            ));
        };
        for (method, op) in item.iter() {
            let pointer = format!("/paths/{escaped}/{method}");
            match &op.operation_id {
                None => return Err((pointer, "the operation has no operationId".into())),
                Some(id) if !seen.insert(id.clone()) => {
                    return Err((
                        format!("{pointer}/operationId"),
                        format!("operationId {id:?} is used twice"),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// Rust keywords, which no generated name may be.
const KEYWORDS: &[&str] = &[
    "_", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "Self", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Follows `$ref`s into `/components/<section>` from `value`, returning the definition and its pointer.
fn resolve<'a>(
    json: &'a Value,
    section: &str,
    mut value: &'a Value,
    mut pointer: String,
) -> (&'a Value, String) {
    let prefix = format!("#/components/{section}/");
    let entries = json
        .pointer(&format!("/components/{section}"))
        .and_then(Value::as_object)
        .map_or(0, serde_json::Map::len);
    for _ in 0..=entries {
        let Some(name) = value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix(&prefix))
        else {
            break;
        };
        let next = format!("/components/{section}/{name}");
        match json.pointer(&next) {
            Some(target) => (value, pointer) = (target, next),
            None => break,
        }
    }
    (value, pointer)
}

/// Each named schema becomes a Rust type named after it in UpperCamelCase; the names must
/// be usable as they are and not collide.
fn check_schema_names(json: &Value) -> Result<(), Problem> {
    use heck::ToUpperCamelCase;
    let Some(schemas) = json
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(());
    };
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for name in schemas.keys() {
        let at = format!("/components/schemas/{}", escape(name));
        let rust = name.to_upper_camel_case();
        let usable = rust.chars().next().is_some_and(char::is_alphabetic)
            && !name.contains('\'')
            && !KEYWORDS.contains(&rust.as_str());
        if !usable {
            return Err((
                at,
                format!(
                    "schema name {name:?} is not supported by the generator: it names a Rust type, so it must start with a letter and not be a Rust keyword"
                ),
            ));
        }
        if let Some(other) = seen.insert(rust.clone(), name) {
            return Err((
                at,
                format!(
                    "schema name {name:?} becomes the Rust type {rust}, as does schema {other:?}; rename one of them"
                ),
            ));
        }
    }
    Ok(())
}

/// The types a schema may name, and how messages call a value of each.
const TYPES: [(&str, &str); 6] = [
    ("string", "a string"),
    ("number", "a number"),
    ("integer", "an integer"),
    ("boolean", "a boolean"),
    ("array", "an array"),
    ("object", "an object"),
];

/// Whether `value` is of the schema type `ty`; `null` is when the schema is nullable.
fn has_type(value: &Value, ty: &str, nullable: bool) -> bool {
    match value {
        Value::Null => nullable,
        Value::String(_) => ty == "string",
        Value::Number(n) => ty == "number" || (ty == "integer" && (n.is_i64() || n.is_u64())),
        Value::Bool(_) => ty == "boolean",
        Value::Array(_) => ty == "array",
        Value::Object(_) => ty == "object",
    }
}

/// Schemas as typify reads them: a known type, enum values and defaults of that type, no
/// value listed twice in an enum, and no empty list of subschemas.
fn check_schemas(json: &Value) -> Result<(), Problem> {
    walk(
        Node::Document,
        json,
        &mut String::new(),
        &mut |node, schema, pointer| {
            if node != Node::Schema || schema.get("$ref").is_some() {
                return Ok(());
            }
            for key in ["allOf", "anyOf", "oneOf"] {
                if schema
                    .get(key)
                    .and_then(Value::as_array)
                    .is_some_and(Vec::is_empty)
                {
                    return Err((
                        format!("{pointer}/{key}"),
                        format!("an empty {key} is not supported by the generator"),
                    ));
                }
            }
            if present(schema, "anyOf").is_some() && present(schema, "oneOf").is_some() {
                return Err((
                    format!("{pointer}/oneOf"),
                    "a schema with both anyOf and oneOf is not supported by the generator".into(),
                ));
            }
            let ty = schema.get("type").and_then(Value::as_str);
            if let Some(ty) = ty
                && !TYPES.iter().any(|(name, _)| *name == ty)
            {
                let known: Vec<&str> = TYPES.iter().map(|(name, _)| *name).collect();
                return Err((
                    format!("{pointer}/type"),
                    format!(
                        "type {ty:?} is not an OpenAPI 3.0 type; use one of {}",
                        known.join(", ")
                    ),
                ));
            }
            check_all_of(json, schema, pointer)?;
            if let Some(values) = schema.get("enum").and_then(Value::as_array) {
                check_enum(schema, values, &format!("{pointer}/enum"))?;
            }
            if let Some(value) = present(schema, "default") {
                check_default(schema, value, &format!("{pointer}/default"))?;
            }
            if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
                check_pattern(pattern).map_err(|why| {
                    (
                        format!("{pointer}/pattern"),
                        format!("pattern {pattern:?} is not a valid regular expression: {why}"),
                    )
                })?;
            }
            if let Some(not) = present(schema, "not") {
                check_not(not, &format!("{pointer}/not"))?;
            }
            Ok(())
        },
    )
}

/// How messages call a value of the schema type `ty`.
fn a_value(ty: &str) -> &'static str {
    TYPES
        .iter()
        .find(|(name, _)| *name == ty)
        .map_or("a value", |(_, a)| a)
}

/// The values of an enum: of the schema's type (or of one type, when it has none), each once,
/// and as strings, each making its own Rust variant name.
fn check_enum(schema: &Value, values: &[Value], pointer: &str) -> Result<(), Problem> {
    let nullable = schema.get("nullable") == Some(&Value::Bool(true));
    let ty = schema.get("type").and_then(Value::as_str);
    let mut first_type: Option<(&str, &Value)> = None;
    for (i, value) in values.iter().enumerate() {
        let at = format!("{pointer}/{i}");
        if values[..i].contains(value) {
            return Err((at, format!("enum value {value} is listed twice")));
        }
        match ty {
            Some(ty) if !has_type(value, ty, nullable) => {
                return Err((
                    at,
                    format!(
                        "enum value {value} is not {}, as the schema's type says",
                        a_value(ty)
                    ),
                ));
            }
            Some(_) => {}
            None if value.is_null() => {}
            None => {
                let this = json_type(value);
                match first_type {
                    None => first_type = Some((this, value)),
                    Some((first, other)) if first != this => {
                        return Err((
                            at,
                            format!(
                                "enum value {value} is {} but {other} is {}; an enum without a type must hold values of one type for the generator",
                                a_value(this),
                                a_value(first)
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
    }
    let strings: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
    if let Some((a, b)) = colliding_variants(&strings) {
        return Err((
            pointer.to_string(),
            format!(
                "enum values {a:?} and {b:?} make the same Rust variant name, which the generator does not support"
            ),
        ));
    }
    Ok(())
}

/// The JSON type of a value, as a schema type.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A default must be of the schema's type and, when the schema lists values, one of them. It
/// is never `null`, which reads as no default.
fn check_default(schema: &Value, value: &Value, pointer: &str) -> Result<(), Problem> {
    if let Some(ty) = schema.get("type").and_then(Value::as_str)
        && !has_type(value, ty, false)
    {
        return Err((
            pointer.to_string(),
            format!(
                "default {value} is not {}, as the schema's type says",
                a_value(ty)
            ),
        ));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        return Err((
            pointer.to_string(),
            format!("default {value} is not one of the schema's enum values"),
        ));
    }
    Ok(())
}

/// The types of a schema and of its allOf parts must agree: typify merges them into one type,
/// and values listed for the merged type must fit all of them.
fn check_all_of(json: &Value, schema: &Value, pointer: &str) -> Result<(), Problem> {
    let Some(parts) = schema.get("allOf").and_then(Value::as_array) else {
        return Ok(());
    };
    let mut seen = schema.get("type").and_then(Value::as_str);
    for (i, part) in parts.iter().enumerate() {
        let (part, _) = resolve(json, "schemas", part, String::new());
        let Some(ty) = part.get("type").and_then(Value::as_str) else {
            continue;
        };
        let numeric = |t: &str| t == "integer" || t == "number";
        match seen {
            None => seen = Some(ty),
            Some(other) if other == ty || (numeric(other) && numeric(ty)) => {}
            Some(other) => {
                return Err((
                    format!("{pointer}/allOf/{i}"),
                    format!(
                        "this allOf part is of type {ty} but the schema is of type {other}; no value is both, and the generator cannot make a type of it"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// typify makes a type of `not` only from a list of excluded values (`not: {enum: [...]}`,
/// with or without a type) or from a schema without constraints.
fn check_not(not: &Value, pointer: &str) -> Result<(), Problem> {
    const METADATA: [&str; 5] = [
        "description",
        "title",
        "example",
        "externalDocs",
        "deprecated",
    ];
    let unsupported = |what: String| {
        Err((
            pointer.to_string(),
            format!(
                "{what} is not supported by the generator, which supports not: {{enum: [...]}} only"
            ),
        ))
    };
    let Value::Object(map) = not else {
        return Ok(());
    };
    let constraint = map.keys().find(|k| {
        !METADATA.contains(&k.as_str()) && !k.starts_with("x-") && *k != "enum" && *k != "type"
    });
    if let Some(key) = constraint {
        return unsupported(format!("a not schema with {key:?}"));
    }
    let Some(values) = map.get("enum").and_then(Value::as_array) else {
        return match map.get("type") {
            Some(_) => unsupported("a not schema with a type but no enum".into()),
            None => Ok(()),
        };
    };
    if map.get("type").is_none() {
        let types: BTreeSet<&str> = values.iter().map(json_type).collect();
        if types.len() > 1
            || types
                .iter()
                .any(|t| ["null", "array", "object"].contains(t))
        {
            return unsupported(format!(
                "a not schema with an enum of {} values and no type",
                types.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    Ok(())
}

/// typify's name for a Rust type or enum variant made from `input` (its `sanitize`, PascalCase).
fn typify_pascal(input: &str) -> String {
    use heck::ToPascalCase;
    let is_continue = |c: char| c.is_alphanumeric() || c == '_';
    let out = match input {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => input
            .replace('\'', "")
            .replace(|c: char| !is_continue(c), "-")
            .to_pascal_case(),
    };
    let out = match out.chars().next() {
        None => "X".to_string(),
        Some(c) if c.is_alphabetic() => out,
        Some(_) => format!("X{out}"),
    };
    if KEYWORDS.contains(&out.as_str()) {
        format!("{out}_")
    } else {
        out
    }
}

/// Two string enum values that typify would give the same variant name, after its second try
/// (which spells elided characters as `X`); typify stops there.
fn colliding_variants<'a>(values: &[&'a str]) -> Option<(&'a str, &'a str)> {
    let duplicate = |names: &[String]| {
        (0..names.len()).find_map(|j| (0..j).find(|&i| names[i] == names[j]).map(|i| (i, j)))
    };
    let first: Vec<String> = values.iter().map(|v| typify_pascal(v)).collect();
    duplicate(&first)?;
    let second: Vec<String> = values
        .iter()
        .map(|v| typify_pascal(&v.replace(|c: char| c == '_' || !(c.is_alphanumeric()), "X")))
        .collect();
    duplicate(&second).map(|(i, j)| (values[i], values[j]))
}

/// Catches the mistakes that make a pattern fail to compile as an ECMAScript regular
/// expression (typify compiles each one): unbalanced groups and classes, unknown group syntax,
/// a quantifier with nothing to repeat, a trailing backslash.
fn check_pattern(pattern: &str) -> Result<(), String> {
    let mut chars = pattern.chars().peekable();
    let mut depth = 0usize;
    // Whether the next quantifier has an atom before it.
    let mut atom = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next().ok_or("it ends with a lone backslash")?;
                atom = true;
            }
            '[' => {
                loop {
                    match chars.next() {
                        None => return Err("a '[' is never closed".into()),
                        Some('\\') => {
                            chars.next();
                        }
                        Some(']') => break,
                        Some(_) => {}
                    }
                }
                atom = true;
            }
            '(' => {
                depth += 1;
                atom = false;
                if chars.peek() == Some(&'?') {
                    chars.next();
                    match chars.next() {
                        Some(':' | '=' | '!') => {}
                        Some('<') => match chars.peek() {
                            Some('=' | '!') => {
                                chars.next();
                            }
                            _ => {
                                let name: String =
                                    chars.by_ref().take_while(|c| *c != '>').collect();
                                let valid = name
                                    .chars()
                                    .next()
                                    .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
                                    && name
                                        .chars()
                                        .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
                                if !valid {
                                    return Err(format!("group name {name:?} is not valid"));
                                }
                            }
                        },
                        _ => return Err("a '(?' does not start a known kind of group".into()),
                    }
                }
            }
            ')' => {
                depth = depth.checked_sub(1).ok_or("a ')' has no '(' before it")?;
                atom = true;
            }
            '|' | '^' => atom = false,
            '*' | '+' | '?' => {
                if !atom {
                    return Err(format!("'{c}' has nothing to repeat"));
                }
                // A lazy quantifier (`*?`) is one quantifier.
                if chars.peek() == Some(&'?') {
                    chars.next();
                }
                atom = false;
            }
            _ => atom = true,
        }
    }
    if depth > 0 {
        return Err("a '(' is never closed".into());
    }
    Ok(())
}

/// The JSON pointer of the first place in `value` that equals `needle`, depth first.
pub fn find_pointer(value: &Value, needle: &Value) -> Option<String> {
    if value == needle {
        return Some(String::new());
    }
    let children: Box<dyn Iterator<Item = (String, &Value)>> = match value {
        Value::Object(map) => Box::new(
            map.iter()
                .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v)),
        ),
        Value::Array(items) => Box::new(items.iter().enumerate().map(|(i, v)| (i.to_string(), v))),
        _ => return None,
    };
    for (key, child) in children {
        if let Some(rest) = find_pointer(child, needle) {
            return Some(format!("/{key}{rest}"));
        }
    }
    None
}

/// Drops serde_norway's " at line L column C" phrases: the location already leads the message.
fn without_positions(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(start) = rest.find(" at line ") {
        out.push_str(&rest[..start]);
        let tail = &rest[start + " at line ".len()..];
        let skip = tail
            .find(" column ")
            .map(|c| c + " column ".len())
            .map(|c| {
                c + tail[c..]
                    .find(|ch: char| !ch.is_ascii_digit())
                    .unwrap_or(tail.len() - c)
            })
            .unwrap_or(0);
        rest = &tail[skip..];
    }
    out.push_str(rest);
    out
}

/// Where a key given twice is given the second time. serde_norway names the key in `message`
/// and places the error at `mapping`, the start of the mapping that holds it.
fn duplicate_key(text: &str, mapping: (usize, usize), message: &str) -> Option<(usize, usize)> {
    let quoted = &message[message.find("duplicate entry with key ")? + 25..];
    let key: String = serde_json::from_str(quoted).ok()?;
    let indent = mapping.1.checked_sub(1)?;
    let spellings = [
        format!("{key}:"),
        format!("'{key}':"),
        format!("\"{key}\":"),
    ];
    text.lines()
        .enumerate()
        .skip(mapping.0.checked_sub(1)?)
        .filter_map(|(i, line)| {
            let body = line.trim_start().trim_start_matches("- ");
            let empty = body.is_empty() || body.starts_with('#');
            (!empty).then_some((i, line.len() - body.len(), body))
        })
        .take_while(|(_, at, _)| *at >= indent)
        .filter(|(_, at, body)| {
            *at == indent && spellings.iter().any(|k| body.starts_with(k.as_str()))
        })
        .nth(1)
        .map(|(i, _, _)| (i + 1, mapping.1))
}

/// Best-effort line and column of a JSON pointer in a YAML document: follows keys and list
/// items down by indentation. Where it cannot follow the layout further (a flow-style `{...}`
/// or `[...]`, a key it does not recognize), it gives the deepest place it reached, which holds
/// the node; None only for a document without content.
pub fn locate(text: &str, pointer: &str) -> Option<(usize, usize)> {
    /// A line that holds something: the indent of its content (list dashes count as indent),
    /// the content, and the column of its first dash when it starts a list item.
    struct Line<'a> {
        indent: usize,
        body: &'a str,
        dash: Option<usize>,
    }
    let lines: Vec<Option<Line>> = text
        .lines()
        .map(|line| {
            let body = line.trim_start();
            if body.is_empty() || body.starts_with('#') || body == "---" {
                return None;
            }
            let item = body.trim_start_matches("- ");
            let dash = (item.len() != body.len()).then_some(line.len() - body.len());
            Some(Line {
                indent: line.len() - item.len(),
                body: item,
                dash,
            })
        })
        .collect();
    // The whole document starts at its first line that holds anything.
    let mut found = lines
        .iter()
        .position(Option::is_some)
        .map(|line| (line + 1, 1));
    let mut from = 0;
    // The indent that the current node's content must exceed, and, inside a list item, the
    // column of its dash: the next dash there starts the next item.
    let mut parent: Option<usize> = None;
    let mut item_dash: Option<usize> = None;
    for segment in pointer.split('/').skip(1) {
        let key = segment.replace("~1", "/").replace("~0", "~");
        let block: Vec<(usize, &Line)> = lines[from..]
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.as_ref().map(|l| (from + i, l)))
            .enumerate()
            .take_while(|(n, (_, l))| {
                parent.is_none_or(|p| l.indent > p)
                    && (*n == 0 || item_dash.is_none_or(|d| l.dash != Some(d)))
            })
            .map(|(_, line)| line)
            .collect();
        let first_dash = block.first().and_then(|(_, l)| l.dash);
        let hit = match (segment.parse::<usize>(), first_dash) {
            (Ok(index), Some(dash)) => block
                .iter()
                .filter(|(_, l)| l.dash == Some(dash))
                .nth(index)
                .map(|&(line, _)| (line, dash, Some(dash))),
            _ => {
                let level = block.first().map(|(_, l)| l.indent);
                let spellings = [
                    format!("{key}:"),
                    format!("'{key}':"),
                    format!("\"{key}\":"),
                ];
                block
                    .iter()
                    .find(|(_, l)| {
                        Some(l.indent) == level
                            && spellings.iter().any(|k| l.body.starts_with(k.as_str()))
                    })
                    .map(|&(line, l)| (line, l.indent, None))
            }
        };
        let Some((line, column, dash)) = hit else {
            break;
        };
        found = Some((line + 1, column + 1));
        // A list item's first key shares its line; a key's content starts on the next line.
        from = if dash.is_some() { line } else { line + 1 };
        parent = Some(column);
        item_dash = dash;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_follows_nested_keys() {
        let text = "a:\n  b:\n    c: 1\n  c: 2\nc: 3\n";
        assert_eq!(locate(text, "/a/b/c"), Some((3, 5)));
        assert_eq!(locate(text, "/a/c"), Some((4, 3)));
        assert_eq!(locate(text, "/c"), Some((5, 1)));
        // A key it cannot find: the deepest place it reached.
        assert_eq!(locate(text, "/a/x"), Some((1, 1)));
        // Nor in a sibling's block.
        let text = "a:\n  b:\n    c: 1\n  d:\n    e: 2\n";
        assert_eq!(locate(text, "/a/b/e"), Some((2, 3)));
        assert_eq!(locate(text, "/a/d/e"), Some((5, 5)));
    }

    #[test]
    fn locate_skips_comments_and_the_document_marker() {
        let text = "---\na:\n# at the margin\n  b: 1\n";
        assert_eq!(locate(text, ""), Some((2, 1)));
        assert_eq!(locate(text, "/a/b"), Some((4, 3)));
    }

    #[test]
    fn positions_are_dropped_from_messages() {
        for (message, without) in [
            ("x at line 3 column 14: bad", "x: bad"),
            ("not allowed at line 2 column 5", "not allowed"),
            ("a at line 1 column 2, b at line 3 column 4", "a, b"),
            ("no position here", "no position here"),
        ] {
            assert_eq!(without_positions(message), without, "{message}");
        }
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let err = parse("spec.yaml", "openapi: 3.0.3\ninfo: [\n".into())
            .err()
            .unwrap();
        assert_eq!(err.file, "spec.yaml");
        assert_eq!(err.line_col.map(|l| l.0), Some(3));
        assert!(!err.message.contains(" at line "), "{}", err.message);
    }

    #[test]
    fn locate_follows_list_items_and_stops_at_flow_style() {
        let text = "\
list:
- name: a
  in: path
- name: b
  in: query
flow:
- {name: c}
";
        assert_eq!(locate(text, "/list/1"), Some((4, 1)));
        assert_eq!(locate(text, "/list/1/in"), Some((5, 3)));
        assert_eq!(locate(text, "/list/0/in"), Some((3, 3)));
        // Inside `{...}` it cannot follow the keys: the item holds the node.
        assert_eq!(locate(text, "/flow/0/name"), Some((7, 1)));
    }

    /// A spec that passes every check, for tests to break one piece at a time.
    fn valid() -> Value {
        serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/things/{thing_id}": {"get": {
                "operationId": "get_thing",
                "parameters": [{
                    "name": "thing_id", "in": "path", "required": true,
                    "schema": {"type": "string"},
                }],
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Thing"},
                    }}},
                    "404": {"$ref": "#/components/responses/Error"},
                },
            }}},
            "components": {
                "responses": {"Error": {"description": "failed", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
                }}},
                "schemas": {
                    "Thing": {"type": "object", "properties": {
                        "kind": {"type": "string", "enum": ["a", "b"]},
                    }},
                    "Error": {"type": "object", "properties": {"message": {"type": "string"}}},
                },
            },
        })
    }

    const OP: &str = "/paths/~1things~1{thing_id}/get";

    /// `doc`, written as YAML, must fail to parse: the pointer and message it fails with.
    fn error_of(doc: Value) -> Problem {
        let text = serde_norway::to_string(&doc).unwrap();
        let err = parse("spec.yaml", text)
            .err()
            .expect("the spec should fail");
        assert!(err.line_col.is_some(), "{err}");
        (err.pointer.unwrap_or_default(), err.message)
    }

    /// `valid()` with the node at `pointer` set to `value` (the parent must exist; an index
    /// one past a list's end adds to it).
    fn with(pointer: &str, value: Value) -> Value {
        set(valid(), pointer, value)
    }

    /// `doc` with the node at `pointer` set to `value`, as [`with`] does.
    fn set(mut doc: Value, pointer: &str, value: Value) -> Value {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let key = key.replace("~1", "/").replace("~0", "~");
        match doc.pointer_mut(parent).unwrap() {
            Value::Object(map) => {
                map.insert(key, value);
            }
            Value::Array(items) => match key.parse::<usize>().unwrap() {
                i if i == items.len() => items.push(value),
                i => items[i] = value,
            },
            _ => panic!("{parent} holds no children"),
        }
        doc
    }

    /// `valid()` without the node at `pointer`.
    fn without(pointer: &str) -> Value {
        let mut doc = valid();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let key = key.replace("~1", "/").replace("~0", "~");
        doc.pointer_mut(parent)
            .and_then(Value::as_object_mut)
            .unwrap()
            .remove(&key);
        doc
    }

    fn err(pointer: &str, message: &str) -> Problem {
        (pointer.to_string(), message.to_string())
    }

    #[test]
    fn the_valid_spec_passes() {
        let text = serde_norway::to_string(&valid()).unwrap();
        if let Err(e) = parse("spec.yaml", text) {
            panic!("{e}");
        }
    }

    #[test]
    fn an_unreadable_object_is_named_where_it_is() {
        assert_eq!(
            error_of(without(&format!("{OP}/responses"))),
            err(OP, "not a valid operation: missing field `responses`")
        );
        assert_eq!(
            error_of(with(&format!("{OP}/parameters/0/in"), "body".into())),
            err(
                &format!("{OP}/parameters/0"),
                "not a valid parameter: unknown variant `body`, expected one of `query`, `header`, `path`, `cookie`"
            )
        );
        assert_eq!(
            error_of(without("/info")),
            err("", "not a valid OpenAPI document: missing field `info`")
        );
    }

    #[test]
    fn an_unreadable_object_is_named_wherever_it_stands() {
        use serde_json::json;
        let path = "/paths/~1things~1{thing_id}";
        let no_url = "missing field `url`";
        for (pointer, value, at, message) in [
            (
                "/servers".into(),
                json!([{}]),
                "/servers/0".into(),
                format!("not a valid server: {no_url}"),
            ),
            (
                format!("{path}/servers"),
                json!([{}]),
                format!("{path}/servers/0"),
                format!("not a valid server: {no_url}"),
            ),
            (
                format!("{OP}/servers"),
                json!([{}]),
                format!("{OP}/servers/0"),
                format!("not a valid server: {no_url}"),
            ),
            (
                "/tags".into(),
                json!([{}]),
                "/tags/0".into(),
                "not a valid tag: missing field `name`".into(),
            ),
            (
                "/security".into(),
                json!([{"a": 1}]),
                "/security/0".into(),
                "not a valid security requirement: invalid type: integer `1`, expected a sequence"
                    .into(),
            ),
            (
                format!("{OP}/security"),
                json!([{"a": 1}]),
                format!("{OP}/security/0"),
                "not a valid security requirement: invalid type: integer `1`, expected a sequence"
                    .into(),
            ),
            (
                "/externalDocs".into(),
                json!({}),
                "/externalDocs".into(),
                format!("not a valid external documentation object: {no_url}"),
            ),
            (
                format!("{OP}/externalDocs"),
                json!({}),
                format!("{OP}/externalDocs"),
                format!("not a valid external documentation object: {no_url}"),
            ),
            (
                format!("{OP}/responses/default"),
                json!({}),
                format!("{OP}/responses/default"),
                "not a valid response: missing field `description`".into(),
            ),
        ] {
            assert_eq!(error_of(with(&pointer, value)), err(&at, &message));
        }
    }

    #[test]
    fn a_reference_to_nothing_is_named_wherever_it_stands() {
        let nothing = || serde_json::json!({"$ref": "#/components/schemas/Nothing"});
        let message = "reference \"#/components/schemas/Nothing\" does not resolve to anything in this document";
        let kind = "/components/schemas/Thing/properties/kind";
        assert_eq!(
            error_of(with(kind, nothing())),
            err(&format!("{kind}/$ref"), message)
        );
        let in_list = serde_json::json!({"allOf": [{"type": "string"}, nothing()]});
        assert_eq!(
            error_of(with(kind, in_list)),
            err(&format!("{kind}/allOf/1/$ref"), message)
        );
    }

    #[test]
    fn integers_of_any_sign_and_size_are_integers() {
        let kind = "/components/schemas/Thing/properties/kind";
        for value in [serde_json::json!(-1), serde_json::json!(u64::MAX)] {
            let schema = serde_json::json!({"type": "integer", "enum": [value], "default": value});
            let text = serde_norway::to_string(&with(kind, schema)).unwrap();
            if let Err(e) = parse("spec.yaml", text) {
                panic!("{value}: {e}");
            }
        }
        let fraction = serde_json::json!({"type": "integer", "enum": [1, 1.5]});
        assert_eq!(
            error_of(with(kind, fraction)),
            err(
                &format!("{kind}/enum/1"),
                "enum value 1.5 is not an integer, as the schema's type says"
            )
        );
    }

    #[test]
    fn values_and_all_of_parts_are_checked_against_the_type() {
        use serde_json::json;
        let kind = "/components/schemas/Thing/properties/kind";
        let passes = |schema: Value| {
            let text = serde_norway::to_string(&with(kind, schema.clone())).unwrap();
            if let Err(e) = parse("spec.yaml", text) {
                panic!("{schema}: {e}");
            }
        };
        passes(json!({"type": "array", "items": {}, "default": [1]}));
        passes(json!({"type": "object", "default": {"a": 1}}));
        passes(json!({"type": "string", "nullable": true, "enum": ["a", null]}));
        passes(json!({"nullable": true, "enum": ["a", null, "b"]}));
        // A null default reads as none, whatever the schema.
        passes(json!({"type": "string", "enum": ["a"], "default": null}));
        passes(json!({"type": "object", "allOf": [{"type": "object"}, {}]}));
        passes(json!({"type": "number", "allOf": [{"type": "integer"}]}));
        passes(json!({"allOf": [{"type": "integer"}, {"type": "number"}]}));
        for (schema, at, message) in [
            (
                json!({"type": "array", "items": {}, "default": {}}),
                "default",
                "default {} is not an array, as the schema's type says",
            ),
            (
                json!({"type": "object", "default": []}),
                "default",
                "default [] is not an object, as the schema's type says",
            ),
            (
                json!({"type": "string", "enum": ["a", null]}),
                "enum/1",
                "enum value null is not a string, as the schema's type says",
            ),
            (
                json!({"type": "string", "nullable": true, "enum": ["a"], "default": "b"}),
                "default",
                "default \"b\" is not one of the schema's enum values",
            ),
            (
                json!({"type": "object", "allOf": [{"type": "string"}]}),
                "allOf/0",
                "this allOf part is of type string but the schema is of type object; no value is both, and the generator cannot make a type of it",
            ),
            (
                json!({"allOf": [{"type": "object"}, {"type": "string"}]}),
                "allOf/1",
                "this allOf part is of type string but the schema is of type object; no value is both, and the generator cannot make a type of it",
            ),
        ] {
            assert_eq!(
                error_of(with(kind, schema)),
                err(&format!("{kind}/{at}"), message)
            );
        }
    }

    #[test]
    fn only_status_codes_and_default_of_a_responses_object_are_responses() {
        // An extension holds anything, here what a reference of a response may not point at.
        let note = serde_json::json!({"$ref": "#/components/schemas/Error"});
        let text = serde_norway::to_string(&with(&format!("{OP}/responses/x-note"), note));
        if let Err(e) = parse("spec.yaml", text.unwrap()) {
            panic!("{e}");
        }
    }

    #[test]
    fn what_json_cannot_read_is_an_error_even_when_yaml_can() {
        // YAML reads a number into a string field; the generators read the spec as JSON.
        assert_eq!(
            error_of(with("/info/version", 1.into())),
            err(
                "/info",
                "not a valid info object: invalid type: integer `1`, expected a string"
            )
        );
    }

    #[test]
    fn a_key_given_twice_is_a_yaml_error() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\ninfo: {title: u, version: '1'}\npaths: {}\n";
        let err = parse("spec.yaml", text.into()).err().unwrap();
        assert_eq!(err.line_col, Some((3, 1)));
        assert_eq!(err.pointer, None);
        assert_eq!(err.message, "duplicate entry with key \"info\"");
        let text = "openapi: 3.0.3\ncomponents:\n  schemas:\n    A:\n      type: string\n# at the margin\n      nullable: true\n      type: integer\n";
        let err = parse("spec.yaml", text.into()).err().unwrap();
        assert_eq!(err.line_col, Some((8, 7)));
        assert_eq!(
            err.message,
            "components.schemas.A: duplicate entry with key \"type\""
        );
    }

    #[test]
    fn a_reference_must_point_into_the_section_of_its_kind() {
        assert_eq!(
            error_of(with(
                &format!("{OP}/responses/404/$ref"),
                "#/components/schemas/Error".into()
            )),
            err(
                &format!("{OP}/responses/404/$ref"),
                "reference \"#/components/schemas/Error\" stands for a response and must point into #/components/responses/"
            )
        );
        assert_eq!(
            error_of(with(
                "/components/schemas/Thing/properties/kind",
                serde_json::json!({"$ref": "#/components/schemas/Thing/properties"})
            )),
            err(
                "/components/schemas/Thing/properties/kind/$ref",
                "reference \"#/components/schemas/Thing/properties\" is not supported by the generator: it must name an entry of #/components/schemas/ itself, and the name must not hold '/' or '~'"
            )
        );
    }

    /// `valid()` with `value` at `pointer`, and its components section `section` holding an
    /// entry `E` of `entry`.
    fn with_component(pointer: &str, value: Value, section: &str, entry: Value) -> Value {
        let mut doc = valid();
        doc["components"][section]["E"] = entry;
        // A reference among the components needs its section, which may be another one's.
        let place = pointer
            .strip_prefix("/components/")
            .and_then(|p| p.split('/').next());
        if let Some(place) = place {
            let holder = &mut doc["components"][place];
            if holder.is_null() {
                *holder = serde_json::json!({});
            }
        }
        set(doc, pointer, value)
    }

    /// Where a reference of each kind may stand, below an operation, a response, a schema and
    /// the components: (parent pointer, value holding `{"$ref": REF}` there, the section that
    /// a reference there must point into).
    fn reference_places() -> Vec<(String, Value, &'static str)> {
        use serde_json::json;
        let r = || json!({"$ref": "REF"});
        let param = format!("{OP}/parameters");
        let body = format!("{OP}/responses/200/content/application~1json");
        let error = "/components/responses/Error";
        let thing = "/components/schemas/Thing/properties";
        let in_json = |schema| json!({"application/json": {"schema": schema}});
        let mut places = vec![
            (format!("{param}/0/schema"), r(), "schemas"),
            (format!("{param}/0/content"), in_json(r()), "schemas"),
            (format!("{param}/0/examples"), json!({"x": r()}), "examples"),
            (format!("{param}/1"), r(), "parameters"),
            (
                "/paths/~1things~1{thing_id}/parameters".into(),
                json!([r()]),
                "parameters",
            ),
            (format!("{OP}/requestBody"), r(), "requestBodies"),
            (
                format!("{OP}/requestBody"),
                json!({"content": in_json(r())}),
                "schemas",
            ),
            (format!("{body}/schema"), r(), "schemas"),
            (format!("{body}/examples"), json!({"x": r()}), "examples"),
            (
                format!("{body}/encoding"),
                json!({"f": {"headers": {"X-F": r()}}}),
                "headers",
            ),
            (format!("{error}/headers"), json!({"X-H": r()}), "headers"),
            (
                format!("{error}/headers"),
                json!({"X-H": {"schema": r()}}),
                "schemas",
            ),
            (
                format!("{error}/headers"),
                json!({"X-H": {"content": in_json(r())}}),
                "schemas",
            ),
            (format!("{error}/links"), json!({"l": r()}), "links"),
            (
                format!("{thing}/list"),
                json!({"type": "array", "items": r()}),
                "schemas",
            ),
            (
                format!("{thing}/map"),
                json!({"additionalProperties": r()}),
                "schemas",
            ),
            (format!("{thing}/other"), json!({"not": r()}), "schemas"),
            (format!("{thing}/other"), json!({"allOf": [r()]}), "schemas"),
            (
                format!("{thing}/other"),
                json!({"anyOf": [{}, r()]}),
                "schemas",
            ),
            (format!("{thing}/other"), json!({"oneOf": [r()]}), "schemas"),
            (
                format!("{OP}/callbacks"),
                json!({"c": {"/hook": {"post": {"responses": {"200": r()}}}}}),
                "responses",
            ),
            (
                "/components/headers".into(),
                json!({"X-H": {"schema": {}, "examples": {"x": r()}}}),
                "examples",
            ),
        ];
        // An entry of each section may be a reference to another of its section.
        for section in SECTIONS {
            places.push((format!("/components/{section}/x"), r(), section));
        }
        places
    }

    /// `value` with its reference pointed at entry `E` of `section`, and the reference's
    /// pointer below `parent`.
    fn pointed(parent: &str, value: &Value, section: &str) -> (Value, String) {
        let target = format!("#/components/{section}/E");
        let at = find_pointer(value, &serde_json::json!({"$ref": "REF"})).unwrap();
        let value = value.to_string().replace("\"REF\"", &format!("{target:?}"));
        (
            serde_json::from_str(&value).unwrap(),
            format!("{parent}{at}/$ref"),
        )
    }

    /// The sections of the components.
    const SECTIONS: [&str; 9] = [
        "schemas",
        "responses",
        "parameters",
        "examples",
        "requestBodies",
        "headers",
        "securitySchemes",
        "links",
        "callbacks",
    ];

    /// A component of each section that the references of `reference_places` may point at.
    fn component(section: &str) -> Value {
        use serde_json::json;
        match section {
            "schemas" => json!({"type": "string"}),
            "examples" => json!({"value": "x"}),
            "parameters" => json!({"name": "p", "in": "query", "schema": {"type": "string"}}),
            "requestBodies" => {
                json!({"content": {"application/json": {"schema": {"type": "string"}}}})
            }
            "callbacks" => {
                json!({"{$request.body#/url}": {"post": {"responses": {"200": {"description": "ok"}}}}})
            }
            "responses" => json!({"description": "ok"}),
            "headers" => json!({"schema": {"type": "string"}}),
            "links" => json!({"operationId": "get_thing"}),
            "securitySchemes" => json!({"type": "http", "scheme": "bearer"}),
            _ => panic!("no component for {section}"),
        }
    }

    #[test]
    fn a_reference_of_every_kind_may_point_into_its_own_section() {
        for (parent, value, section) in reference_places() {
            let (value, at) = pointed(&parent, &value, section);
            if at.ends_with("/not/$ref") {
                // A reference is its kind's wherever it stands, but `not` takes only an enum.
                continue;
            }
            let doc = with_component(&parent, value, section, component(section));
            let text = serde_norway::to_string(&doc).unwrap();
            if let Err(e) = parse("spec.yaml", text) {
                panic!("a reference into {section} at {at}: {e}");
            }
        }
    }

    #[test]
    fn a_reference_anywhere_is_checked_for_its_kind() {
        for (parent, value, section) in reference_places() {
            // Each is pointed at another section, one that holds an entry.
            let wrong = if section == "schemas" {
                "responses"
            } else {
                "schemas"
            };
            let (value, at) = pointed(&parent, &value, wrong);
            let noun = match section {
                "schemas" => "a schema",
                "examples" => "an example",
                "parameters" => "a parameter",
                "requestBodies" => "a request body",
                "headers" => "a header",
                "links" => "a link",
                "callbacks" => "a callback",
                "securitySchemes" => "a security scheme",
                "responses" => "a response",
                _ => panic!("no noun for {section}"),
            };
            let doc = with_component(&parent, value, wrong, component(wrong));
            assert_eq!(
                error_of(doc),
                err(
                    &at,
                    &format!(
                        "reference \"#/components/{wrong}/E\" stands for {noun} and must point into #/components/{section}/"
                    )
                )
            );
        }
    }

    #[test]
    fn a_reference_in_place_of_a_path_item_is_not_supported() {
        assert_eq!(
            error_of(with(
                "/paths/~1other",
                serde_json::json!({"$ref": "#/paths/~1things~1{thing_id}"})
            )),
            err(
                "/paths/~1other/$ref",
                "a $ref in place of a path item is not supported by the generator"
            )
        );
    }

    #[test]
    fn references_must_not_go_round_in_a_loop() {
        let doc = with(
            "/components/responses/Again",
            serde_json::json!({"$ref": "#/components/responses/Error"}),
        );
        let mut doc = doc;
        doc["components"]["responses"]["Error"] =
            serde_json::json!({"$ref": "#/components/responses/Again"});
        assert_eq!(
            error_of(doc),
            err(
                "/components/responses/Again/$ref",
                "the references Again → Error → Again go round in a loop and never reach a definition"
            )
        );
    }

    #[test]
    fn schema_names_must_make_distinct_rust_types() {
        let schemas = "/components/schemas";
        assert_eq!(
            error_of(with(&format!("{schemas}/1st"), serde_json::json!({}))),
            err(
                &format!("{schemas}/1st"),
                "schema name \"1st\" is not supported by the generator: it names a Rust type, so it must start with a letter and not be a Rust keyword"
            )
        );
        assert_eq!(
            error_of(with(&format!("{schemas}/thing"), serde_json::json!({}))),
            err(
                &format!("{schemas}/thing"),
                "schema name \"thing\" becomes the Rust type Thing, as does schema \"Thing\"; rename one of them"
            )
        );
    }

    #[test]
    fn schemas_need_a_known_type_and_values_of_it() {
        let kind = "/components/schemas/Thing/properties/kind";
        assert_eq!(
            error_of(with(&format!("{kind}/type"), "uuid".into())),
            err(
                &format!("{kind}/type"),
                "type \"uuid\" is not an OpenAPI 3.0 type; use one of string, number, integer, boolean, array, object"
            )
        );
        assert_eq!(
            error_of(with(&format!("{kind}/enum/1"), 2.into())),
            err(
                &format!("{kind}/enum/1"),
                "enum value 2 is not a string, as the schema's type says"
            )
        );
        assert_eq!(
            error_of(with(&format!("{kind}/enum/1"), "a".into())),
            err(
                &format!("{kind}/enum/1"),
                "enum value \"a\" is listed twice"
            )
        );
        assert_eq!(
            error_of(with(&format!("{kind}/enum/1"), "A".into())),
            err(
                &format!("{kind}/enum"),
                "enum values \"a\" and \"A\" make the same Rust variant name, which the generator does not support"
            )
        );
        assert_eq!(
            error_of(with(&format!("{kind}/default"), "c".into())),
            err(
                &format!("{kind}/default"),
                "default \"c\" is not one of the schema's enum values"
            )
        );
        assert_eq!(
            error_of(with(&format!("{kind}/default"), true.into())),
            err(
                &format!("{kind}/default"),
                "default true is not a string, as the schema's type says"
            )
        );
        let mut doc = without(&format!("{kind}/type"));
        doc.pointer_mut(kind).unwrap()["enum"] = serde_json::json!(["a", 1]);
        assert_eq!(
            error_of(doc),
            err(
                &format!("{kind}/enum/1"),
                "enum value 1 is a number but \"a\" is a string; an enum without a type must hold values of one type for the generator"
            )
        );
    }

    #[test]
    fn subschema_lists_must_be_usable() {
        let kind = "/components/schemas/Thing/properties/kind";
        assert_eq!(
            error_of(with(&format!("{kind}/allOf"), serde_json::json!([]))),
            err(
                &format!("{kind}/allOf"),
                "an empty allOf is not supported by the generator"
            )
        );
        assert_eq!(
            error_of(with(
                &format!("{kind}/allOf"),
                serde_json::json!([{"type": "integer"}])
            )),
            err(
                &format!("{kind}/allOf/0"),
                "this allOf part is of type integer but the schema is of type string; no value is both, and the generator cannot make a type of it"
            )
        );
        let thing = "/components/schemas/Thing";
        let mut doc = with(&format!("{thing}/anyOf"), serde_json::json!([{}]));
        doc.pointer_mut(thing).unwrap()["oneOf"] = serde_json::json!([{}]);
        assert_eq!(
            error_of(doc),
            err(
                &format!("{thing}/oneOf"),
                "a schema with both anyOf and oneOf is not supported by the generator"
            )
        );
    }

    #[test]
    fn not_is_supported_as_a_list_of_excluded_values_only() {
        let kind = "/components/schemas/Thing/properties/kind";
        let not = format!("{kind}/not");
        assert_eq!(
            error_of(with(&not, serde_json::json!({"type": "string"}))),
            err(
                &not,
                "a not schema with a type but no enum is not supported by the generator, which supports not: {enum: [...]} only"
            )
        );
        assert_eq!(
            error_of(with(&not, serde_json::json!({"minLength": 2}))),
            err(
                &not,
                "a not schema with \"minLength\" is not supported by the generator, which supports not: {enum: [...]} only"
            )
        );
        assert_eq!(
            error_of(with(&not, serde_json::json!({"enum": ["x", 1]}))),
            err(
                &not,
                "a not schema with an enum of number, string values and no type is not supported by the generator, which supports not: {enum: [...]} only"
            )
        );
        let text = serde_norway::to_string(&with(&not, serde_json::json!({"enum": ["x"]})));
        assert!(parse("spec.yaml", text.unwrap()).is_ok());
    }

    #[test]
    fn patterns_must_compile() {
        let kind = "/components/schemas/Thing/properties/kind";
        assert_eq!(
            error_of(with(&format!("{kind}/pattern"), "^(a|b$".into())),
            err(
                &format!("{kind}/pattern"),
                "pattern \"^(a|b$\" is not a valid regular expression: a '(' is never closed"
            )
        );
        for (pattern, why) in [
            ("[a-z", "a '[' is never closed"),
            ("a)", "a ')' has no '(' before it"),
            ("(?P<x>a)", "a '(?' does not start a known kind of group"),
            ("(?<1x>a)", "group name \"1x\" is not valid"),
            ("(?<a-b>a)", "group name \"a-b\" is not valid"),
            ("*a", "'*' has nothing to repeat"),
            ("a|+", "'+' has nothing to repeat"),
            ("a**", "'*' has nothing to repeat"),
            ("a\\", "it ends with a lone backslash"),
        ] {
            assert_eq!(check_pattern(pattern), Err(why.to_string()), "{pattern}");
        }
        for pattern in [
            "^[0-7][0-9abcdefghjkmnpqrstvwxyz]{31}$",
            "^[A-Z]{2}$",
            "(?<year>\\d{4})-(?:\\d\\d)(?=x)(?!y)(?<=z)(?<!w)",
            "[(\\]]+?\\)*",
            "a{2}|{",
            "(?<_a$1>x)(?<$b_>y)",
        ] {
            assert_eq!(check_pattern(pattern), Ok(()), "{pattern}");
        }
    }

    #[test]
    fn type_names_are_made_as_typify_makes_them() {
        for (input, name) in [
            ("+1", "plus1"),
            ("-1", "minus1"),
            ("+2", "X2"),
            ("a-b c.d", "ABCD"),
            ("it's", "Its"),
            ("snake_case", "SnakeCase"),
            ("", "X"),
            ("1st", "X1st"),
            ("self", "Self_"),
        ] {
            assert_eq!(typify_pascal(input), name, "{input:?}");
        }
    }

    #[test]
    fn variant_names_collide_as_typify_makes_them() {
        assert_eq!(colliding_variants(&["a", "b"]), None);
        // The first try collides, the second (elided characters as X) does not.
        assert_eq!(colliding_variants(&["a-b", "aB"]), None);
        assert_eq!(colliding_variants(&["a-b", "a_b"]), Some(("a-b", "a_b")));
        assert_eq!(colliding_variants(&["1", "_1"]), Some(("1", "_1")));
    }

    #[test]
    fn find_pointer_escapes_keys() {
        let doc = serde_json::json!({"paths": {"/a": [{"x": 1}, {"format": "ipv4"}]}});
        assert_eq!(
            find_pointer(&doc, &serde_json::json!({"format": "ipv4"})),
            Some("/paths/~1a/1".into())
        );
    }
}
