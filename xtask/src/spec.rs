//! Reads an OpenAPI document and checks what the generator relies on, so that a bad spec
//! fails with its path, a location and the problem instead of a panic deep in codegen.

use std::collections::BTreeSet;
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
    /// The file's text, embedded verbatim in generated code.
    pub text: String,
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

/// Reads and checks the spec at `path`; `shown` is how errors name the file.
pub fn load(path: &Path, shown: &str) -> Result<Spec, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|e| SpecError {
        file: shown.to_string(),
        line_col: None,
        pointer: None,
        message: format!("cannot read the file: {e}"),
    })?;
    parse(shown, text)
}

/// Parses and checks a spec held in memory.
pub fn parse(shown: &str, text: String) -> Result<Spec, SpecError> {
    let at = |line_col: Option<(usize, usize)>, pointer: Option<String>, message: String| SpecError {
        file: shown.to_string(),
        line_col,
        pointer,
        message,
    };
    let yaml_error = |e: serde_yaml::Error| {
        let line_col = e.location().map(|l| (l.line(), l.column()));
        // serde_yaml appends " at line L column C"; the location is already in front.
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(cut) if line_col.is_some() => message[..cut].to_string(),
            _ => message,
        };
        at(line_col, None, message)
    };

    let json: Value = serde_yaml::from_str(&text).map_err(yaml_error)?;
    let api: OpenAPI = serde_yaml::from_str(&text).map_err(yaml_error)?;

    let problem = |pointer: String, message: String| {
        let line_col = locate(&text, &pointer).map(|line| (line, 1));
        at(line_col, Some(pointer), message)
    };

    if !api.openapi.starts_with("3.0.") {
        return Err(problem(
            "/openapi".into(),
            format!("version {:?} is not supported; the generator reads OpenAPI 3.0.x", api.openapi),
        ));
    }
    check_refs(&json, &json, &mut String::new()).map_err(|(p, m)| problem(p, m))?;
    check_operations(&api).map_err(|(p, m)| problem(p, m))?;
    Ok(Spec { api, json, text })
}

/// Every `$ref` must be local and point at something that exists.
fn check_refs(root: &Value, value: &Value, pointer: &mut String) -> Result<(), (String, String)> {
    match value {
        Value::Object(map) => {
            if let Some(target) = map.get("$ref") {
                let target = target.as_str().unwrap_or_default();
                let resolved = target.strip_prefix('#').and_then(|p| root.pointer(p));
                if resolved.is_none() {
                    return Err((
                        format!("{pointer}/$ref"),
                        format!("reference {target:?} does not resolve to anything in this document"),
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

/// Operations need unique ids (they name the generated methods) and inline path items.
fn check_operations(api: &OpenAPI) -> Result<(), (String, String)> {
    let mut seen = BTreeSet::new();
    for (path, item) in &api.paths.paths {
        let escaped = path.replace('~', "~0").replace('/', "~1");
        let Some(item) = item.as_item() else {
            return Err((format!("/paths/{escaped}"), "a path item given as $ref is not supported".into()));
        };
        for (method, op) in item.iter() {
            let pointer = format!("/paths/{escaped}/{method}");
            match &op.operation_id {
                None => return Err((pointer, "the operation has no operationId".into())),
                Some(id) if !seen.insert(id.clone()) => {
                    return Err((format!("{pointer}/operationId"), format!("operationId {id:?} is used twice")));
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// Best-effort line of a JSON pointer in a block-style YAML document: follows the keys down
/// by indentation. Returns None when the document's layout is not one it can follow.
pub fn locate(text: &str, pointer: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut from = 0;
    let mut min_indent = 0;
    let mut found = None;
    for segment in pointer.split('/').skip(1) {
        let key = segment.replace("~1", "/").replace("~0", "~");
        if key.parse::<usize>().is_ok() {
            // Array items carry no key to look for; stay on the parent's line.
            continue;
        }
        let hit = lines.iter().enumerate().skip(from).find_map(|(i, line)| {
            let indent = line.len() - line.trim_start().len();
            let body = line.trim_start().trim_start_matches("- ");
            let matches = [format!("{key}:"), format!("'{key}':"), format!("\"{key}\":")]
                .iter()
                .any(|k| body.starts_with(k.as_str()));
            (indent >= min_indent && matches).then_some((i, indent))
        })?;
        found = Some(hit.0 + 1);
        from = hit.0 + 1;
        min_indent = hit.1 + 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_follows_nested_keys() {
        let text = "a:\n  b:\n    c: 1\n  c: 2\nc: 3\n";
        assert_eq!(locate(text, "/a/b/c"), Some(3));
        assert_eq!(locate(text, "/c"), Some(5));
        assert_eq!(locate(text, "/a/x"), None);
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let err = parse("spec.yaml", "openapi: 3.0.3\ninfo: [\n".into()).err().unwrap();
        assert_eq!(err.file, "spec.yaml");
        assert_eq!(err.line_col.map(|l| l.0), Some(3));
    }
}
