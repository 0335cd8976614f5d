//! The Rust comparison: the public surface of the generated client and types, read from the
//! generator's own operation model and type space, so that what users of the crates see (a
//! renamed type, a new variant on an enum they match, a new field on a struct they build, a
//! changed method signature) is found even where the wire does not change.
//!
//! Its users are client code: it calls `Client` methods with positional arguments, builds the
//! types of arguments and bodies, and reads and matches the types of answers. The stubs'
//! `Api` trait is implemented in this workspace, where the compiler flags every change.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::Value;
use typify::{TypeDetails, TypeEnumVariant, TypeSpace, TypeSpaceImpl};

use super::wire::{self, resolve};
use super::{Rust, escape};
use crate::codegen::model::{Model, Status, sanitize};
use crate::codegen::{self, types::rust_name};
use crate::spec::{Spec, SpecError};

/// What the generated crates offer, for one version of the spec.
#[derive(Debug)]
pub(super) struct Surface {
    types: BTreeMap<String, Shape>,
    methods: BTreeMap<String, Method>,
    /// For each generated type, the pointer of the schema it was generated from.
    pointers: BTreeMap<String, String>,
    /// Types reachable from client arguments: users build them.
    constructed: BTreeSet<String>,
    /// Types reachable from answers: users read them and match on them.
    matched: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Struct { fields: Vec<Field>, default: bool },
    Enum { variants: Vec<Variant> },
    Newtype { inner: String },
}

impl Shape {
    fn kind(&self) -> &'static str {
        match self {
            Shape::Struct { .. } => "a struct",
            Shape::Enum { .. } => "an enum",
            Shape::Newtype { .. } => "a newtype",
        }
    }

    /// Every type name written in it.
    fn mentions(&self) -> Vec<String> {
        let texts: Vec<&str> = match self {
            Shape::Struct { fields, .. } => fields.iter().map(|f| f.ty.as_str()).collect(),
            Shape::Enum { variants } => variants.iter().map(|v| v.payload.as_str()).collect(),
            Shape::Newtype { inner } => vec![inner.as_str()],
        };
        texts.into_iter().flat_map(names_in).collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Field {
    name: String,
    ty: String,
    /// The schema property it comes from.
    key: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct Variant {
    name: String,
    payload: String,
    /// The enum value it stands for.
    value: Option<String>,
}

#[derive(Debug)]
struct Method {
    pointer: String,
    args: Vec<Arg>,
    ok: String,
    err: String,
}

#[derive(Debug)]
struct Arg {
    /// `query limit`, `path device_id`, `header x-trace` or `body`: what the argument is
    /// on the wire, which survives a reordering.
    key: String,
    name: String,
    ty: String,
    pointer: String,
}

/// One difference of the surfaces.
#[derive(Debug)]
pub(super) struct Change {
    pub rule: &'static str,
    pub rust: Rust,
    pub pointer: Option<String>,
    pub gone: bool,
    pub item: Option<String>,
    pub message: String,
}

/// The named types written in a Rust type, e.g. `Option<types::A>` → `A`.
fn names_in(ty: &str) -> Vec<String> {
    ty.match_indices("types::")
        .map(|(i, m)| {
            ty[i + m.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// A Rust type as messages show it: without the paths.
fn pretty(ty: &str) -> String {
    let mut out = ty.to_string();
    for path in [
        "::std::option::",
        "::std::vec::",
        "::std::string::",
        "::std::num::",
        "::std::collections::",
        "::std::net::",
        "::std::boxed::",
        "::serde_json::",
        "::std::",
        "types::",
    ] {
        out = out.replace(path, "");
    }
    out
}

fn type_string(space: &TypeSpace, id: &typify::TypeId) -> String {
    space
        .get_type(id)
        .map(|t| t.ident().to_string().replace(' ', ""))
        .unwrap_or_else(|_| "?".into())
}

/// Letters and digits only, lowercased: how a variant name is matched with its enum value.
fn folded(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl Surface {
    /// The surface the generator makes of `spec`, or why it cannot make one.
    pub fn read(spec: &Spec) -> Result<Surface, SpecError> {
        let model = codegen::read_model(spec)?;
        // typify's inspection calls panic on states it considers impossible; a spec must
        // never turn that into a crash of the diff.
        codegen::guarded(spec, "Rust surface", || Ok(Surface::of(&model, spec)))
    }

    fn of(model: &Model, spec: &Spec) -> Surface {
        let space = &model.types;
        let mut types = BTreeMap::new();
        for t in space.iter_types() {
            let shape = match t.details() {
                TypeDetails::Struct(s) => {
                    let mut all_optional = true;
                    let fields = s
                        .properties_info()
                        .map(|info| {
                            all_optional &= !info.required;
                            Field {
                                name: info.name.to_string(),
                                ty: type_string(space, &info.type_id),
                                key: None,
                            }
                        })
                        .collect();
                    Shape::Struct {
                        fields,
                        // typify derives `Default` when no property is required.
                        default: all_optional || t.has_impl(TypeSpaceImpl::Default),
                    }
                }
                TypeDetails::Enum(e) => Shape::Enum {
                    variants: e
                        .variants()
                        .map(|(name, details)| Variant {
                            name: name.to_string(),
                            payload: match details {
                                TypeEnumVariant::Simple => String::new(),
                                TypeEnumVariant::Tuple(ids) => format!(
                                    "({})",
                                    ids.iter()
                                        .map(|id| type_string(space, id))
                                        .collect::<Vec<_>>()
                                        .join(",")
                                ),
                                TypeEnumVariant::Struct(props) => format!(
                                    "{{{}}}",
                                    props
                                        .iter()
                                        .map(|(n, id)| format!("{n}:{}", type_string(space, id)))
                                        .collect::<Vec<_>>()
                                        .join(",")
                                ),
                            },
                            value: None,
                        })
                        .collect(),
                },
                TypeDetails::Newtype(n) => Shape::Newtype {
                    inner: type_string(space, &n.inner()),
                },
                _ => continue,
            };
            types.insert(t.name(), shape);
        }

        let mut pointers = BTreeMap::new();
        for name in spec
            .json
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.keys())
        {
            pointers.insert(
                rust_name(name),
                format!("/components/schemas/{}", escape(name)),
            );
        }

        let ops = wire::operations(&spec.json);
        let mut methods = BTreeMap::new();
        for op in &model.operations {
            let pointer = format!("/paths/{}/{}", escape(&op.path), op.method);
            let entries = ops
                .iter()
                .find(|o| o.pointer == pointer)
                .map(|o| wire::params(&spec.json, o))
                .unwrap_or_default();
            let op_json = spec.json.pointer(&pointer);
            let mut args = Vec::new();
            for p in &op.params {
                let location = p.location.as_str();
                let entry = entries.iter().find(|e| {
                    e.location == location
                        && (e.name == p.api_name
                            || location == "header" && e.name.eq_ignore_ascii_case(&p.api_name))
                });
                let ty = p.ty.to_string().replace(' ', "");
                if let (Some(entry), Some(name)) = (entry, names_in(&ty).first()) {
                    pointers
                        .entry(name.clone())
                        .or_insert_with(|| format!("{}/schema", entry.at));
                }
                args.push(Arg {
                    key: format!("{location} {}", p.api_name.to_ascii_lowercase()),
                    name: p.name.clone(),
                    ty: if p.required {
                        ty
                    } else {
                        format!("Option<{ty}>")
                    },
                    pointer: entry.map(|e| e.entry.clone()).unwrap_or(pointer.clone()),
                });
            }
            if let Some(body) = &op.body {
                let ty = body.ty.to_string().replace(' ', "");
                let at = format!("{pointer}/requestBody");
                let resolved = op_json
                    .and_then(|o| o.get("requestBody"))
                    .map(|b| resolve(&spec.json, b).1.unwrap_or(at.clone()))
                    .unwrap_or(at.clone());
                if let Some(name) = names_in(&ty).first() {
                    pointers.entry(name.clone()).or_insert_with(|| {
                        format!("{resolved}/content/{}/schema", escape(&body.content_type))
                    });
                }
                // The client takes a body by reference whether or not the spec requires one.
                args.push(Arg {
                    key: "body".into(),
                    name: "body".into(),
                    ty,
                    pointer: at,
                });
            }
            let (mut ok, mut err) = (BTreeSet::new(), BTreeSet::new());
            for r in &op.responses {
                let success = match r.status {
                    Status::Code(code) => (200..300).contains(&code),
                    Status::Range(class) => class == 2,
                    Status::Default => false,
                };
                let ty = r
                    .body
                    .as_ref()
                    .map(|b| b.ty.to_string().replace(' ', ""))
                    .unwrap_or_else(|| "()".into());
                if let Some(b) = &r.body
                    && let Some(name) = names_in(&ty).first()
                {
                    let at = format!("{pointer}/responses/{}", escape(&r.status.key()));
                    let resolved = spec
                        .json
                        .pointer(&at)
                        .map(|v| resolve(&spec.json, v).1.unwrap_or(at.clone()))
                        .unwrap_or(at);
                    pointers.entry(name.clone()).or_insert_with(|| {
                        format!("{resolved}/content/{}/schema", escape(&b.content_type))
                    });
                }
                if success { &mut ok } else { &mut err }.insert(ty);
            }
            let join = |set: BTreeSet<String>| {
                if set.is_empty() {
                    "()".to_string()
                } else {
                    set.into_iter().collect::<Vec<_>>().join(" | ")
                }
            };
            methods.insert(
                op.name.clone(),
                Method {
                    pointer,
                    args,
                    ok: join(ok),
                    err: join(err),
                },
            );
        }

        locate_inline_types(&spec.json, &mut types, &mut pointers);

        let closure = |roots: Vec<String>| {
            let mut out = BTreeSet::new();
            let mut queue: VecDeque<String> = roots.into();
            while let Some(name) = queue.pop_front() {
                if !out.insert(name.clone()) {
                    continue;
                }
                if let Some(shape) = types.get(&name) {
                    queue.extend(shape.mentions());
                }
            }
            out
        };
        let constructed = closure(
            methods
                .values()
                .flat_map(|m| m.args.iter().flat_map(|a| names_in(&a.ty)))
                .collect(),
        );
        let matched = closure(
            methods
                .values()
                .flat_map(|m| names_in(&m.ok).into_iter().chain(names_in(&m.err)))
                .collect(),
        );
        Surface {
            types,
            methods,
            pointers,
            constructed,
            matched,
        }
    }
}

/// Follows struct fields from the types already located to the inline schemas of their
/// properties, and notes which property each field and which enum value each variant is.
fn locate_inline_types(
    doc: &Value,
    types: &mut BTreeMap<String, Shape>,
    pointers: &mut BTreeMap<String, String>,
) {
    let mut queue: VecDeque<String> = pointers.keys().cloned().collect();
    let mut done = BTreeSet::new();
    while let Some(name) = queue.pop_front() {
        if !done.insert(name.clone()) {
            continue;
        }
        let (Some(pointer), Some(shape)) = (pointers.get(&name).cloned(), types.get_mut(&name))
        else {
            continue;
        };
        let Some(schema) = doc.pointer(&pointer).map(|v| resolve(doc, v).0) else {
            continue;
        };
        match shape {
            Shape::Struct { fields, .. } => {
                let props = schema.get("properties").and_then(Value::as_object);
                for field in fields {
                    let key = props.and_then(|p| {
                        p.keys()
                            .find(|k| *k == &field.name || sanitize(k, false) == field.name)
                    });
                    let Some(key) = key else { continue };
                    field.key = Some(key.clone());
                    let mut at = format!("{pointer}/properties/{}", escape(key));
                    // Down through arrays and single-element allOf to where the inline type is.
                    for _ in 0..8 {
                        let Some(node) = doc.pointer(&at) else { break };
                        if node.get("type") == Some(&Value::String("array".into())) {
                            at.push_str("/items");
                        } else if node
                            .get("allOf")
                            .and_then(Value::as_array)
                            .is_some_and(|a| a.len() == 1)
                        {
                            at.push_str("/allOf/0");
                        } else {
                            break;
                        }
                    }
                    for inner in names_in(&field.ty) {
                        if !pointers.contains_key(&inner) {
                            pointers.insert(inner.clone(), at.clone());
                            queue.push_back(inner);
                        }
                    }
                }
            }
            Shape::Enum { variants } => {
                let values: Vec<String> = schema
                    .get("enum")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect();
                for variant in variants {
                    variant.value = values
                        .iter()
                        .find(|v| folded(v) == folded(&variant.name))
                        .cloned();
                }
            }
            Shape::Newtype { .. } => {}
        }
    }
}

impl Surface {
    fn pointer(&self, ty: &str) -> Option<String> {
        self.pointers.get(ty).cloned()
    }

    /// Whether users may build values of `ty`: it is an argument's type or inside one, or no
    /// operation uses it and so nothing is known.
    fn built_by_users(&self, ty: &str) -> bool {
        self.constructed.contains(ty) || !self.matched.contains(ty)
    }

    /// Whether users may `match` on `ty`: it is in an answer, or no operation uses it.
    fn matched_by_users(&self, ty: &str) -> bool {
        self.matched.contains(ty) || !self.constructed.contains(ty)
    }
}

/// Old type names and the new names of the same types.
type Renames = BTreeMap<String, String>;

/// `ty` with the types renamed since written under their new names.
fn renamed(ty: &str, renames: &Renames) -> String {
    if renames.is_empty() {
        return ty.to_string();
    }
    let mut out = String::new();
    let mut rest = ty;
    while let Some(i) = rest.find("types::") {
        let start = i + "types::".len();
        out.push_str(&rest[..start]);
        let len = rest[start..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len() - start);
        let name = &rest[start..start + len];
        out.push_str(renames.get(name).map_or(name, String::as_str));
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

/// Every difference between two surfaces, judged for code that used the old one.
pub(super) fn compare(old: &Surface, new: &Surface) -> Vec<Change> {
    let mut out = Vec::new();
    let renames = types(old, new, &mut out);
    methods(old, new, &renames, &mut out);
    out
}

/// Compares the types; a type gone whose twin (same shape) is new counts as renamed, and
/// the renames are returned so that nothing else is reported changed for them.
fn types(old: &Surface, new: &Surface, out: &mut Vec<Change>) -> Renames {
    let added: Vec<&String> = new
        .types
        .keys()
        .filter(|k| !old.types.contains_key(*k))
        .collect();
    let mut renames = Renames::new();
    for (name, shape) in &old.types {
        if new.types.contains_key(name) {
            continue;
        }
        let twin = added.iter().find(|n| {
            !renames.values().any(|taken| taken == **n) && new.types.get(**n) == Some(shape)
        });
        if let Some(twin) = twin {
            renames.insert(name.clone(), (*twin).clone());
        }
    }
    for (name, shape) in &old.types {
        let Some(now) = new.types.get(name) else {
            match renames.get(name) {
                Some(twin) => {
                    out.push(Change {
                        rule: "type-renamed",
                        rust: Rust::Breaking,
                        pointer: new.pointer(twin),
                        gone: false,
                        item: None,
                        message: format!("type `{name}` renamed to `{twin}`"),
                    });
                }
                None => out.push(Change {
                    rule: "type-removed",
                    rust: Rust::Breaking,
                    pointer: old.pointer(name),
                    gone: true,
                    item: None,
                    message: format!("type `{name}` removed"),
                }),
            }
            continue;
        };
        shape_change(name, shape, now, old, new, &renames, out);
    }
    for name in added
        .into_iter()
        .filter(|n| !renames.values().any(|taken| taken == *n))
    {
        out.push(Change {
            rule: "type-added",
            rust: Rust::Addition,
            pointer: new.pointer(name),
            gone: false,
            item: None,
            message: format!("type `{name}` added"),
        });
    }
    renames
}

fn shape_change(
    name: &str,
    was: &Shape,
    now: &Shape,
    old: &Surface,
    new: &Surface,
    renames: &Renames,
    out: &mut Vec<Change>,
) {
    let old_at = old.pointer(name);
    let new_at = new.pointer(name);
    let below = |at: &Option<String>, rest: &str| at.as_ref().map(|p| format!("{p}/{rest}"));
    // Where a field's property is: in the new schema if it is there, else in the old one
    // (a property gone from `properties` but still `required` keeps its field), else the
    // type itself.
    let field_at = |f: Option<&Field>, g: Option<&Field>| {
        let property = |field: Option<&Field>, at: &Option<String>| {
            field
                .and_then(|x| x.key.as_ref())
                .and_then(|k| below(at, &format!("properties/{}", escape(k))))
        };
        property(g, &new_at)
            .or_else(|| property(f, &old_at))
            .or_else(|| new_at.clone())
            .or_else(|| old_at.clone())
    };
    match (was, now) {
        (
            Shape::Struct {
                fields: a,
                default: da,
            },
            Shape::Struct {
                fields: b,
                default: db,
            },
        ) => {
            for f in a {
                let Some(g) = b.iter().find(|g| g.name == f.name) else {
                    out.push(Change {
                        rule: "field-removed",
                        rust: Rust::Breaking,
                        pointer: field_at(Some(f), None),
                        gone: true,
                        item: None,
                        message: format!("field `{}` of `{name}` removed", f.name),
                    });
                    continue;
                };
                if renamed(&f.ty, renames) != g.ty {
                    out.push(Change {
                        rule: "field-type-changed",
                        rust: Rust::Breaking,
                        pointer: field_at(Some(f), Some(g)),
                        gone: false,
                        item: None,
                        message: format!(
                            "field `{}` of `{name}` changed from `{}` to `{}`",
                            f.name,
                            pretty(&f.ty),
                            pretty(&g.ty)
                        ),
                    });
                }
            }
            for g in b.iter().filter(|g| !a.iter().any(|f| f.name == g.name)) {
                // Built with a struct literal, it now needs the field, unless it was and
                // still is `Default` and so could be built with `..Default::default()`.
                let breaks =
                    (old.built_by_users(name) || new.built_by_users(name)) && !(*da && *db);
                out.push(Change {
                    rule: "field-added",
                    rust: if breaks { Rust::Breaking } else { Rust::Addition },
                    pointer: field_at(None, Some(g)),
                    gone: false,
                    item: None,
                    message: if breaks {
                        format!(
                            "new field `{}` of `{name}`, which users build: their struct literals must set it",
                            g.name
                        )
                    } else {
                        format!("new field `{}` of `{name}`", g.name)
                    },
                });
            }
        }
        (Shape::Enum { variants: a }, Shape::Enum { variants: b }) => {
            for v in a {
                match b.iter().find(|w| w.name == v.name) {
                    None => out.push(Change {
                        rule: "variant-removed",
                        rust: Rust::Breaking,
                        pointer: below(&old_at, "enum").or_else(|| new_at.clone()),
                        gone: false,
                        item: v.value.clone(),
                        message: format!("variant `{name}::{}` removed", v.name),
                    }),
                    Some(w) if renamed(&v.payload, renames) != w.payload => out.push(Change {
                        rule: "variant-changed",
                        rust: Rust::Breaking,
                        pointer: new_at.clone(),
                        gone: false,
                        item: None,
                        message: format!(
                            "variant `{name}::{}` changed from `{}` to `{}`",
                            v.name,
                            pretty(&v.payload),
                            pretty(&w.payload)
                        ),
                    }),
                    Some(_) => {}
                }
            }
            for w in b.iter().filter(|w| !a.iter().any(|v| v.name == w.name)) {
                let breaks = old.matched_by_users(name) || new.matched_by_users(name);
                out.push(Change {
                    rule: "variant-added",
                    rust: if breaks {
                        Rust::Breaking
                    } else {
                        Rust::Addition
                    },
                    pointer: below(&new_at, "enum").or_else(|| old_at.clone()),
                    gone: false,
                    item: w.value.clone(),
                    message: if breaks {
                        format!(
                            "new variant `{name}::{}`: an exhaustive `match` on `{name}` must handle it",
                            w.name
                        )
                    } else {
                        format!("new variant `{name}::{}`", w.name)
                    },
                });
            }
        }
        (Shape::Newtype { inner: a }, Shape::Newtype { inner: b }) => {
            if &renamed(a, renames) != b {
                out.push(Change {
                    rule: "newtype-changed",
                    rust: Rust::Breaking,
                    pointer: new_at,
                    gone: false,
                    item: None,
                    message: format!(
                        "`{name}` now wraps `{}` instead of `{}`",
                        pretty(b),
                        pretty(a)
                    ),
                });
            }
        }
        (a, b) => out.push(Change {
            rule: "type-changed",
            rust: Rust::Breaking,
            pointer: new_at,
            gone: false,
            item: None,
            message: format!("`{name}` changed from {} to {}", a.kind(), b.kind()),
        }),
    }
}

fn methods(old: &Surface, new: &Surface, renames: &Renames, out: &mut Vec<Change>) {
    for (name, m) in &old.methods {
        let Some(n) = new.methods.get(name) else {
            out.push(Change {
                rule: "method-removed",
                rust: Rust::Breaking,
                pointer: Some(m.pointer.clone()),
                gone: true,
                item: None,
                message: format!("client method `{name}` removed"),
            });
            continue;
        };
        arguments(name, m, n, renames, out);
        if renamed(&m.ok, renames) != n.ok || renamed(&m.err, renames) != n.err {
            let shown = |m: &Method| format!("Result<{}, {}>", pretty(&m.ok), pretty(&m.err));
            out.push(Change {
                rule: "return-type-changed",
                rust: Rust::Breaking,
                pointer: Some(n.pointer.clone()),
                gone: false,
                item: Some("return".into()),
                message: format!(
                    "client method `{name}` now answers {} instead of {}",
                    shown(n),
                    shown(m)
                ),
            });
        }
    }
    for (name, n) in &new.methods {
        if !old.methods.contains_key(name) {
            out.push(Change {
                rule: "method-added",
                rust: Rust::Addition,
                pointer: Some(n.pointer.clone()),
                gone: false,
                item: None,
                message: format!("client method `{name}` added"),
            });
        }
    }
}

fn arguments(name: &str, m: &Method, n: &Method, renames: &Renames, out: &mut Vec<Change>) {
    // Callers pass arguments by position: only the list of types matters to them.
    let types = |m: &Method, renames: &Renames| {
        m.args
            .iter()
            .map(|a| renamed(&a.ty, renames))
            .collect::<Vec<_>>()
    };
    let (was, now) = (types(m, renames), types(n, &Renames::new()));
    if was == now {
        return;
    }
    let names = |m: &Method| {
        m.args
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let order_changed = || Change {
        rule: "argument-order-changed",
        rust: Rust::Breaking,
        pointer: Some(n.pointer.clone()),
        gone: false,
        item: Some("arguments".into()),
        message: format!(
            "the arguments of client method `{name}` changed order: ({}) became ({})",
            names(m),
            names(n)
        ),
    };
    // The same types in another order (a renamed query parameter sorts elsewhere): calls
    // still name every argument, in the wrong places.
    let (mut a, mut b) = (was.clone(), now.clone());
    a.sort();
    b.sort();
    if a == b {
        out.push(order_changed());
        return;
    }
    for a in &m.args {
        match n.args.iter().find(|b| b.key == a.key) {
            None => out.push(Change {
                rule: "argument-removed",
                rust: Rust::Breaking,
                pointer: Some(a.pointer.clone()),
                gone: true,
                item: None,
                message: format!("client method `{name}` no longer takes `{}`", a.name),
            }),
            Some(b) if renamed(&a.ty, renames) != b.ty => out.push(Change {
                rule: "argument-type-changed",
                rust: Rust::Breaking,
                pointer: Some(b.pointer.clone()),
                gone: false,
                item: None,
                message: format!(
                    "argument `{}` of client method `{name}` changed from `{}` to `{}`",
                    b.name,
                    pretty(&a.ty),
                    pretty(&b.ty)
                ),
            }),
            Some(_) => {}
        }
    }
    for b in n
        .args
        .iter()
        .filter(|b| !m.args.iter().any(|a| a.key == b.key))
    {
        out.push(Change {
            rule: "argument-added",
            rust: Rust::Breaking,
            pointer: Some(b.pointer.clone()),
            gone: false,
            item: None,
            message: format!(
                "client method `{name}` takes a new argument `{}: {}`",
                b.name,
                pretty(&b.ty)
            ),
        });
    }
    let common = |x: &Method, y: &Method| {
        x.args
            .iter()
            .filter(|a| y.args.iter().any(|b| b.key == a.key))
            .map(|a| a.key.clone())
            .collect::<Vec<_>>()
    };
    if common(m, n) != common(n, m) {
        out.push(order_changed());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_are_read_out_of_rust_types() {
        assert_eq!(
            names_in("::std::option::Option<types::InteractionDetails>"),
            vec!["InteractionDetails"]
        );
        assert_eq!(names_in("::std::string::String"), Vec::<String>::new());
        assert_eq!(
            pretty("::std::option::Option<::std::vec::Vec<types::A>>"),
            "Option<Vec<A>>"
        );
    }

    #[test]
    fn renamed_types_are_written_under_their_new_names() {
        let renames = Renames::from([("Owner".to_string(), "Person".to_string())]);
        assert_eq!(
            renamed("Option<types::Owner>|types::OwnerList", &renames),
            "Option<types::Person>|types::OwnerList"
        );
    }

    #[test]
    fn variants_match_enum_values_by_their_letters() {
        assert_eq!(folded("not_found"), folded("NotFound"));
        assert_ne!(folded("api"), folded("Mcp"));
    }
}
