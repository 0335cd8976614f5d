//! The wire comparison: walks the operations of both documents side by side (parameters,
//! bodies, responses, security) and classifies each change by whether an existing client or
//! server keeps working, following every schema in the direction it travels.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::Value;

use super::{Finding, Group, Wire, escape};
use crate::spec::Spec;

/// Which way a schema travels, which decides whether accepting more or less breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Dir {
    /// Clients send it: the server accepting less breaks them.
    Request,
    /// Servers send it: clients receiving more than they know breaks them.
    Response,
    /// No operation uses it: nothing on the wire changes.
    Unused,
}

/// What a change to a schema does in each direction.
#[derive(Clone, Copy, Debug)]
pub(super) struct Effect {
    pub request: Wire,
    pub response: Wire,
}

/// The schema accepts less than before.
pub(super) const NARROWED: Effect = Effect {
    request: Wire::Breaking,
    response: Wire::Compatible,
};
/// The schema accepts more than before.
pub(super) const WIDENED: Effect = Effect {
    request: Wire::Compatible,
    response: Wire::Breaking,
};
/// The schema accepts other things than before.
pub(super) const BOTH: Effect = Effect {
    request: Wire::Breaking,
    response: Wire::Breaking,
};
/// The meaning changes without anything being refused or unexpected.
pub(super) const NEUTRAL: Effect = Effect {
    request: Wire::Compatible,
    response: Wire::Compatible,
};

impl Effect {
    pub fn on(self, dir: Dir) -> Wire {
        match dir {
            Dir::Request => self.request,
            Dir::Response => self.response,
            Dir::Unused => Wire::None,
        }
    }
}

/// An object with no keys, for whatever a document leaves out.
pub(super) fn no_keys() -> &'static serde_json::Map<String, Value> {
    static EMPTY: std::sync::OnceLock<serde_json::Map<String, Value>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(serde_json::Map::new)
}

/// Where the compared thing is in the base and in the new document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Loc {
    pub old: String,
    pub new: String,
}

impl Loc {
    pub fn same(pointer: &str) -> Loc {
        Loc {
            old: pointer.to_string(),
            new: pointer.to_string(),
        }
    }

    pub fn join(&self, segment: &str) -> Loc {
        Loc {
            old: format!("{}/{segment}", self.old),
            new: format!("{}/{segment}", self.new),
        }
    }
}

/// Keys that document rather than define; their changes are reported as documentation.
pub(super) const DOC_KEYS: &[&str] = &[
    "description",
    "summary",
    "title",
    "example",
    "examples",
    "externalDocs",
    "deprecated",
    "xml",
    "tags",
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of a document.
pub(super) struct Op<'a> {
    pub id: String,
    pub method: String,
    pub path: String,
    pub pointer: String,
    pub item_pointer: String,
    pub value: &'a Value,
    pub item: &'a Value,
}

impl Op<'_> {
    /// What identifies it on the wire: the method and the path, whatever its parameters are
    /// called.
    fn wire_key(&self) -> String {
        format!("{} {}", self.method, normalized_path(&self.path))
    }

    fn group(&self) -> Group {
        Group::Operation {
            id: self.id.clone(),
            method: self.method.to_uppercase(),
            path: self.path.clone(),
        }
    }
}

fn normalized_path(path: &str) -> String {
    let mut out = String::new();
    let mut in_name = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_name = true;
                out.push_str("{}");
            }
            '}' => in_name = false,
            _ if in_name => {}
            _ => out.push(c),
        }
    }
    out
}

/// The operations of `doc`, in document order.
pub(super) fn operations(doc: &Value) -> Vec<Op<'_>> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let item_pointer = format!("/paths/{}", escape(path));
        for method in METHODS {
            let Some(op) = item.get(*method).filter(|o| o.is_object()) else {
                continue;
            };
            out.push(Op {
                id: op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                method: method.to_string(),
                path: path.clone(),
                pointer: format!("{item_pointer}/{method}"),
                item_pointer: item_pointer.clone(),
                value: op,
                item,
            });
        }
    }
    out
}

/// `value` with `$ref`s followed, and the pointer of what it ends at when one was followed.
pub(super) fn resolve<'a>(doc: &'a Value, value: &'a Value) -> (&'a Value, Option<String>) {
    let mut value = value;
    let mut at = None;
    for _ in 0..32 {
        let Some(pointer) = value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        else {
            break;
        };
        match doc.pointer(pointer) {
            Some(target) => {
                value = target;
                at = Some(pointer.to_string());
            }
            None => break,
        }
    }
    (value, at)
}

/// A parameter as an operation sees it.
pub(super) struct ParamEntry<'a> {
    pub location: String,
    pub name: String,
    /// The pointer of its entry in the `parameters` list.
    pub entry: String,
    /// The pointer of the parameter object itself (a component's, for a `$ref`).
    pub at: String,
    pub value: &'a Value,
    pub reference: Option<String>,
}

impl ParamEntry<'_> {
    fn required(&self) -> bool {
        self.location == "path" || self.value.get("required") == Some(&Value::Bool(true))
    }

    /// How the value is written: (style, explode), with the defaults of its location.
    fn style(&self) -> (String, bool) {
        let style = self
            .value
            .get("style")
            .and_then(Value::as_str)
            .unwrap_or(match self.location.as_str() {
                "query" | "cookie" => "form",
                _ => "simple",
            })
            .to_string();
        let explode = self
            .value
            .get("explode")
            .and_then(Value::as_bool)
            .unwrap_or(style == "form");
        (style, explode)
    }
}

/// The parameters of `op`: the path item's, overridden by the operation's own of the same
/// name and location.
pub(super) fn params<'a>(doc: &'a Value, op: &Op<'a>) -> Vec<ParamEntry<'a>> {
    let mut out: Vec<ParamEntry<'a>> = Vec::new();
    let lists = [
        (op.item.get("parameters"), &op.item_pointer),
        (op.value.get("parameters"), &op.pointer),
    ];
    for (list, owner) in lists {
        let Some(list) = list.and_then(Value::as_array) else {
            continue;
        };
        for (i, entry) in list.iter().enumerate() {
            let (value, reference) = resolve(doc, entry);
            let location = value
                .get("in")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let name = value
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let entry_pointer = format!("{owner}/parameters/{i}");
            let param = ParamEntry {
                at: reference.clone().unwrap_or_else(|| entry_pointer.clone()),
                entry: entry_pointer,
                location,
                name,
                value,
                reference,
            };
            let same = |p: &ParamEntry| {
                p.location == param.location && param_name_eq(&p.location, &p.name, &param.name)
            };
            match out.iter_mut().find(|p| same(p)) {
                Some(slot) => *slot = param,
                None => out.push(param),
            }
        }
    }
    out
}

/// Header names are case-insensitive; other parameter names are not.
fn param_name_eq(location: &str, a: &str, b: &str) -> bool {
    if location == "header" {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// The component (`/components/<kind>/<name>`) a pointer is inside, if any.
pub(super) fn component_of(pointer: &str) -> Option<String> {
    let mut parts = pointer.splitn(5, '/');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(""), Some("components"), Some(kind), Some(name)) => {
            Some(format!("/components/{kind}/{name}"))
        }
        _ => None,
    }
}

/// For each component, the operations that reach it and in which direction.
#[derive(Default)]
pub(super) struct Reach {
    pub by_component: BTreeMap<String, BTreeSet<(String, Dir)>>,
}

impl Reach {
    fn add(&mut self, doc: &Value) {
        for op in operations(doc) {
            let mut seen = HashSet::new();
            for param in params(doc, &op) {
                if let Some(r) = &param.reference {
                    self.mark(r, &op.id, Dir::Request);
                }
                self.walk(doc, param.value, &op.id, Dir::Request, &mut seen);
            }
            if let Some(body) = op.value.get("requestBody") {
                self.walk(doc, body, &op.id, Dir::Request, &mut seen);
            }
            if let Some(responses) = op.value.get("responses") {
                self.walk(doc, responses, &op.id, Dir::Response, &mut seen);
            }
            let security = op.value.get("security").or_else(|| doc.get("security"));
            for requirement in security.and_then(Value::as_array).into_iter().flatten() {
                for name in requirement
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k)
                {
                    let scheme = format!("/components/securitySchemes/{}", escape(name));
                    self.mark(&scheme, &op.id, Dir::Request);
                }
            }
        }
    }

    fn mark(&mut self, pointer: &str, op: &str, dir: Dir) {
        if let Some(component) = component_of(pointer) {
            self.by_component
                .entry(component)
                .or_default()
                .insert((op.to_string(), dir));
        }
    }

    fn walk(
        &mut self,
        doc: &Value,
        value: &Value,
        op: &str,
        dir: Dir,
        seen: &mut HashSet<(String, Dir)>,
    ) {
        match value {
            Value::Object(map) => {
                if let Some(target) = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix('#'))
                {
                    self.mark(target, op, dir);
                    if seen.insert((target.to_string(), dir))
                        && let Some(resolved) = doc.pointer(target)
                    {
                        self.walk(doc, resolved, op, dir, seen);
                    }
                }
                for child in map.values() {
                    self.walk(doc, child, op, dir, seen);
                }
            }
            Value::Array(items) => {
                for child in items {
                    self.walk(doc, child, op, dir, seen);
                }
            }
            _ => {}
        }
    }

    /// `fetch_device (response)`, one entry per operation, both directions named together.
    pub fn used_by(&self, component: &str) -> Vec<String> {
        let mut by_op: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (op, dir) in self.by_component.get(component).into_iter().flatten() {
            by_op.entry(op).or_default().insert(match dir {
                Dir::Request => "request",
                Dir::Response => "response",
                Dir::Unused => "unused",
            });
        }
        by_op
            .into_iter()
            .map(|(op, dirs)| {
                format!(
                    "{op} ({})",
                    dirs.into_iter().collect::<Vec<_>>().join(" and ")
                )
            })
            .collect()
    }
}

/// A finding as the walk records it; the direction words are added when it ends.
struct Raw {
    finding: Finding,
    dirs: BTreeSet<Dir>,
}

/// The walk over both documents, and what it has found so far.
pub(super) struct Walk<'a> {
    pub base: &'a Value,
    pub new: &'a Value,
    found: Vec<Raw>,
    index: BTreeMap<(Group, String, &'static str, Option<String>), usize>,
    /// Shared things already compared (by their pointers and direction), so that each is
    /// compared once and recursive schemas end.
    pub seen: HashSet<(String, String, Dir)>,
    op: Option<Group>,
    reach: Reach,
}

impl<'a> Walk<'a> {
    /// Records a change. `wire` is its verdict; `dir` the direction a schema change was seen
    /// in, if it is one.
    #[allow(clippy::too_many_arguments)]
    pub fn note(
        &mut self,
        rule: &'static str,
        wire: Wire,
        dir: Option<Dir>,
        at: &Loc,
        gone: bool,
        item: Option<String>,
        message: String,
    ) {
        let pointer = if gone { &at.old } else { &at.new };
        let group = match component_of(pointer) {
            Some(component) => Group::Component {
                used_by: self.reach.used_by(&component),
                pointer: component,
            },
            None => self.op.clone().unwrap_or(Group::Document),
        };
        let key = (group.clone(), pointer.clone(), rule, item.clone());
        if let Some(&i) = self.index.get(&key) {
            let raw = &mut self.found[i];
            raw.finding.wire = raw.finding.wire.max(wire);
            raw.dirs.extend(dir);
            return;
        }
        self.index.insert(key, self.found.len());
        self.found.push(Raw {
            finding: Finding {
                rule,
                wire,
                rust: super::Rust::None,
                pointer: pointer.clone(),
                gone,
                line: None,
                base_line: None,
                message,
                rust_notes: Vec::new(),
                group,
                item,
            },
            dirs: dir.into_iter().collect(),
        });
    }

    /// Documentation keys of two objects at `at` that differ, and `x-` extensions.
    pub fn docs(&mut self, o: &Value, n: &Value, at: &Loc, keys: &[&str]) {
        let (Some(o), Some(n)) = (o.as_object(), n.as_object()) else {
            return;
        };
        let extensions = o
            .keys()
            .chain(n.keys())
            .filter(|k| k.starts_with("x-") && *k != "x-rust-type")
            .collect::<BTreeSet<_>>();
        let all = keys
            .iter()
            .copied()
            .chain(extensions.into_iter().map(String::as_str));
        for key in all {
            let (old, new) = (o.get(key), n.get(key));
            if old == new {
                continue;
            }
            let rule = if key.starts_with("x-") {
                "extension-changed"
            } else {
                "documentation-changed"
            };
            let what = match (old, new) {
                (None, _) => "added",
                (_, None) => "removed",
                _ => "changed",
            };
            let gone = new.is_none();
            let at = at.join(&escape(key));
            self.note(
                rule,
                Wire::None,
                None,
                &at,
                gone,
                None,
                format!("{key} {what}"),
            );
        }
    }
}

/// Which group a pointer of either document is reported in.
pub(super) struct Places {
    reach: Reach,
    /// (pointer of an operation, its group), the new document's first.
    ops: Vec<(String, Group)>,
}

impl Places {
    pub fn group(&self, pointer: &str) -> Group {
        if let Some(component) = component_of(pointer) {
            return Group::Component {
                used_by: self.reach.used_by(&component),
                pointer: component,
            };
        }
        self.ops
            .iter()
            .find(|(at, _)| pointer == at || pointer.starts_with(&format!("{at}/")))
            .map(|(_, group)| group.clone())
            .unwrap_or(Group::Document)
    }
}

/// Every change between the two documents that the wire sees, and their documentation.
pub(super) fn compare(base: &Spec, new: &Spec) -> (Vec<Finding>, Places) {
    let mut reach = Reach::default();
    reach.add(&base.json);
    reach.add(&new.json);
    let mut walk = Walk {
        base: &base.json,
        new: &new.json,
        found: Vec::new(),
        index: BTreeMap::new(),
        seen: HashSet::new(),
        op: None,
        reach,
    };
    walk.document();
    let ops = operations(&new.json)
        .into_iter()
        .chain(operations(&base.json))
        .map(|op| (op.pointer.clone(), op.group()))
        .collect();
    let places = Places {
        reach: walk.reach,
        ops,
    };
    let findings = walk
        .found
        .into_iter()
        .map(|raw| {
            let mut finding = raw.finding;
            let dirs: Vec<&str> = raw
                .dirs
                .iter()
                .map(|d| match d {
                    Dir::Request => "request",
                    Dir::Response => "response",
                    Dir::Unused => "in no operation",
                })
                .collect();
            if !dirs.is_empty() {
                finding.message = format!("{} ({})", finding.message, dirs.join(" and "));
            }
            finding
        })
        .collect();
    (findings, places)
}

impl<'a> Walk<'a> {
    fn document(&mut self) {
        let (base, new) = (self.base, self.new);
        let old_ops = operations(base);
        let new_ops = operations(new);

        // Pair operations by method and path; what is left, by operationId (a moved
        // operation); the rest were removed or added.
        let mut pairs: Vec<(&Op, &Op)> = Vec::new();
        let mut old_left: Vec<&Op> = Vec::new();
        let mut new_used = vec![false; new_ops.len()];
        let by_key: std::collections::HashMap<String, usize> = new_ops
            .iter()
            .enumerate()
            .map(|(i, n)| (n.wire_key(), i))
            .collect();
        for o in &old_ops {
            match by_key.get(&o.wire_key()).copied() {
                Some(i) => {
                    new_used[i] = true;
                    pairs.push((o, &new_ops[i]));
                }
                None => old_left.push(o),
            }
        }
        let mut removed = Vec::new();
        for o in old_left {
            let moved = new_ops
                .iter()
                .enumerate()
                .find(|(i, n)| !new_used[*i] && !o.id.is_empty() && n.id == o.id);
            match moved {
                Some((i, n)) => {
                    new_used[i] = true;
                    self.op = Some(n.group());
                    let (rule, message) = if normalized_path(&o.path) == normalized_path(&n.path) {
                        (
                            "method-changed",
                            format!(
                                "method changed from {} to {}",
                                o.method.to_uppercase(),
                                n.method.to_uppercase()
                            ),
                        )
                    } else {
                        (
                            "path-changed",
                            format!(
                                "moved from {} {} to {} {}",
                                o.method.to_uppercase(),
                                o.path,
                                n.method.to_uppercase(),
                                n.path
                            ),
                        )
                    };
                    let at = Loc {
                        old: o.pointer.clone(),
                        new: n.pointer.clone(),
                    };
                    self.note(rule, Wire::Breaking, None, &at, false, None, message);
                    pairs.push((o, n));
                }
                None => removed.push(o),
            }
        }
        for (o, n) in pairs {
            self.operation(o, n);
        }
        for o in removed {
            self.op = Some(o.group());
            self.note(
                "operation-removed",
                Wire::Breaking,
                None,
                &Loc::same(&o.pointer),
                true,
                None,
                format!("operation {} {} removed", o.method.to_uppercase(), o.path),
            );
        }
        for (i, n) in new_ops.iter().enumerate() {
            if new_used[i] {
                continue;
            }
            self.op = Some(n.group());
            self.note(
                "operation-added",
                Wire::Compatible,
                None,
                &Loc::same(&n.pointer),
                false,
                None,
                format!("operation {} {} added", n.method.to_uppercase(), n.path),
            );
        }
        self.op = None;

        self.security_schemes();
        self.unused_schemas();
        self.other_components();
        self.top_level();
    }

    fn operation(&mut self, o: &Op<'a>, n: &Op<'a>) {
        self.op = Some(n.group());
        let at = Loc {
            old: o.pointer.clone(),
            new: n.pointer.clone(),
        };
        if o.id != n.id {
            self.note(
                "operation-renamed",
                Wire::None,
                None,
                &at,
                false,
                None,
                format!("operationId changed from {:?} to {:?}", o.id, n.id),
            );
        }
        self.docs(o.value, n.value, &at, DOC_KEYS);
        for key in ["servers", "callbacks"] {
            if o.value.get(key) != n.value.get(key) {
                self.note(
                    "documentation-changed",
                    Wire::None,
                    None,
                    &at.join(key),
                    n.value.get(key).is_none(),
                    None,
                    format!("{key} changed"),
                );
            }
        }
        self.params(o, n);
        self.request_body(o, n, &at);
        self.responses(o, n, &at);
        self.security(o, n);
    }

    fn params(&mut self, o: &Op<'a>, n: &Op<'a>) {
        let (base, new) = (self.base, self.new);
        let old_params = params(base, o);
        let new_params = params(new, n);
        let old_template = template_names(&o.path);
        let new_template = template_names(&n.path);
        // Path parameters are matched by their place in the path: their names are not sent.
        let matches = |p: &ParamEntry, q: &ParamEntry| {
            if p.location != q.location {
                return false;
            }
            if p.location == "path" {
                let i = old_template.iter().position(|t| *t == p.name);
                let j = new_template.iter().position(|t| *t == q.name);
                return i.is_some() && i == j;
            }
            param_name_eq(&p.location, &p.name, &q.name)
        };
        let mut new_used = vec![false; new_params.len()];
        for p in &old_params {
            let Some(j) = new_params.iter().position(|q| matches(p, q)) else {
                self.note(
                    "parameter-removed",
                    Wire::Compatible,
                    None,
                    &Loc::same(&p.entry),
                    true,
                    None,
                    format!(
                        "{} parameter `{}` removed; the server ignores it from now on",
                        p.location, p.name
                    ),
                );
                continue;
            };
            new_used[j] = true;
            self.param(p, &new_params[j]);
        }
        for (q, _) in new_params.iter().zip(&new_used).filter(|(_, used)| !**used) {
            let (rule, wire, how) = if q.required() {
                (
                    "parameter-added-required",
                    Wire::Breaking,
                    "added as required",
                )
            } else {
                ("parameter-added", Wire::Compatible, "added as optional")
            };
            self.note(
                rule,
                wire,
                None,
                &Loc::same(&q.entry),
                false,
                None,
                format!("{} parameter `{}` {how}", q.location, q.name),
            );
        }
    }

    fn param(&mut self, p: &ParamEntry<'a>, q: &ParamEntry<'a>) {
        let entry = Loc {
            old: p.entry.clone(),
            new: q.entry.clone(),
        };
        if p.location == "path" && p.name != q.name {
            self.note(
                "path-parameter-renamed",
                Wire::None,
                None,
                &entry,
                false,
                None,
                format!(
                    "path parameter `{}` renamed to `{}` (the name is not sent)",
                    p.name, q.name
                ),
            );
        }
        match (p.required(), q.required()) {
            (false, true) => self.note(
                "parameter-made-required",
                Wire::Breaking,
                None,
                &entry,
                false,
                None,
                format!("{} parameter `{}` made required", q.location, q.name),
            ),
            (true, false) => self.note(
                "parameter-made-optional",
                Wire::Compatible,
                None,
                &entry,
                false,
                None,
                format!("{} parameter `{}` made optional", q.location, q.name),
            ),
            _ => {}
        }
        // A shared component parameter is compared once, whoever uses it.
        if let (Some(a), Some(b)) = (&p.reference, &q.reference)
            && !self.seen.insert((a.clone(), b.clone(), Dir::Request))
        {
            return;
        }
        let at = Loc {
            old: p.at.clone(),
            new: q.at.clone(),
        };
        if p.style() != q.style() {
            let ((s1, e1), (s2, e2)) = (p.style(), q.style());
            self.note(
                "parameter-style-changed",
                Wire::Breaking,
                None,
                &at,
                false,
                None,
                format!(
                    "{} parameter `{}` is written differently: style {s1}, explode {e1} became style {s2}, explode {e2}",
                    q.location, q.name
                ),
            );
        }
        self.docs(p.value, q.value, &at, DOC_KEYS);
        match (p.value.get("schema"), q.value.get("schema")) {
            (Some(a), Some(b)) => self.schema(a, b, &at.join("schema"), Dir::Request),
            (a, b) if a != b || p.value.get("content") != q.value.get("content") => self.note(
                "parameter-changed",
                Wire::Breaking,
                None,
                &at,
                false,
                None,
                format!(
                    "{} parameter `{}` changed between `schema` and `content`",
                    q.location, q.name
                ),
            ),
            _ => {}
        }
    }

    fn request_body(&mut self, o: &Op<'a>, n: &Op<'a>, at: &Loc) {
        let (base, new) = (self.base, self.new);
        let at = at.join("requestBody");
        match (o.value.get("requestBody"), n.value.get("requestBody")) {
            (None, None) => {}
            (None, Some(b)) => {
                let required = resolve(new, b).0.get("required") == Some(&Value::Bool(true));
                let (rule, wire, how) = if required {
                    ("request-body-added-required", Wire::Breaking, "required")
                } else {
                    ("request-body-added", Wire::Compatible, "optional")
                };
                self.note(
                    rule,
                    wire,
                    None,
                    &at,
                    false,
                    None,
                    format!("request body added, {how}"),
                );
            }
            (Some(_), None) => self.note(
                "request-body-removed",
                Wire::Breaking,
                None,
                &at,
                true,
                None,
                "request body removed".into(),
            ),
            (Some(a), Some(b)) => {
                let (a, ra) = resolve(base, a);
                let (b, rb) = resolve(new, b);
                let required = |v: &Value| v.get("required") == Some(&Value::Bool(true));
                match (required(a), required(b)) {
                    (false, true) => self.note(
                        "request-body-made-required",
                        Wire::Breaking,
                        None,
                        &at,
                        false,
                        None,
                        "request body made required".into(),
                    ),
                    (true, false) => self.note(
                        "request-body-made-optional",
                        Wire::Compatible,
                        None,
                        &at,
                        false,
                        None,
                        "request body made optional".into(),
                    ),
                    _ => {}
                }
                if let (Some(x), Some(y)) = (&ra, &rb)
                    && !self.seen.insert((x.clone(), y.clone(), Dir::Request))
                {
                    return;
                }
                let inner = Loc {
                    old: ra.unwrap_or_else(|| at.old.clone()),
                    new: rb.unwrap_or_else(|| at.new.clone()),
                };
                self.docs(a, b, &inner, &["description"]);
                self.content(a, b, &inner, Dir::Request);
            }
        }
    }

    /// The media types of a body or a response, and their schemas.
    fn content(&mut self, o: &'a Value, n: &'a Value, at: &Loc, dir: Dir) {
        let empty = no_keys();
        let oc = o.get("content").and_then(Value::as_object).unwrap_or(empty);
        let nc = n.get("content").and_then(Value::as_object).unwrap_or(empty);
        let side = if dir == Dir::Request {
            "request"
        } else {
            "response"
        };
        for (media, a) in oc {
            let here = at.join("content").join(&escape(media));
            let Some(b) = nc.get(media) else {
                self.note(
                    "media-type-removed",
                    Wire::Breaking,
                    None,
                    &here,
                    true,
                    None,
                    format!("{side} media type {media} removed"),
                );
                continue;
            };
            self.docs(a, b, &here, &["example", "examples"]);
            match (a.get("schema"), b.get("schema")) {
                (Some(x), Some(y)) => self.schema(x, y, &here.join("schema"), dir),
                (None, None) => {}
                (x, _) => self.note(
                    "schema-changed",
                    Wire::Breaking,
                    Some(dir),
                    &here.join("schema"),
                    x.is_some(),
                    None,
                    format!(
                        "{side} {media} schema {}",
                        if x.is_some() { "removed" } else { "added" }
                    ),
                ),
            }
            if a.get("encoding") != b.get("encoding") {
                self.note(
                    "media-type-changed",
                    Wire::Breaking,
                    Some(dir),
                    &here.join("encoding"),
                    b.get("encoding").is_none(),
                    None,
                    format!("{side} {media} encoding changed"),
                );
            }
        }
        for media in nc.keys().filter(|m| !oc.contains_key(*m)) {
            self.note(
                "media-type-added",
                Wire::Compatible,
                None,
                &at.join("content").join(&escape(media)),
                false,
                None,
                format!("{side} media type {media} added"),
            );
        }
    }

    fn responses(&mut self, o: &Op<'a>, n: &Op<'a>, at: &Loc) {
        let (base, new) = (self.base, self.new);
        let empty = no_keys();
        let or = o
            .value
            .get("responses")
            .and_then(Value::as_object)
            .unwrap_or(empty);
        let nr = n
            .value
            .get("responses")
            .and_then(Value::as_object)
            .unwrap_or(empty);
        let at = at.join("responses");
        for (status, a) in or {
            let here = at.join(&escape(status));
            let Some(b) = nr.get(status) else {
                self.note(
                    "response-status-removed",
                    Wire::Breaking,
                    None,
                    &here,
                    true,
                    None,
                    format!("response status {status} removed"),
                );
                continue;
            };
            let (a, ra) = resolve(base, a);
            let (b, rb) = resolve(new, b);
            if let (Some(x), Some(y)) = (&ra, &rb)
                && !self.seen.insert((x.clone(), y.clone(), Dir::Response))
            {
                continue;
            }
            let inner = Loc {
                old: ra.unwrap_or(here.old),
                new: rb.unwrap_or(here.new),
            };
            self.docs(a, b, &inner, &["description"]);
            self.content(a, b, &inner, Dir::Response);
            self.headers(a, b, &inner);
        }
        for status in nr.keys().filter(|s| !or.contains_key(*s)) {
            self.note(
                "response-status-added",
                Wire::Compatible,
                None,
                &at.join(&escape(status)),
                false,
                None,
                format!("response status {status} added"),
            );
        }
    }

    fn headers(&mut self, o: &'a Value, n: &'a Value, at: &Loc) {
        let (base, new) = (self.base, self.new);
        let empty = no_keys();
        let oh = o.get("headers").and_then(Value::as_object).unwrap_or(empty);
        let nh = n.get("headers").and_then(Value::as_object).unwrap_or(empty);
        let find = |map: &'a serde_json::Map<String, Value>, name: &str| {
            map.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(k, v)| (k.clone(), v))
        };
        let required = |v: &Value| v.get("required") == Some(&Value::Bool(true));
        for (name, a) in oh {
            let here = at.join("headers").join(&escape(name));
            let Some((new_name, b)) = find(nh, name) else {
                // Clients could not count on an optional header being there.
                let (wire, what) = if required(resolve(base, a).0) {
                    (Wire::Breaking, "required")
                } else {
                    (Wire::Compatible, "optional")
                };
                self.note(
                    "response-header-removed",
                    wire,
                    None,
                    &here,
                    true,
                    None,
                    format!("{what} response header {name} removed"),
                );
                continue;
            };
            let here = Loc {
                old: here.old,
                new: at.join("headers").join(&escape(&new_name)).new,
            };
            let (a, _) = resolve(base, a);
            let (b, _) = resolve(new, b);
            match (required(a), required(b)) {
                (true, false) => self.note(
                    "response-header-made-optional",
                    Wire::Breaking,
                    None,
                    &here,
                    false,
                    None,
                    format!("response header {name} made optional"),
                ),
                (false, true) => self.note(
                    "response-header-made-required",
                    Wire::Compatible,
                    None,
                    &here,
                    false,
                    None,
                    format!("response header {name} made required"),
                ),
                _ => {}
            }
            self.docs(a, b, &here, DOC_KEYS);
            if let (Some(x), Some(y)) = (a.get("schema"), b.get("schema")) {
                self.schema(x, y, &here.join("schema"), Dir::Response);
            }
        }
        for (name, _) in nh {
            if find(oh, name).is_none() {
                self.note(
                    "response-header-added",
                    Wire::Compatible,
                    None,
                    &at.join("headers").join(&escape(name)),
                    false,
                    None,
                    format!("response header {name} added"),
                );
            }
        }
    }

    fn security(&mut self, o: &Op<'a>, n: &Op<'a>) {
        let (base, new) = (self.base, self.new);
        let effective = |doc: &'a Value, op: &Op<'a>| -> (Vec<Requirement>, String) {
            match op.value.get("security") {
                Some(list) => (requirements(list), format!("{}/security", op.pointer)),
                None => (
                    doc.get("security").map(requirements).unwrap_or_default(),
                    "/security".to_string(),
                ),
            }
        };
        let (old, old_at) = effective(base, o);
        let (newer, new_at) = effective(new, n);
        if old == newer {
            return;
        }
        let here = Loc {
            old: old_at,
            new: new_at,
        };
        let open = |reqs: &[Requirement]| reqs.is_empty() || reqs.iter().any(BTreeMap::is_empty);
        // `security: []` and `[{}]` both let anyone call.
        if open(&old) && open(&newer) {
            return;
        }
        let shown = |reqs: &[Requirement]| {
            if open(reqs) && reqs.len() <= 1 {
                return "none".to_string();
            }
            reqs.iter()
                .map(|r| {
                    if r.is_empty() {
                        return "none".to_string();
                    }
                    r.iter()
                        .map(|(name, scopes)| {
                            if scopes.is_empty() {
                                name.clone()
                            } else {
                                format!("{name} [{}]", scopes.join(", "))
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" + ")
                })
                .collect::<Vec<_>>()
                .join(" or ")
        };
        // A client that met an old requirement must meet a new one: same schemes or fewer,
        // each with the same scopes or fewer.
        let still_met = |r: &Requirement| {
            newer.iter().any(|n| {
                n.iter().all(|(name, scopes)| {
                    r.get(name)
                        .is_some_and(|have| scopes.iter().all(|s| have.contains(s)))
                })
            })
        };
        let message = format!("security changed from {} to {}", shown(&old), shown(&newer));
        if open(&old) && !open(&newer) {
            self.note(
                "security-added",
                Wire::Breaking,
                None,
                &here,
                false,
                None,
                message,
            );
        } else if open(&newer) {
            self.note(
                "security-removed",
                Wire::Compatible,
                None,
                &here,
                false,
                None,
                message,
            );
        } else if old.iter().all(still_met) {
            self.note(
                "security-alternative-added",
                Wire::Compatible,
                None,
                &here,
                false,
                None,
                message,
            );
        } else {
            self.note(
                "security-changed",
                Wire::Breaking,
                None,
                &here,
                false,
                None,
                message,
            );
        }
    }

    /// Schemes whose definition changed: every operation using one is affected.
    fn security_schemes(&mut self) {
        let (base, new) = (self.base, self.new);
        let (Some(old), Some(newer)) = (
            base.pointer("/components/securitySchemes")
                .and_then(Value::as_object),
            new.pointer("/components/securitySchemes")
                .and_then(Value::as_object),
        ) else {
            return;
        };
        for (name, a) in old {
            let Some(b) = newer.get(name) else { continue };
            let at = Loc::same(&format!("/components/securitySchemes/{}", escape(name)));
            let (a, _) = resolve(base, a);
            let (b, _) = resolve(new, b);
            self.docs(a, b, &at, &["description"]);
            let defining = |v: &Value| {
                let mut v = v.clone();
                if let Some(map) = v.as_object_mut() {
                    map.retain(|k, _| k != "description" && !k.starts_with("x-"));
                }
                v
            };
            if defining(a) != defining(b) {
                let wire = if self.reach.by_component.contains_key(&at.new) {
                    Wire::Breaking
                } else {
                    Wire::None
                };
                self.note(
                    "security-scheme-changed",
                    wire,
                    None,
                    &at,
                    false,
                    None,
                    format!("security scheme {name} changed: credentials that worked may not"),
                );
            }
        }
    }

    /// Named schemas no operation reaches on either side: compared for their documentation
    /// and for the record, with no effect on the wire.
    fn unused_schemas(&mut self) {
        let (base, new) = (self.base, self.new);
        let (Some(old), Some(newer)) = (
            base.pointer("/components/schemas")
                .and_then(Value::as_object),
            new.pointer("/components/schemas")
                .and_then(Value::as_object),
        ) else {
            return;
        };
        for (name, a) in old {
            let Some(b) = newer.get(name) else { continue };
            let pointer = format!("/components/schemas/{}", escape(name));
            if self.reach.by_component.contains_key(&pointer) {
                continue;
            }
            self.schema(a, b, &Loc::same(&pointer), Dir::Unused);
        }
    }

    /// Components other than schemas and security schemes that no operation reaches, and
    /// examples (which are documentation wherever they are used).
    fn other_components(&mut self) {
        let (base, new) = (self.base, self.new);
        for kind in [
            "parameters",
            "requestBodies",
            "responses",
            "headers",
            "examples",
            "links",
            "callbacks",
        ] {
            let empty = no_keys();
            let pointer = format!("/components/{kind}");
            let old = base
                .pointer(&pointer)
                .and_then(Value::as_object)
                .unwrap_or(empty);
            let newer = new
                .pointer(&pointer)
                .and_then(Value::as_object)
                .unwrap_or(empty);
            let names: BTreeSet<&String> = old.keys().chain(newer.keys()).collect();
            for name in names {
                let at = format!("{pointer}/{}", escape(name));
                let (a, b) = (old.get(name), newer.get(name));
                if a == b {
                    continue;
                }
                let docs = matches!(kind, "examples" | "links" | "callbacks");
                if !docs && self.reach.by_component.contains_key(&at) {
                    continue;
                }
                let what = match (a, b) {
                    (None, _) => "added",
                    (_, None) => "removed",
                    _ => "changed",
                };
                let rule = if docs {
                    "documentation-changed"
                } else {
                    "unused-component-changed"
                };
                let message = if docs {
                    format!("{kind} {name} {what}")
                } else {
                    format!("{kind} {name} {what}; no operation uses it")
                };
                self.note(
                    rule,
                    Wire::None,
                    None,
                    &Loc::same(&at),
                    b.is_none(),
                    None,
                    message,
                );
            }
        }
    }

    fn top_level(&mut self) {
        let (base, new) = (self.base, self.new);
        let empty = Value::Object(Default::default());
        let (oi, ni) = (
            base.get("info").unwrap_or(&empty),
            new.get("info").unwrap_or(&empty),
        );
        self.docs(
            oi,
            ni,
            &Loc::same("/info"),
            &[
                "title",
                "description",
                "termsOfService",
                "contact",
                "license",
            ],
        );
        self.docs(
            base,
            new,
            &Loc::same(""),
            &["openapi", "servers", "tags", "externalDocs"],
        );
    }
}

/// A security requirement: scheme name to its scopes, sorted.
type Requirement = BTreeMap<String, Vec<String>>;

fn requirements(list: &Value) -> Vec<Requirement> {
    let mut out: Vec<Requirement> = list
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            r.as_object()
                .into_iter()
                .flatten()
                .map(|(name, scopes)| {
                    let mut scopes: Vec<String> = scopes
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect();
                    scopes.sort();
                    (name.clone(), scopes)
                })
                .collect()
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The names in a path template, in order.
pub(super) fn template_names(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_are_the_same_operation_whatever_their_parameters_are_called() {
        assert_eq!(normalized_path("/a/{id}/b/{x}"), "/a/{}/b/{}");
        assert_eq!(template_names("/a/{id}/b/{x}"), vec!["id", "x"]);
    }

    #[test]
    fn pointers_inside_components_name_their_component() {
        assert_eq!(
            component_of("/components/schemas/A/properties/b").as_deref(),
            Some("/components/schemas/A")
        );
        assert_eq!(
            component_of("/components/schemas/A").as_deref(),
            Some("/components/schemas/A")
        );
        assert_eq!(component_of("/paths/~1a/get"), None);
    }

    #[test]
    fn requirements_ignore_order() {
        let a = requirements(&json!([{"b": ["y", "x"]}, {"a": []}]));
        let b = requirements(&json!([{"a": []}, {"b": ["x", "y"]}]));
        assert_eq!(a, b);
    }
}
