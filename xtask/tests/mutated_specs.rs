//! Mutates every fixture spec and the real spec many times and checks that reading and
//! generating each mutant ends in output or a located error (`file:line:col: at #/pointer`),
//! never in a panic, a printed panic message, or an error the user cannot find in the spec.
//!
//! A mutant gets one to three random edits of the document tree (drop a node, give it another
//! type, rename a key, replace a node with a copy of another, set a scalar to an odd value, add
//! a key, copy an operation to another path or method) and, now and then, a repeated line of
//! its YAML text. Mutant `i` of a spec comes from a seed derived from the spec's name and `i`,
//! so a failure names what to rerun:
//!
//! - `MUTANT=name:index` runs only that mutant and prints it (with `--nocapture`);
//! - `MUTANTS=n` makes `n` mutants of each spec instead of the defaults, to search further;
//! - `MUTANT_TRACE=1` prints each mutant before it runs, for a crash that takes the process
//!   down (a stack overflow) before the test can report it.
//!
//! Failing mutants are written to `target/tmp/mutated_specs/`, with `failures.txt` listing
//! them all. The default (300 per fixture, 150 of the real spec, about 4,000) take 10 to 30
//! seconds in the dev profile on two cores.

use std::cell::{Cell, RefCell};
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{Map, Value, json};
use xtask::{codegen, spec};

/// Mutants per fixture spec; the real spec is larger and slower to generate, so it gets fewer.
const FIXTURE_MUTANTS: u64 = 300;
const SPEC_MUTANTS: u64 = 150;
/// How many failures the assertion message spells out.
const SHOWN_FAILURES: usize = 8;

/// xorshift64*: small, fast and good enough to pick nodes; seeded through splitmix64 so that
/// neighbouring seeds give unrelated streams.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Self((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// FNV-1a, so each spec's mutants differ from every other spec's.
fn name_seed(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    })
}

#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn pointer(path: &[Seg]) -> String {
    path.iter()
        .map(|s| match s {
            Seg::Key(k) => format!("/{}", k.replace('~', "~0").replace('/', "~1")),
            Seg::Index(i) => format!("/{i}"),
        })
        .collect()
}

/// Every node below the root, parents before children. Nodes inside examples are left out:
/// the generator does not read them, and in the real spec they would take most of the picks.
fn nodes(value: &Value) -> Vec<Vec<Seg>> {
    fn walk(value: &Value, path: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
        let in_example =
            matches!(path.last(), Some(Seg::Key(k)) if k == "example" || k == "examples");
        if in_example {
            return;
        }
        let children: Vec<(Seg, &Value)> = match value {
            Value::Object(map) => map.iter().map(|(k, v)| (Seg::Key(k.clone()), v)).collect(),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Seg::Index(i), v))
                .collect(),
            _ => return,
        };
        for (seg, child) in children {
            path.push(seg);
            out.push(path.clone());
            walk(child, path, out);
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

fn get_mut<'a>(value: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |v, seg| match (seg, v) {
        (Seg::Key(k), Value::Object(map)) => map.get_mut(k),
        (Seg::Index(i), Value::Array(items)) => items.get_mut(*i),
        _ => None,
    })
}

const WORDS: &[&str] = &[
    "x",
    "item",
    "Thing",
    "get",
    "post",
    "schema",
    "properties",
    "required",
    "components",
    "id",
    "",
];
const ODD_NAMES: &[&str] = &[
    "type",
    "self",
    "Self",
    "crate",
    "super",
    "fn",
    "match",
    "async",
    "r#type",
    "_",
    "a-b",
    "a.b",
    "a b",
    "1st",
    "Ünïcode",
    "{id}",
    "$ref",
    "x-extra",
    "a/b",
    "~0",
];
const ODD_STRINGS: &[&str] = &[
    "",
    "string",
    "integer",
    "number",
    "boolean",
    "array",
    "object",
    "null",
    "path",
    "query",
    "header",
    "cookie",
    "type",
    "self",
    "get-thing",
    "get thing",
    "a.b",
    "{id}",
    "/",
    "/x/{id}",
    "#/components/schemas/Missing",
    "#/components/schemas",
    "#/paths",
    "#",
    "#/components/responses/Error",
    "#/components/parameters/Id",
    "https://example.com/other.yaml#/X",
    "int64",
    "uuid",
    "date-time",
    "binary",
    "[",
    "(?<",
    "^(a|b$",
    "3.1.0",
    "999",
    "default",
    "2XX",
    "application/xml",
    "text/plain",
];

/// A value of a different JSON type than `old`.
fn other_type(rng: &mut Rng, old: &Value) -> Value {
    let candidates = [
        json!(rng.pick(ODD_STRINGS)),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(65536),
        json!(true),
        json!(false),
        Value::Null,
        json!([]),
        json!([old.clone()]),
        json!({}),
        json!({ "x": old.clone() }),
    ];
    let fitting: Vec<&Value> = candidates
        .iter()
        .filter(|c| std::mem::discriminant(*c) != std::mem::discriminant(old))
        .collect();
    (*rng.pick(&fitting)).clone()
}

/// Keys an OpenAPI object might hold, with values that may or may not suit the place.
fn extra_key(rng: &mut Rng) -> (String, Value) {
    let options: Vec<(&str, Value)> = vec![
        ("nullable", json!(true)),
        ("$ref", json!("#/components/schemas/Missing")),
        ("$ref", json!("#/paths")),
        ("allOf", json!([{"type": "string"}, {"type": "integer"}])),
        ("oneOf", json!([{"type": "string"}, {"type": "integer"}])),
        ("anyOf", json!([{"type": "string"}, {"type": "object"}])),
        ("not", json!({"type": "string"})),
        ("enum", json!([1, "a", null])),
        ("required", json!(["nope"])),
        ("additionalProperties", json!({"type": "integer"})),
        ("additionalProperties", json!(false)),
        ("format", json!("ipv4")),
        ("type", json!("array")),
        ("items", json!({"type": "string"})),
        ("properties", json!({"type": {"type": "string"}, "a-b": {}})),
        ("discriminator", json!({"propertyName": "type"})),
        ("default", json!({"x": 1})),
        (
            "x-rust-type",
            json!({"crate": "x", "version": "1", "path": "x::Y"}),
        ),
        (
            "parameters",
            json!([{"name": "q", "in": "query", "schema": {"type": "string"}}]),
        ),
        (
            "parameters",
            json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}]),
        ),
        (
            "requestBody",
            json!({"content": {"application/json": {"schema": {"type": "object"}}}}),
        ),
        (
            "post",
            json!({"operationId": "extra_post", "responses": {"204": {"description": "none"}}}),
        ),
        (
            "default",
            json!({"description": "other", "content": {"text/plain": {"schema": {"type": "string"}}}}),
        ),
        ("callbacks", json!({"cb": {}})),
        ("security", json!([{"missing": []}])),
        ("servers", json!([{"url": "{base}/v1"}])),
    ];
    let (key, value) = rng.pick(&options).clone();
    (key.to_string(), value)
}

/// Applies one random mutation to `doc` and says what it did. Out of 100: 10 copy an
/// operation, 25 drop a node, 20 retype it, 20 rename its key (else replace it), 10 replace it
/// with a copy of another node, 8 set a scalar to an odd value, 7 add a key.
fn mutate_once(doc: &mut Value, rng: &mut Rng) -> String {
    let all = nodes(doc);
    if all.is_empty() {
        *doc = json!({});
        return "replace the document with {}".into();
    }
    let path = rng.pick(&all).clone();
    let at = pointer(&path);
    let (last, parent_path) = path.split_last().expect("nodes are below the root");
    let roll = rng.below(100);

    if roll < 10 {
        return copy_operation(doc, rng).unwrap_or_else(|| drop_node(doc, parent_path, last, &at));
    }
    if roll < 35 {
        return drop_node(doc, parent_path, last, &at);
    }
    if roll < 55 {
        let Some(node) = get_mut(doc, &path) else {
            return "nothing".into();
        };
        let new = other_type(rng, node);
        let shown = short(&new);
        *node = new;
        return format!("retype #{at} to {shown}");
    }
    if roll < 75
        && let Seg::Key(old) = last
    {
        let Some(Value::Object(parent)) = get_mut(doc, parent_path) else {
            return "nothing".into();
        };
        let siblings: Vec<String> = parent.keys().filter(|k| *k != old).cloned().collect();
        let new = match rng.below(3) {
            0 if !siblings.is_empty() => rng.pick(&siblings).clone(),
            1 => rng.pick(WORDS).to_string(),
            _ => rng.pick(ODD_NAMES).to_string(),
        };
        let value = parent.remove(old).unwrap_or(Value::Null);
        parent.insert(new.clone(), value);
        return format!("rename key #{at} to {new:?}");
    }
    if roll < 85 {
        let source = rng.pick(&all).clone();
        let copy = get_mut(doc, &source)
            .map(|v| v.clone())
            .unwrap_or(Value::Null);
        if let Some(node) = get_mut(doc, &path) {
            *node = copy;
        }
        return format!("replace #{at} with a copy of #{}", pointer(&source));
    }
    if roll < 93 {
        let Some(node) = get_mut(doc, &path) else {
            return "nothing".into();
        };
        let new = match node {
            Value::String(_) => json!(rng.pick(ODD_STRINGS)),
            Value::Number(_) => json!(rng.pick(&[0, -1, 1, 2, 65536, 4_000_000_000i64])),
            Value::Bool(b) => json!(!*b),
            _ => other_type(rng, node),
        };
        let shown = short(&new);
        *node = new;
        return format!("set #{at} to {shown}");
    }
    // Add a key to an object: the node itself, or else its parent.
    let target = match get_mut(doc, &path) {
        Some(Value::Object(_)) => path.clone(),
        _ => parent_path.to_vec(),
    };
    let (key, value) = extra_key(rng);
    let shown = short(&value);
    match get_mut(doc, &target) {
        Some(Value::Object(map)) => {
            map.insert(key.clone(), value);
            format!("add {key:?}: {shown} at #{}", pointer(&target))
        }
        Some(Value::Array(items)) => {
            let mut map = Map::new();
            map.insert(key.clone(), value);
            items.push(Value::Object(map));
            format!("append {{{key:?}: {shown}}} to #{}", pointer(&target))
        }
        _ => "nothing".into(),
    }
}

fn drop_node(doc: &mut Value, parent_path: &[Seg], last: &Seg, at: &str) -> String {
    match (get_mut(doc, parent_path), last) {
        (Some(Value::Object(map)), Seg::Key(k)) => {
            map.remove(k);
        }
        (Some(Value::Array(items)), Seg::Index(i)) if *i < items.len() => {
            items.remove(*i);
        }
        _ => return "nothing".into(),
    }
    format!("drop #{at}")
}

/// Copies an operation to another method of its path or to a new path.
fn copy_operation(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    const METHODS: &[&str] = &[
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let paths = doc.get("paths")?.as_object()?;
    let ops: Vec<(String, String)> = paths
        .iter()
        .filter_map(|(p, item)| Some((p, item.as_object()?)))
        .flat_map(|(p, item)| {
            item.keys()
                .filter(|m| METHODS.contains(&m.as_str()))
                .map(move |m| (p.clone(), m.clone()))
        })
        .collect();
    if ops.is_empty() {
        return None;
    }
    let (path, method) = rng.pick(&ops).clone();
    let op = paths[&path][&method].clone();
    let (new_path, new_method) = match rng.below(4) {
        0 => (path.clone(), rng.pick(METHODS).to_string()),
        1 => (format!("{path}/copy"), method.clone()),
        2 => ("/copy/{id}".to_string(), method.clone()),
        _ => (
            ops.iter()
                .map(|(p, _)| p.clone())
                .find(|p| *p != path)
                .unwrap_or_else(|| "/copy".into()),
            rng.pick(METHODS).to_string(),
        ),
    };
    let paths = doc.get_mut("paths")?.as_object_mut()?;
    let item = paths.entry(new_path.clone()).or_insert_with(|| json!({}));
    item.as_object_mut()?.insert(new_method.clone(), op);
    Some(format!(
        "copy operation {method} {path} to {new_method} {new_path}"
    ))
}

/// A message folded onto one line and cut at `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= max {
        return folded;
    }
    let cut: String = folded.chars().take(max).collect();
    format!("{cut}...")
}

/// A value as one short line for failure reports.
fn short(value: &Value) -> String {
    one_line(&value.to_string(), 60)
}

thread_local! {
    /// Set while this thread reads or generates a mutant: its panics are recorded, not printed.
    static IN_MUTANT: Cell<bool> = const { Cell::new(false) };
    /// Panic messages that reached the process's hook while `IN_MUTANT` was set, i.e. that the
    /// generator did not keep quiet.
    static PRINTED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Puts a hook under the generator's quiet one (which it installs on first use and which
/// forwards every panic outside its own steps): a panic it would let through is recorded as a
/// failure of the mutant instead of being printed.
fn record_unquiet_panics() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if IN_MUTANT.get() {
            let location = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            PRINTED.with_borrow_mut(|p| p.push(format!("{}{location}", payload(info.payload()))));
        } else {
            previous(info);
        }
    }));
}

fn payload(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(a panic without a message)".into())
}

/// How reading and generating one mutant ended.
enum Outcome {
    Generated,
    Located,
    /// A panic, a printed panic message, or an error the user cannot find in the spec.
    Failed(String),
}

fn check(shown: &str, text: &str, doc: &Value) -> Outcome {
    IN_MUTANT.set(true);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        let spec = spec::parse(shown, text.to_string())?;
        codegen::generate(&spec).map(|_| ())
    }));
    IN_MUTANT.set(false);
    let printed = PRINTED.with_borrow_mut(std::mem::take);
    let (outcome, mut problem) = match result {
        Err(panic) => (None, format!("panicked: {}", payload(&*panic))),
        Ok(Ok(())) => (Some(Outcome::Generated), String::new()),
        Ok(Err(e)) => {
            // Only a YAML syntax error may lack a pointer: there is no tree to point into.
            let syntax = serde_norway::from_str::<serde_norway::Value>(text).is_err();
            match (&e.line_col, &e.pointer) {
                (Some(_), None) if syntax => (Some(Outcome::Located), String::new()),
                (Some(_), Some(p)) if doc.pointer(p).is_none() => (
                    None,
                    format!("the error names a pointer that is not in the spec: {e}"),
                ),
                (Some(_), Some(_)) => (Some(Outcome::Located), String::new()),
                _ => (None, format!("unlocated error: {e}")),
            }
        }
    };
    for p in printed {
        let sep = if problem.is_empty() { "" } else { "; " };
        let _ = write!(problem, "{sep}panic message printed: {p}");
    }
    match outcome {
        Some(outcome) if problem.is_empty() => outcome,
        _ => Outcome::Failed(problem),
    }
}

struct Failure {
    name: String,
    index: u64,
    seed: u64,
    mutations: Vec<String>,
    problem: String,
    file: PathBuf,
}

/// (name, document) of every spec to mutate: the fixtures that are YAML, and the real spec.
fn specs(root: &Path) -> Vec<(String, Value)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join("xtask/tests/fixtures"))
        .expect("fixtures directory")
        .map(|e| e.expect("fixture entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths.push(root.join(codegen::SPEC_PATH));
    paths
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).expect("spec text");
            // A fixture that is not YAML has no tree to mutate.
            let doc: Value = serde_norway::from_str(&text).ok()?;
            let name = path.file_stem()?.to_str()?.to_string();
            Some((name, doc))
        })
        .collect()
}

#[test]
fn mutated_specs_generate_or_fail_with_a_location() {
    record_unquiet_panics();
    let only: Option<(String, u64)> = std::env::var("MUTANT").ok().map(|m| {
        let (name, index) = m.rsplit_once(':').expect("MUTANT=name:index");
        (name.to_string(), index.parse().expect("MUTANT index"))
    });
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mutated_specs");
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).expect("mutant directory");

    let started = Instant::now();
    let root = xtask::workspace_root().expect("the workspace root");
    let specs = specs(&root);
    assert!(specs.len() >= 10, "specs went missing: {}", specs.len());
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    for (name, original) in &specs {
        let count = match std::env::var("MUTANTS").ok().and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None if name == "openapi" => SPEC_MUTANTS,
            None => FIXTURE_MUTANTS,
        };
        let spec_started = Instant::now();
        let (mut ok, mut errors) = (0, 0);
        for index in 0..count {
            if only.as_ref().is_some_and(|(n, i)| n != name || *i != index) {
                continue;
            }
            let seed = name_seed(name) ^ index;
            let mut rng = Rng::new(seed);
            let mut doc = original.clone();
            let rounds = match rng.below(100) {
                0..60 => 1,
                60..85 => 2,
                _ => 3,
            };
            let mut mutations: Vec<String> = (0..rounds)
                .map(|_| mutate_once(&mut doc, &mut rng))
                .collect();
            let mut text = serde_norway::to_string(&doc).expect("a JSON value is YAML");
            if rng.below(100) < 5 {
                // A tree cannot hold a key twice; the text can.
                let mut lines: Vec<&str> = text.lines().collect();
                let line = rng.below(lines.len());
                lines.insert(line, lines[line]);
                mutations.push(format!("repeat line {} of the text", line + 1));
                text = lines.join("\n") + "\n";
                doc = serde_norway::from_str(&text).unwrap_or(doc);
            }
            let shown = format!("mutated_specs/{name}-{index}.yaml");
            if only.is_some() {
                eprintln!("{}\n---\n{text}", mutations.join("\n"));
            }
            if std::env::var_os("MUTANT_TRACE").is_some() {
                eprintln!("{name}:{index}: {}", mutations.join("; "));
            }
            match check(&shown, &text, &doc) {
                Outcome::Generated => ok += 1,
                Outcome::Located => errors += 1,
                Outcome::Failed(problem) => {
                    let file = out_dir.join(format!("{name}-{index}.yaml"));
                    std::fs::write(&file, &text).expect("write the failing mutant");
                    failures.push(Failure {
                        name: name.clone(),
                        index,
                        seed,
                        mutations,
                        problem,
                        file,
                    });
                }
            }
        }
        summary.push(format!(
            "{name}: {ok} generated, {errors} located errors, {:.1}s",
            spec_started.elapsed().as_secs_f64()
        ));
    }
    eprintln!(
        "mutated specs in {:.1}s:\n  {}",
        started.elapsed().as_secs_f64(),
        summary.join("\n  ")
    );

    let mut all = String::new();
    for f in &failures {
        let _ = writeln!(
            all,
            "{}:{}\t{}\t{}",
            f.name,
            f.index,
            f.mutations.join("; "),
            one_line(&f.problem, usize::MAX)
        );
    }
    std::fs::write(out_dir.join("failures.txt"), all).expect("write the failure list");
    let mut report = String::new();
    for f in failures.iter().take(SHOWN_FAILURES) {
        let _ = writeln!(
            report,
            "\n{}:{} (seed {:#x}, rerun with MUTANT={}:{}, mutant in {})\n  mutations: {}\n  {}",
            f.name,
            f.index,
            f.seed,
            f.name,
            f.index,
            f.file.display(),
            f.mutations.join("; "),
            one_line(&f.problem, 400)
        );
    }
    assert!(
        failures.is_empty(),
        "{} of the mutated specs panicked or failed without a location (all in {}); the first {}:{report}",
        failures.len(),
        out_dir.join("failures.txt").display(),
        failures.len().min(SHOWN_FAILURES)
    );
}
