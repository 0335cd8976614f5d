//! The schema rules of the wire comparison: each keyword change is judged as the schema
//! accepting less (breaks requests), more (breaks responses), or something else (breaks both),
//! and `Effect::on` turns that into a verdict for the direction the schema travels.

use serde_json::Value;

use super::Wire;
use super::escape;
use super::wire::{
    BOTH, DOC_KEYS, Dir, Effect, Loc, NARROWED, NEUTRAL, WIDENED, Walk, no_keys, resolve,
};

/// Keywords this module judges; any other that changes is a change it cannot classify.
const KNOWN: &[&str] = &[
    "$ref",
    "type",
    "format",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
    "uniqueItems",
    "default",
    "readOnly",
    "writeOnly",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "discriminator",
    "nullable",
    "x-rust-type",
];

/// Bounds that accept less as they grow (`Low`) or as they shrink (`High`).
const BOUNDS: &[(&str, Bound)] = &[
    ("minimum", Bound::Low),
    ("maximum", Bound::High),
    ("minLength", Bound::Low),
    ("maxLength", Bound::High),
    ("minItems", Bound::Low),
    ("maxItems", Bound::High),
    ("minProperties", Bound::Low),
    ("maxProperties", Bound::High),
];

#[derive(Clone, Copy)]
enum Bound {
    Low,
    High,
}

/// A use of a schema as the generator reads it: a single-element `allOf` beside `nullable`
/// and documentation is that element; a reference to a nullable named schema is nullable.
struct View<'v> {
    target: &'v Value,
    suffix: &'static str,
    nullable: bool,
}

fn view<'v>(doc: &'v Value, value: &'v Value) -> View<'v> {
    let nullable_flag = |v: &Value| v.get("nullable") == Some(&Value::Bool(true));
    let nullable_target = |v: &Value| v.get("$ref").is_some() && nullable_flag(resolve(doc, v).0);
    if let Some(map) = value.as_object()
        && let Some(Value::Array(items)) = map.get("allOf")
        && items.len() == 1
        && map.keys().all(|k| {
            matches!(
                k.as_str(),
                "allOf" | "nullable" | "default" | "readOnly" | "writeOnly"
            ) || DOC_KEYS.contains(&k.as_str())
                || k.starts_with("x-")
        })
    {
        return View {
            target: &items[0],
            suffix: "/allOf/0",
            nullable: nullable_flag(value) || nullable_target(&items[0]),
        };
    }
    View {
        target: value,
        suffix: "",
        nullable: nullable_flag(value) || nullable_target(value),
    }
}

fn reference(value: &Value) -> Option<&str> {
    value.get("$ref")?.as_str()?.strip_prefix('#')
}

fn has_ref(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.contains_key("$ref") || map.values().any(has_ref),
        Value::Array(items) => items.iter().any(has_ref),
        _ => false,
    }
}

/// A JSON value as messages show it.
fn show(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

impl<'a> Walk<'a> {
    /// Compares two uses of a schema at `at`, travelling in `dir`.
    pub(super) fn schema(&mut self, o: &'a Value, n: &'a Value, at: &Loc, dir: Dir) {
        self.schema_in(o, n, at, dir, 0);
    }

    fn schema_in(&mut self, o: &'a Value, n: &'a Value, at: &Loc, dir: Dir, depth: usize) {
        // Deeper than any schema a person writes: a cycle the references did not show.
        if depth > 64 {
            return;
        }
        let (base, new) = (self.base, self.new);
        let (vo, vn) = (view(base, o), view(new, n));
        if vo.nullable != vn.nullable {
            let (rule, effect, what) = if vn.nullable {
                (
                    "made-nullable",
                    WIDENED,
                    "made nullable: null is valid here now",
                )
            } else {
                (
                    "made-not-nullable",
                    NARROWED,
                    "no longer nullable: null is refused",
                )
            };
            self.note(
                rule,
                effect.on(dir),
                Some(dir),
                at,
                false,
                None,
                what.to_string(),
            );
        }
        let here = Loc {
            old: format!("{}{}", at.old, vo.suffix),
            new: format!("{}{}", at.new, vn.suffix),
        };
        let (to, tn) = (vo.target, vn.target);
        match (reference(to), reference(tn)) {
            (None, None) => self.keywords(to, tn, &here, dir, depth),
            (ro, rn) => {
                let (ao, po) = resolve(base, to);
                let (an, pn) = resolve(new, tn);
                let inner = Loc {
                    old: po.or(ro.map(String::from)).unwrap_or(here.old),
                    new: pn.or(rn.map(String::from)).unwrap_or(here.new),
                };
                // Each pair of named schemas is compared once per direction, which also ends
                // recursive schemas.
                if !self
                    .seen
                    .insert((inner.old.clone(), inner.new.clone(), dir))
                {
                    return;
                }
                self.keywords(ao, an, &inner, dir, depth + 1);
            }
        }
    }

    fn keywords(&mut self, o: &'a Value, n: &'a Value, at: &Loc, dir: Dir, depth: usize) {
        if o == n && !has_ref(o) {
            return;
        }
        let (Some(om), Some(nm)) = (o.as_object(), n.as_object()) else {
            if o != n {
                self.note(
                    "schema-changed",
                    BOTH.on(dir),
                    Some(dir),
                    at,
                    false,
                    None,
                    format!("schema changed from {} to {}", show(o), show(n)),
                );
            }
            return;
        };
        self.docs(
            o,
            n,
            at,
            &[
                "description",
                "title",
                "example",
                "externalDocs",
                "deprecated",
                "xml",
            ],
        );
        // Where a keyword's finding points: the keyword when the new schema has it, else the
        // schema.
        let key_at = |key: &str| {
            if nm.contains_key(key) {
                at.join(key)
            } else {
                Loc {
                    old: at.old.clone(),
                    new: at.new.clone(),
                }
            }
        };

        let (ot, nt) = (om.get("type"), nm.get("type"));
        if ot != nt {
            let name = |t: Option<&Value>| t.map(show).unwrap_or_else(|| "any".into());
            let effect = match (ot.and_then(Value::as_str), nt.and_then(Value::as_str)) {
                (Some("integer"), Some("number")) | (Some(_), None) => WIDENED,
                (Some("number"), Some("integer")) | (None, Some(_)) => NARROWED,
                _ => BOTH,
            };
            self.note(
                "type-changed",
                effect.on(dir),
                Some(dir),
                &key_at("type"),
                false,
                None,
                format!("type changed from {} to {}", name(ot), name(nt)),
            );
            if matches!(effect.request, Wire::Breaking) && matches!(effect.response, Wire::Breaking)
            {
                // Nothing below compares like with like any more.
                return;
            }
        }

        self.changed_rule(om, nm, at, dir, "format", "format-changed");
        self.enums(om, nm, at, dir);
        self.changed_rule(om, nm, at, dir, "pattern", "pattern-changed");
        for (key, bound) in BOUNDS {
            self.bound(om, nm, at, dir, key, *bound);
        }
        for key in ["exclusiveMinimum", "exclusiveMaximum", "uniqueItems"] {
            let flag = |m: &serde_json::Map<String, Value>| m.get(key) == Some(&Value::Bool(true));
            if flag(om) != flag(nm) {
                let (effect, rule) = if flag(nm) {
                    (NARROWED, "constraint-tightened")
                } else {
                    (WIDENED, "constraint-loosened")
                };
                self.note(
                    rule,
                    effect.on(dir),
                    Some(dir),
                    &key_at(key),
                    false,
                    None,
                    format!("{key} changed from {} to {}", flag(om), flag(nm)),
                );
            }
        }
        if om.get("multipleOf") != nm.get("multipleOf") {
            let (a, b) = (
                om.get("multipleOf").and_then(Value::as_f64),
                nm.get("multipleOf").and_then(Value::as_f64),
            );
            let (rule, effect) = match (a, b) {
                (None, Some(_)) => ("constraint-tightened", NARROWED),
                (Some(_), None) => ("constraint-loosened", WIDENED),
                (Some(a), Some(b)) if a != 0.0 && (b / a).fract() == 0.0 => {
                    ("constraint-tightened", NARROWED)
                }
                (Some(a), Some(b)) if b != 0.0 && (a / b).fract() == 0.0 => {
                    ("constraint-loosened", WIDENED)
                }
                _ => ("constraint-changed", BOTH),
            };
            self.note(
                rule,
                effect.on(dir),
                Some(dir),
                &key_at("multipleOf"),
                false,
                None,
                format!(
                    "multipleOf changed from {} to {}",
                    om.get("multipleOf")
                        .map(show)
                        .unwrap_or_else(|| "none".into()),
                    nm.get("multipleOf")
                        .map(show)
                        .unwrap_or_else(|| "none".into())
                ),
            );
        }
        for key in ["default", "readOnly", "writeOnly"] {
            if om.get(key) != nm.get(key) {
                self.note(
                    if key == "default" {
                        "default-changed"
                    } else {
                        "access-changed"
                    },
                    NEUTRAL.on(dir),
                    Some(dir),
                    &key_at(key),
                    false,
                    None,
                    format!(
                        "{key} changed from {} to {}",
                        om.get(key).map(show).unwrap_or_else(|| "none".into()),
                        nm.get(key).map(show).unwrap_or_else(|| "none".into())
                    ),
                );
            }
        }

        self.properties(om, nm, at, dir, depth);
        self.additional(om, nm, at, dir, depth);
        match (om.get("items"), nm.get("items")) {
            (Some(a), Some(b)) => self.schema_in(a, b, &at.join("items"), dir, depth + 1),
            (None, None) => {}
            (a, _) => {
                let (rule, effect) = if a.is_some() {
                    ("constraint-loosened", WIDENED)
                } else {
                    ("constraint-tightened", NARROWED)
                };
                self.note(
                    rule,
                    effect.on(dir),
                    Some(dir),
                    &key_at("items"),
                    false,
                    None,
                    format!("items {}", if a.is_some() { "removed" } else { "added" }),
                );
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            self.composition(om, nm, at, dir, depth, key);
        }
        for key in om.keys().chain(nm.keys().filter(|k| !om.contains_key(*k))) {
            let unknown = ["not", "discriminator"].contains(&key.as_str())
                || !(KNOWN.contains(&key.as_str())
                    || DOC_KEYS.contains(&key.as_str())
                    || key.starts_with("x-"));
            if unknown && om.get(key) != nm.get(key) {
                self.note(
                    "schema-changed",
                    BOTH.on(dir),
                    Some(dir),
                    &key_at(key),
                    false,
                    None,
                    format!("{key} changed in a way the diff does not classify; taken as breaking"),
                );
            }
        }
    }

    /// A keyword whose any change may refuse old values and admit new ones (`format`,
    /// `pattern`): added narrows, removed widens, changed does both.
    fn changed_rule(
        &mut self,
        om: &serde_json::Map<String, Value>,
        nm: &serde_json::Map<String, Value>,
        at: &Loc,
        dir: Dir,
        key: &str,
        changed: &'static str,
    ) {
        let (a, b) = (om.get(key), nm.get(key));
        if a == b {
            return;
        }
        let (rule, effect, message) = match (a, b) {
            (None, Some(b)) => (
                "constraint-tightened",
                NARROWED,
                format!("{key} {} added", show(b)),
            ),
            (Some(a), None) => (
                "constraint-loosened",
                WIDENED,
                format!("{key} {} removed", show(a)),
            ),
            (Some(a), Some(b)) => (
                changed,
                BOTH,
                format!("{key} changed from {} to {}", show(a), show(b)),
            ),
            (None, None) => return,
        };
        let here = if b.is_some() {
            at.join(key)
        } else {
            at.clone()
        };
        self.note(rule, effect.on(dir), Some(dir), &here, false, None, message);
    }

    fn enums(
        &mut self,
        om: &serde_json::Map<String, Value>,
        nm: &serde_json::Map<String, Value>,
        at: &Loc,
        dir: Dir,
    ) {
        match (om.get("enum"), nm.get("enum")) {
            (Some(Value::Array(a)), Some(Value::Array(b))) => {
                let here = at.join("enum");
                for value in a.iter().filter(|v| !b.contains(v)) {
                    self.note(
                        "enum-value-removed",
                        NARROWED.on(dir),
                        Some(dir),
                        &here,
                        false,
                        Some(item(value)),
                        format!("enum value {} removed", show(value)),
                    );
                }
                for value in b.iter().filter(|v| !a.contains(v)) {
                    self.note(
                        "enum-value-added",
                        WIDENED.on(dir),
                        Some(dir),
                        &here,
                        false,
                        Some(item(value)),
                        format!("enum value {} added", show(value)),
                    );
                }
            }
            (None, None) => {}
            (a, b) if a == b => {}
            (None, Some(_)) => self.note(
                "constraint-tightened",
                NARROWED.on(dir),
                Some(dir),
                &at.join("enum"),
                false,
                None,
                "enum added: only the listed values are valid".into(),
            ),
            (Some(_), None) => self.note(
                "constraint-loosened",
                WIDENED.on(dir),
                Some(dir),
                at,
                false,
                None,
                "enum removed: any value of the type is valid".into(),
            ),
            _ => self.note(
                "schema-changed",
                BOTH.on(dir),
                Some(dir),
                &at.join("enum"),
                false,
                None,
                "enum is not a list".into(),
            ),
        }
    }

    fn bound(
        &mut self,
        om: &serde_json::Map<String, Value>,
        nm: &serde_json::Map<String, Value>,
        at: &Loc,
        dir: Dir,
        key: &str,
        bound: Bound,
    ) {
        let (a, b) = (
            om.get(key).and_then(Value::as_f64),
            nm.get(key).and_then(Value::as_f64),
        );
        if a == b {
            return;
        }
        let narrower = match (a, b, bound) {
            (None, Some(_), _) => true,
            (Some(_), None, _) => false,
            (Some(a), Some(b), Bound::Low) => b > a,
            (Some(a), Some(b), Bound::High) => b < a,
            (None, None, _) => return,
        };
        let (rule, effect) = if narrower {
            ("constraint-tightened", NARROWED)
        } else {
            ("constraint-loosened", WIDENED)
        };
        let shown = |v: Option<&Value>| v.map(show).unwrap_or_else(|| "none".into());
        let here = if nm.contains_key(key) {
            at.join(key)
        } else {
            at.clone()
        };
        self.note(
            rule,
            effect.on(dir),
            Some(dir),
            &here,
            false,
            None,
            format!(
                "{key} changed from {} to {}",
                shown(om.get(key)),
                shown(nm.get(key))
            ),
        );
    }

    fn properties(
        &mut self,
        om: &'a serde_json::Map<String, Value>,
        nm: &'a serde_json::Map<String, Value>,
        at: &Loc,
        dir: Dir,
        depth: usize,
    ) {
        let empty = no_keys();
        let op = om
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(empty);
        let np = nm
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(empty);
        let required = |m: &serde_json::Map<String, Value>, name: &str| {
            m.get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|v| v.as_str() == Some(name)))
        };
        let closed = nm.get("additionalProperties") == Some(&Value::Bool(false));
        for (name, a) in op {
            let here = at.join("properties").join(&escape(name));
            let Some(b) = np.get(name) else {
                // A server that ignores unknown fields takes a request that still sends it;
                // clients lose only what was promised, a required property: an optional one
                // they had to do without already.
                let effect = Effect {
                    request: if closed {
                        Wire::Breaking
                    } else {
                        Wire::Compatible
                    },
                    response: if required(om, name) {
                        Wire::Breaking
                    } else {
                        Wire::Compatible
                    },
                };
                let what = if required(om, name) {
                    "required"
                } else {
                    "optional"
                };
                self.note(
                    "property-removed",
                    effect.on(dir),
                    Some(dir),
                    &here,
                    true,
                    None,
                    format!("{what} property `{name}` removed"),
                );
                continue;
            };
            match (required(om, name), required(nm, name)) {
                (false, true) => self.note(
                    "property-made-required",
                    NARROWED.on(dir),
                    Some(dir),
                    &here,
                    false,
                    None,
                    format!("property `{name}` made required"),
                ),
                (true, false) => self.note(
                    "property-made-optional",
                    WIDENED.on(dir),
                    Some(dir),
                    &here,
                    false,
                    None,
                    format!("property `{name}` made optional"),
                ),
                _ => {}
            }
            self.schema_in(a, b, &here, dir, depth + 1);
        }
        for name in np.keys().filter(|k| !op.contains_key(*k)) {
            let here = at.join("properties").join(&escape(name));
            let (rule, effect, how) = if required(nm, name) {
                ("property-added-required", NARROWED, "added as required")
            } else {
                ("property-added", NEUTRAL, "added as optional")
            };
            self.note(
                rule,
                effect.on(dir),
                Some(dir),
                &here,
                false,
                None,
                format!("property `{name}` {how}"),
            );
        }
    }

    fn additional(
        &mut self,
        om: &'a serde_json::Map<String, Value>,
        nm: &'a serde_json::Map<String, Value>,
        at: &Loc,
        dir: Dir,
        depth: usize,
    ) {
        // Absent and `true` both let any other property through.
        let open = |v: Option<&Value>| v.is_none() || v == Some(&Value::Bool(true));
        let (a, b) = (
            om.get("additionalProperties"),
            nm.get("additionalProperties"),
        );
        if open(a) && open(b) || a == b && !a.is_some_and(has_ref) {
            return;
        }
        let here = at.join("additionalProperties");
        let closed = |v: Option<&Value>| v == Some(&Value::Bool(false));
        let effect = match (a, b) {
            (Some(x), Some(y)) if x.is_object() && y.is_object() => {
                return self.schema_in(x, y, &here, dir, depth + 1);
            }
            _ if open(a) => NARROWED,
            _ if open(b) => WIDENED,
            _ if closed(a) => WIDENED,
            _ => NARROWED,
        };
        let (rule, what) = if effect.request == Wire::Breaking {
            ("constraint-tightened", "narrowed")
        } else {
            ("constraint-loosened", "widened")
        };
        let shown = |v: Option<&Value>| v.map(show).unwrap_or_else(|| "absent".into());
        self.note(
            rule,
            effect.on(dir),
            Some(dir),
            if b.is_some() { &here } else { at },
            false,
            None,
            format!(
                "additionalProperties {what}: {} became {}",
                shown(a),
                shown(b)
            ),
        );
    }

    fn composition(
        &mut self,
        om: &'a serde_json::Map<String, Value>,
        nm: &'a serde_json::Map<String, Value>,
        at: &Loc,
        dir: Dir,
        depth: usize,
        key: &str,
    ) {
        match (om.get(key), nm.get(key)) {
            (Some(Value::Array(a)), Some(Value::Array(b))) if a.len() == b.len() => {
                let here = at.join(key);
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    self.schema_in(x, y, &here.join(&i.to_string()), dir, depth + 1);
                }
            }
            (Some(Value::Array(a)), Some(Value::Array(b))) => {
                // More branches of anyOf/oneOf admit more; more parts of allOf admit less.
                let more = b.len() > a.len();
                let narrower = (key == "allOf") == more;
                let (rule, effect) = if narrower {
                    ("constraint-tightened", NARROWED)
                } else {
                    ("constraint-loosened", WIDENED)
                };
                self.note(
                    rule,
                    effect.on(dir),
                    Some(dir),
                    &at.join(key),
                    false,
                    None,
                    format!("{key} went from {} to {} schemas", a.len(), b.len()),
                );
            }
            (None, None) => {}
            (a, b) => self.note(
                "schema-changed",
                BOTH.on(dir),
                Some(dir),
                &if b.is_some() {
                    at.join(key)
                } else {
                    at.clone()
                },
                false,
                None,
                format!(
                    "{key} {}; taken as breaking",
                    if a.is_some() { "removed" } else { "added" }
                ),
            ),
        }
    }
}

/// An enum value as findings name it.
fn item(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_nullable_single_all_of_is_its_element() {
        let doc = json!({"components": {"schemas": {"A": {"type": "object", "nullable": true}}}});
        let wrapped = json!({"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true, "description": "d"});
        let v = view(&doc, &wrapped);
        assert_eq!(v.target, &json!({"$ref": "#/components/schemas/A"}));
        assert_eq!(v.suffix, "/allOf/0");
        assert!(v.nullable);
        let bare = json!({"$ref": "#/components/schemas/A"});
        assert!(view(&doc, &bare).nullable);
        let two = json!({"allOf": [{"type": "string"}, {"minLength": 1}]});
        assert_eq!(view(&doc, &two).suffix, "");
    }
}
