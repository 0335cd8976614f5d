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
        message: format!("cannot read {}: {e}", path.display()),
    })?;
    parse(shown, text)
}

/// Parses and checks a spec held in memory.
pub fn parse(shown: &str, text: String) -> Result<Spec, SpecError> {
    let at =
        |line_col: Option<(usize, usize)>, pointer: Option<String>, message: String| SpecError {
            file: shown.to_string(),
            line_col,
            pointer,
            message,
        };
    let yaml_error = |e: serde_yaml::Error| {
        let line_col = e.location().map(|l| (l.line(), l.column()));
        at(line_col, None, without_positions(&e.to_string()))
    };

    let json: Value = serde_yaml::from_str(&text).map_err(yaml_error)?;
    let api: OpenAPI = serde_yaml::from_str(&text).map_err(yaml_error)?;

    let problem =
        |pointer: String, message: String| at(locate(&text, &pointer), Some(pointer), message);

    if !api.openapi.starts_with("3.0.") {
        return Err(problem(
            "/openapi".into(),
            format!(
                "version {:?} is not supported; the generator reads OpenAPI 3.0.x",
                api.openapi
            ),
        ));
    }
    check_refs(&json, &json, &mut String::new()).map_err(|(p, m)| problem(p, m))?;
    check_operations(&api).map_err(|(p, m)| problem(p, m))?;
    Ok(Spec { api, json, text })
}

/// Drops serde_yaml's " at line L column C" phrases: the location already leads the message.
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

/// Operations need unique ids (they name the generated methods) and inline path items.
fn check_operations(api: &OpenAPI) -> Result<(), (String, String)> {
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

/// Best-effort line and column of a JSON pointer in a block-style YAML document: follows the keys down
/// by indentation, and list indexes through the `- ` items of block sequences. Returns None when the
/// document's layout is not one it can follow.
pub fn locate(text: &str, pointer: &str) -> Option<(usize, usize)> {
    /// A line that holds something: where its content starts (list dashes count as indent),
    /// the content, and whether it opens a list item.
    struct Line<'a> {
        indent: usize,
        body: &'a str,
        item: bool,
    }
    let lines: Vec<Option<Line>> = text
        .lines()
        .map(|line| {
            let body = line.trim_start();
            if body.is_empty() || body.starts_with('#') {
                return None;
            }
            let item = body.trim_start_matches("- ");
            Some(Line {
                indent: line.len() - item.len(),
                body: item,
                item: item.len() != body.len(),
            })
        })
        .collect();
    // The lines still searched: from `from` up to `end`, indented deeper than `parent`.
    let mut from = 0;
    let mut end = lines.len();
    let mut parent: Option<usize> = None;
    let mut found = None;
    for segment in pointer.split('/').skip(1) {
        let key = segment.replace("~1", "/").replace("~0", "~");
        let block: Vec<(usize, &Line)> = lines[from..end]
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.as_ref().map(|l| (from + i, l)))
            .take_while(|(_, l)| parent.is_none_or(|p| l.indent > p))
            .collect();
        let level = block.first().map(|(_, l)| l.indent);
        if let (Ok(index), Some(level)) = (segment.parse::<usize>(), level)
            && block.first().is_some_and(|(_, l)| l.item)
        {
            let starts: Vec<usize> = block
                .iter()
                .filter(|(_, l)| l.indent == level && l.item)
                .map(|(i, _)| *i)
                .collect();
            let start = *starts.get(index)?;
            // The item's own keys start on its dash line and end where the next item starts.
            end = starts
                .get(index + 1)
                .copied()
                .unwrap_or_else(|| block.last().map_or(end, |(i, _)| i + 1));
            found = Some((start + 1, level - 1));
            from = start;
            parent = Some(level - 1);
            continue;
        }
        let hit = block.iter().find(|(_, l)| {
            Some(l.indent) == level
                && [
                    format!("{key}:"),
                    format!("'{key}':"),
                    format!("\"{key}\":"),
                ]
                .iter()
                .any(|k| l.body.starts_with(k.as_str()))
        });
        let Some(&(line, hit)) = hit else {
            // A flow sequence (`[a, b]`) has no line per item: stay at the parent.
            if segment.parse::<usize>().is_ok() {
                continue;
            }
            return None;
        };
        found = Some((line + 1, hit.indent + 1));
        from = line + 1;
        parent = Some(hit.indent);
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
        assert_eq!(locate(text, "/a/x"), None);
    }

    #[test]
    fn locate_follows_list_items() {
        let text = "params:\n  - name: a\n    schema:\n      type: string\n  - name: b\n    in: query\n    schema:\n      enum: [x, y]\n";
        assert_eq!(locate(text, "/params/0"), Some((2, 3)));
        assert_eq!(locate(text, "/params/1"), Some((5, 3)));
        assert_eq!(locate(text, "/params/1/in"), Some((6, 5)));
        assert_eq!(locate(text, "/params/1/schema/enum/1"), Some((8, 7)));
        assert_eq!(locate(text, "/params/0/in"), None);
        assert_eq!(locate(text, "/params/2"), None);
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
    fn find_pointer_escapes_keys() {
        let doc = serde_json::json!({"paths": {"/a": [{"x": 1}, {"format": "ipv4"}]}});
        assert_eq!(
            find_pointer(&doc, &serde_json::json!({"format": "ipv4"})),
            Some("/paths/~1a/1".into())
        );
    }
}
