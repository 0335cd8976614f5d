//! Random bodies that match a schema, so that a stub server can answer `Prefer: dynamic=true`
//! (Prism's syntax) with data shaped like the spec's without anyone writing examples.
//!
//! The generator merges the keywords that apply to a value (`$ref`, `allOf`, one chosen branch of
//! each `anyOf`/`oneOf`) into one set of constraints and builds a value from them. Where a merge
//! cannot be exact (`oneOf`, `not`, two patterns, conditionals…) the value is checked against the
//! schemas it came from with the `jsonschema` crate and generated again, a bounded number of times:
//! an answer is either valid or an error, never an invalid body.

use std::collections::{HashMap, HashSet, VecDeque};

use regex_syntax::hir::{Class, Hir, HirKind, Look};
use serde_json::{Map, Value};

use crate::schemas::fragment;

/// A value that matches the `$defs` schema `name` of `document` (a JSON Schema 2020-12 document
/// whose `$ref`s are local), the same one for the same `seed`.
pub fn generate(document: &Value, name: &str, seed: u64) -> Result<Value, String> {
    let defs = document.get("$defs").and_then(Value::as_object);
    if !defs.is_some_and(|defs| defs.contains_key(name)) {
        return Err(format!("the document has no schema {name}"));
    }
    let at = format!("/$defs/{}", escape(name));
    Generator::new(document, seed)
        .value(&[at], 0)
        .map_err(|fail| format!("schema {name}: {}", fail.message()))
}

/// The name the document goes by in its checks' registry.
const DOCUMENT_URI: &str = "urn:authapi:schemas";

/// Past this depth, choices shrink (null, no optional properties, fewest items) so that
/// recursive schemas end.
const SOFT_DEPTH: usize = 6;
/// A schema that still nests this deep has no way out of its recursion.
const HARD_DEPTH: usize = 40;
/// How often one value is generated again when it does not match, before giving up.
const ATTEMPTS: usize = 24;
/// Retries multiply through nesting; this bounds the work of one call whatever the schema.
const STEP_BUDGET: u32 = 20_000;
/// Unbounded repetitions in patterns and arrays stay short, for readable bodies.
const EXTRA_REPEATS: u32 = 8;
/// Larger lower bounds would make bodies of megabytes; a stub has no use for them.
const MAX_LENGTH: u64 = 10_000;

/// 2^53: up to it every integer is exact as an `f64`, so a multiple this size or smaller is
/// written as a JSON integer.
const EXACT: f64 = 9_007_199_254_740_992.0;
/// 2^53 - 1: the largest integer every validator reads back as the same number.
const SAFE: f64 = 9_007_199_254_740_991.0;

#[derive(Debug)]
enum Fail {
    /// A construct the generator cannot produce at all: trying again cannot help.
    Unsupported(String),
    /// No value found this time; another random choice may succeed.
    Unsatisfiable(String),
}

impl Fail {
    fn message(self) -> String {
        match self {
            Fail::Unsupported(m) | Fail::Unsatisfiable(m) => m,
        }
    }
}

/// splitmix64: tiny, fast and the same on every platform, which is all a stub needs.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`, `lo <= hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (i128::from(hi) - i128::from(lo) + 1) as u128;
        if span > u128::from(u64::MAX) {
            return self.next() as i64;
        }
        (i128::from(lo) + i128::from(self.below(span as u64))) as i64
    }

    fn chance(&mut self, numerator: u64, denominator: u64) -> bool {
        self.below(denominator) < numerator
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const NULL: u8 = 1;
const BOOLEAN: u8 = 2;
const INTEGER: u8 = 4;
/// "number" allows integers too, so it sets both bits.
const NUMBER: u8 = 8 | INTEGER;
const STRING: u8 = 16;
const ARRAY: u8 = 32;
const OBJECT: u8 = 64;
const ANY: u8 = NULL | BOOLEAN | NUMBER | STRING | ARRAY | OBJECT;

fn type_bits(name: &str) -> Option<u8> {
    Some(match name {
        "null" => NULL,
        "boolean" => BOOLEAN,
        "integer" => INTEGER,
        "number" => NUMBER,
        "string" => STRING,
        "array" => ARRAY,
        "object" => OBJECT,
        _ => return None,
    })
}

fn type_of(value: &Value) -> u8 {
    match value {
        Value::Null => NULL,
        Value::Bool(_) => BOOLEAN,
        // `2.0` is an integer too, as JSON Schema counts.
        Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => INTEGER,
        Value::Number(_) => NUMBER & !INTEGER,
        Value::String(_) => STRING,
        Value::Array(_) => ARRAY,
        Value::Object(_) => OBJECT,
    }
}

/// Everything that applies to one value, merged from the schemas that apply to it.
#[derive(Default)]
struct Flat {
    /// The first schema merged, to name in errors.
    at: String,
    /// False when the value must be checked against the original schemas afterwards.
    exact: bool,
    types: Option<u8>,
    enumeration: Option<Vec<Value>>,
    /// Whether anything besides `type` and `enum` constrains the value (an enum member must
    /// then be checked).
    constrained: bool,
    minimum: Option<(f64, bool)>,
    maximum: Option<(f64, bool)>,
    multiple_of: Vec<f64>,
    min_length: u64,
    max_length: Option<u64>,
    /// (schema, pattern).
    patterns: Vec<(String, String)>,
    formats: Vec<String>,
    /// Each position's schemas.
    prefix: Vec<Vec<String>>,
    /// (first position it applies to, schema).
    items: Vec<(usize, String)>,
    contains: Vec<String>,
    min_items: u64,
    max_items: Option<u64>,
    unique: bool,
    properties: Vec<(String, Vec<String>)>,
    required: Vec<String>,
    /// The declared names of each schema with `additionalProperties: false`.
    closed: Vec<Vec<String>>,
    /// (declared names, schema every other property must match).
    additional: Vec<(Vec<String>, String)>,
    min_properties: u64,
    max_properties: Option<u64>,
}

struct Generator<'a> {
    root: &'a Value,
    rng: Rng,
    steps: u32,
    /// What went wrong most recently, for the error when the step budget runs out.
    last_problem: Option<String>,
    validators: HashMap<String, Result<jsonschema::Validator, String>>,
    patterns: HashMap<String, Result<Hir, String>>,
    /// [`Generator::cost`] by schema and fuel: without it, wide schemas cost exponential time.
    costs: HashMap<(String, u32), u64>,
}

impl<'a> Generator<'a> {
    fn new(root: &'a Value, seed: u64) -> Self {
        Generator {
            root,
            rng: Rng::new(seed),
            steps: 0,
            last_problem: None,
            validators: HashMap::new(),
            patterns: HashMap::new(),
            costs: HashMap::new(),
        }
    }

    fn schema(&self, at: &str) -> Result<&'a Value, Fail> {
        let root = self.root;
        root.pointer(at)
            .ok_or_else(|| Fail::Unsupported(format!("#{at} does not exist")))
    }

    /// A value matching every schema in `all` (JSON pointers into the document).
    fn value(&mut self, all: &[String], depth: usize) -> Result<Value, Fail> {
        let here = all.first().map_or("#", String::as_str).to_owned();
        if depth > HARD_DEPTH {
            // Past SOFT_DEPTH every choice was already the smallest: more tries cannot end it.
            return Err(Fail::Unsupported(format!(
                "#{here} nests deeper than {HARD_DEPTH} levels: its recursion has no way out \
                 (a nullable, optional or empty branch)"
            )));
        }
        for attempt in 0..ATTEMPTS {
            self.count_try()?;
            let outcome = self
                .flatten(all, depth, attempt)
                .and_then(|flat| Ok((self.build(&flat, depth)?, flat.exact)));
            let problem = match outcome {
                Ok((value, true)) => return Ok(value),
                Ok((value, false)) => match self.mismatch(all, &value)? {
                    None => return Ok(value),
                    Some(problem) => problem,
                },
                Err(Fail::Unsatisfiable(problem)) => problem,
                Err(unsupported) => return Err(unsupported),
            };
            self.last_problem = Some(problem);
        }
        let last = self.last_problem.clone().unwrap_or_default();
        Err(Fail::Unsatisfiable(format!(
            "no value for #{here} in {ATTEMPTS} tries; last problem: {last}"
        )))
    }

    /// Counts one try against [`STEP_BUDGET`]: an error once the budget is spent.
    fn count_try(&mut self) -> Result<(), Fail> {
        self.steps += 1;
        if self.steps > STEP_BUDGET {
            let last = self.last_problem.take().unwrap_or_default();
            return Err(Fail::Unsupported(format!(
                "gave up after {STEP_BUDGET} tries; last problem: {last}"
            )));
        }
        Ok(())
    }

    /// Why `value` breaks one of `all`, if it does.
    fn mismatch(&mut self, all: &[String], value: &Value) -> Result<Option<String>, Fail> {
        for at in all {
            if !self.validators.contains_key(at) {
                let built = self
                    .validator(at)
                    .map_err(|e| format!("#{at} does not compile: {e}"));
                self.validators.insert(at.clone(), built);
            }
            let validator = self.validators[at]
                .as_ref()
                .map_err(|e| Fail::Unsupported(e.clone()))?;
            if let Some(error) = validator.iter_errors(value).next() {
                return Ok(Some(format!(
                    "#{at}: {error} at `{}`",
                    error.instance_path()
                )));
            }
        }
        Ok(None)
    }

    /// The check of `at` alone: a reference into the document, which the check's registry
    /// holds whole, so that `at`'s own `$ref`s resolve as they do in the document (into
    /// `$defs` or any other part of it) and the root's own keywords do not apply on top.
    fn validator(&self, at: &str) -> Result<jsonschema::Validator, String> {
        let registry = jsonschema::Registry::new()
            .add(DOCUMENT_URI, self.root)
            .and_then(|builder| builder.prepare())
            .map_err(|e| e.to_string())?;
        jsonschema::options()
            .should_validate_formats(true)
            .with_registry(&registry)
            .build(&serde_json::json!({ "$ref": format!("{DOCUMENT_URI}#{}", fragment(at)) }))
            .map_err(|e| e.to_string())
    }

    /// Merges the schemas in `all`, choosing a branch of each `anyOf` and `oneOf`.
    fn flatten(&mut self, all: &[String], depth: usize, attempt: usize) -> Result<Flat, Fail> {
        let mut flat = Flat {
            at: all.first().cloned().unwrap_or_default(),
            exact: true,
            ..Flat::default()
        };
        let mut queue: VecDeque<String> = all.iter().cloned().collect();
        // A schema merged twice adds nothing, and skipping it ends `$ref`/`allOf` loops.
        let mut seen = HashSet::new();
        while let Some(at) = queue.pop_front() {
            if !seen.insert(at.clone()) {
                continue;
            }
            let schema = match self.schema(&at)? {
                Value::Bool(true) => continue,
                Value::Bool(false) => {
                    return Err(Fail::Unsatisfiable(format!(
                        "#{at} is `false`: nothing matches"
                    )));
                }
                Value::Object(schema) => schema,
                _ => return Err(Fail::Unsupported(format!("#{at} is not a schema"))),
            };
            for (key, value) in schema {
                self.merge(
                    &mut flat, &mut queue, &at, schema, key, value, depth, attempt,
                )?;
            }
        }
        if flat.enumeration.is_some() && flat.constrained {
            flat.exact = false;
        }
        Ok(flat)
    }

    #[allow(clippy::too_many_arguments)]
    fn merge(
        &mut self,
        flat: &mut Flat,
        queue: &mut VecDeque<String>,
        at: &str,
        schema: &Map<String, Value>,
        key: &str,
        value: &Value,
        depth: usize,
        attempt: usize,
    ) -> Result<(), Fail> {
        let unsupported = |what: &str| Fail::Unsupported(format!("#{at}/{key}: {what}"));
        let count = |v: &Value| {
            v.as_u64()
                .or_else(|| {
                    v.as_f64()
                        .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                        .map(|f| f as u64)
                })
                .ok_or_else(|| unsupported("not a non-negative integer"))
        };
        let number = |v: &Value| v.as_f64().ok_or_else(|| unsupported("not a number"));
        if !matches!(key, "type" | "enum" | "const") && is_assertion(key) {
            flat.constrained = true;
        }
        match key {
            "$ref" => {
                let target = value
                    .as_str()
                    .and_then(local_pointer)
                    .ok_or_else(|| unsupported("only local references (`#/...`) are supported"))?;
                queue.push_back(target);
            }
            "$dynamicRef" | "$recursiveRef" => return Err(unsupported("not supported")),
            "allOf" => {
                let branches = value
                    .as_array()
                    .ok_or_else(|| unsupported("not an array"))?;
                queue.extend((0..branches.len()).map(|i| format!("{at}/allOf/{i}")));
            }
            "anyOf" | "oneOf" => {
                let branches = value
                    .as_array()
                    .ok_or_else(|| unsupported("not an array"))?;
                if branches.is_empty() {
                    return Err(unsupported("no branches"));
                }
                let chosen = self.choose_branch(at, key, branches, depth, attempt);
                queue.push_back(format!("{at}/{key}/{chosen}"));
                // Only a check can tell that the value matches no other branch.
                if key == "oneOf" {
                    flat.exact = false;
                }
            }
            "type" => {
                let bits = match value {
                    Value::String(name) => type_bits(name),
                    Value::Array(names) => names
                        .iter()
                        .map(|n| n.as_str().and_then(type_bits))
                        .try_fold(0, |acc, b| b.map(|b| acc | b)),
                    _ => None,
                }
                .ok_or_else(|| unsupported("not a type or list of types"))?;
                let types = flat.types.unwrap_or(ANY) & bits;
                if types == 0 {
                    return Err(Fail::Unsatisfiable(format!(
                        "#{at}/type: no type is allowed by every schema here"
                    )));
                }
                flat.types = Some(types);
            }
            "enum" | "const" => {
                let values = match (key, value) {
                    ("const", v) => vec![v.clone()],
                    (_, Value::Array(values)) => values.clone(),
                    _ => return Err(unsupported("not an array")),
                };
                let kept = match flat.enumeration.take() {
                    None => values,
                    Some(before) => before.into_iter().filter(|v| values.contains(v)).collect(),
                };
                if kept.is_empty() {
                    return Err(Fail::Unsatisfiable(format!(
                        "#{at}/{key}: no value is allowed by every enum and const here"
                    )));
                }
                flat.enumeration = Some(kept);
            }
            "minimum" | "exclusiveMinimum" => {
                let bound = (number(value)?, key == "exclusiveMinimum");
                flat.minimum = Some(match flat.minimum {
                    Some(old) if old.0 > bound.0 || (old.0 == bound.0 && old.1) => old,
                    _ => bound,
                });
            }
            "maximum" | "exclusiveMaximum" => {
                let bound = (number(value)?, key == "exclusiveMaximum");
                flat.maximum = Some(match flat.maximum {
                    Some(old) if old.0 < bound.0 || (old.0 == bound.0 && old.1) => old,
                    _ => bound,
                });
            }
            "multipleOf" => {
                let m = number(value)?;
                if m <= 0.0 {
                    return Err(unsupported("not positive"));
                }
                if !flat.multiple_of.contains(&m) {
                    flat.multiple_of.push(m);
                }
                if several(&flat.multiple_of) {
                    flat.exact = false;
                }
            }
            "minLength" => flat.min_length = flat.min_length.max(count(value)?),
            "maxLength" => flat.max_length = min_some(flat.max_length, count(value)?),
            "pattern" => {
                let pattern = value.as_str().ok_or_else(|| unsupported("not a string"))?;
                flat.patterns
                    .push((format!("{at}/pattern"), pattern.to_owned()));
                if several(&flat.patterns) || !flat.formats.is_empty() {
                    flat.exact = false;
                }
            }
            "format" => {
                let format = value.as_str().ok_or_else(|| unsupported("not a string"))?;
                if !flat.formats.iter().any(|f| f == format) {
                    flat.formats.push(format.to_owned());
                }
                if several(&flat.formats) || !flat.patterns.is_empty() {
                    flat.exact = false;
                }
            }
            "prefixItems" => {
                let each = value
                    .as_array()
                    .ok_or_else(|| unsupported("not an array"))?;
                for i in 0..each.len() {
                    if flat.prefix.len() <= i {
                        flat.prefix.push(Vec::new());
                    }
                    flat.prefix[i].push(format!("{at}/prefixItems/{i}"));
                }
            }
            "items" | "additionalItems" => {
                // Older drafts write tuples as an `items` array, followed by `additionalItems`.
                if let Value::Array(each) = value {
                    for i in 0..each.len() {
                        if flat.prefix.len() <= i {
                            flat.prefix.push(Vec::new());
                        }
                        flat.prefix[i].push(format!("{at}/items/{i}"));
                    }
                    return Ok(());
                }
                let tuple = if key == "items" {
                    "prefixItems"
                } else {
                    "items"
                };
                let start = schema
                    .get(tuple)
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                if key == "additionalItems" && !schema.get("items").is_some_and(Value::is_array) {
                    return Ok(());
                }
                if value == &Value::Bool(false) {
                    flat.max_items = min_some(flat.max_items, start as u64);
                } else {
                    flat.items.push((start, format!("{at}/{key}")));
                }
            }
            "contains" => {
                flat.contains.push(format!("{at}/contains"));
                flat.exact = false;
            }
            "minItems" => flat.min_items = flat.min_items.max(count(value)?),
            "maxItems" => flat.max_items = min_some(flat.max_items, count(value)?),
            "uniqueItems" => flat.unique |= value == &Value::Bool(true),
            "properties" => {
                let properties = value
                    .as_object()
                    .ok_or_else(|| unsupported("not an object"))?;
                for name in properties.keys() {
                    let schema = format!("{at}/properties/{}", escape(name));
                    match flat.properties.iter_mut().find(|(n, _)| n == name) {
                        Some((_, all)) => all.push(schema),
                        None => flat.properties.push((name.clone(), vec![schema])),
                    }
                }
            }
            "required" => {
                let names = value
                    .as_array()
                    .ok_or_else(|| unsupported("not an array"))?;
                for name in names {
                    let name = name
                        .as_str()
                        .ok_or_else(|| unsupported("not a list of names"))?;
                    if !flat.required.iter().any(|r| r == name) {
                        flat.required.push(name.to_owned());
                    }
                }
            }
            "additionalProperties" => {
                let declared: Vec<String> = schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .map(|p| p.keys().cloned().collect())
                    .unwrap_or_default();
                if schema.contains_key("patternProperties") {
                    // Which names a pattern admits takes a regex match; the check does it.
                    flat.exact = false;
                }
                match value {
                    Value::Bool(true) => {}
                    Value::Bool(false) => flat.closed.push(declared),
                    _ => flat
                        .additional
                        .push((declared, format!("{at}/additionalProperties"))),
                }
            }
            "minProperties" => flat.min_properties = flat.min_properties.max(count(value)?),
            "maxProperties" => flat.max_properties = min_some(flat.max_properties, count(value)?),
            // Generated from the rest, then checked.
            "not"
            | "if"
            | "then"
            | "else"
            | "patternProperties"
            | "propertyNames"
            | "dependentRequired"
            | "dependentSchemas"
            | "dependencies"
            | "unevaluatedProperties"
            | "unevaluatedItems"
            | "minContains"
            | "maxContains" => flat.exact = false,
            // Annotations, `$defs`, and keywords of other vocabularies, which validators ignore.
            _ => {}
        }
        Ok(())
    }

    /// Random, favouring non-null branches for fuller bodies; past [`SOFT_DEPTH`], the cheapest
    /// first, then the next on each further attempt.
    fn choose_branch(
        &mut self,
        at: &str,
        key: &str,
        branches: &[Value],
        depth: usize,
        attempt: usize,
    ) -> usize {
        if depth >= SOFT_DEPTH {
            let mut order: Vec<(u64, usize)> = (0..branches.len())
                .map(|i| (self.cost(&format!("{at}/{key}/{i}"), 8), i))
                .collect();
            order.sort();
            return order[attempt % order.len()].1;
        }
        let weights: Vec<u64> = branches
            .iter()
            .map(|b| {
                if b.get("type") == Some(&Value::from("null")) {
                    1
                } else {
                    3
                }
            })
            .collect();
        let mut ticket = self.rng.below(weights.iter().sum());
        for (i, w) in weights.iter().enumerate() {
            if ticket < *w {
                return i;
            }
            ticket -= w;
        }
        0
    }

    /// A rough size of the smallest value `at` allows, to leave recursion by the shortest way.
    fn cost(&mut self, at: &str, fuel: u32) -> u64 {
        let key = (at.to_owned(), fuel);
        if let Some(cost) = self.costs.get(&key) {
            return *cost;
        }
        let cost = self.uncached_cost(at, fuel);
        self.costs.insert(key, cost);
        cost
    }

    fn uncached_cost(&mut self, at: &str, fuel: u32) -> u64 {
        let root = self.root;
        let schema = match root.pointer(at) {
            Some(Value::Object(schema)) => schema,
            Some(Value::Bool(true)) => return 1,
            _ => return 1_000_000,
        };
        if fuel == 0 {
            return 1_000;
        }
        let allows_null = match schema.get("type") {
            Some(Value::String(t)) => t == "null",
            Some(Value::Array(ts)) => ts.iter().any(|t| t == "null"),
            _ => false,
        } || schema.get("const") == Some(&Value::Null)
            || schema
                .get("enum")
                .and_then(Value::as_array)
                .is_some_and(|e| e.contains(&Value::Null));
        if allows_null {
            return 0;
        }
        let mut cost: u64 = 1;
        if let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(local_pointer)
        {
            cost = cost.saturating_add(self.cost(&target, fuel - 1));
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for i in 0..all.len() {
                cost = cost.saturating_add(self.cost(&format!("{at}/allOf/{i}"), fuel - 1));
            }
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(any) = schema.get(key).and_then(Value::as_array) {
                let cheapest = (0..any.len())
                    .map(|i| self.cost(&format!("{at}/{key}/{i}"), fuel - 1))
                    .min()
                    .unwrap_or(0);
                cost = cost.saturating_add(cheapest);
            }
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                let property = format!("{at}/properties/{}", escape(name));
                if root.pointer(&property).is_some() {
                    cost = cost.saturating_add(self.cost(&property, fuel - 1));
                }
            }
        }
        let min_items = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        if min_items > 0 && schema.contains_key("items") {
            let item = self.cost(&format!("{at}/items"), fuel - 1);
            cost = cost.saturating_add(item.saturating_mul(min_items));
        }
        cost
    }

    fn build(&mut self, flat: &Flat, depth: usize) -> Result<Value, Fail> {
        let types = flat.types.unwrap_or(ANY);
        if let Some(values) = &flat.enumeration {
            let fitting: Vec<&Value> = values
                .iter()
                .filter(|v| type_of(v) & types != 0 && scalar_fits(flat, v))
                .collect();
            if fitting.is_empty() {
                return Err(Fail::Unsatisfiable(format!(
                    "#{}: no member of the enum matches the other constraints",
                    flat.at
                )));
            }
            return Ok((*self.rng.pick(&fitting)).clone());
        }
        let types = flat.types.unwrap_or_else(|| implied_types(flat));
        match self.choose_type(types, depth) {
            NULL => Ok(Value::Null),
            BOOLEAN => Ok(Value::Bool(self.rng.chance(1, 2))),
            INTEGER => self.integer(flat),
            NUMBER => self.number(flat),
            STRING => self.string(flat).map(Value::String),
            ARRAY => self.array(flat, depth),
            _ => self.object(flat, depth),
        }
    }

    fn choose_type(&mut self, types: u8, depth: usize) -> u8 {
        // NUMBER covers INTEGER; each entry is chosen as a whole.
        let order = [NULL, BOOLEAN, NUMBER, INTEGER, STRING, ARRAY, OBJECT];
        let allowed: Vec<u8> = order
            .iter()
            .copied()
            .filter(|&t| types & t == t && !(t == INTEGER && types & NUMBER == NUMBER))
            .collect();
        if allowed.is_empty() {
            // Type masks always carry INTEGER with NUMBER, so some type is left.
            return STRING;
        }
        if depth >= SOFT_DEPTH || allowed.len() == 1 {
            return allowed[0];
        }
        if allowed[0] == NULL && !self.rng.chance(1, 4) {
            return *self.rng.pick(&allowed[1..]);
        }
        *self.rng.pick(&allowed)
    }

    fn integer(&mut self, flat: &Flat) -> Result<Value, Fail> {
        // Beyond 2^53 a JSON number no longer round-trips through f64 in every validator; a
        // sized format bounds it further, so that the generated types hold every number made.
        let (mut lowest, mut highest) = (-SAFE, SAFE);
        for (lo, hi) in flat.formats.iter().filter_map(|f| sized(f)) {
            (lowest, highest) = (lowest.max(lo), highest.min(hi));
        }
        let lo = flat
            .minimum
            .map(|(v, excl)| if excl { v.floor() + 1.0 } else { v.ceil() });
        let hi = flat
            .maximum
            .map(|(v, excl)| if excl { v.ceil() - 1.0 } else { v.floor() });
        let (lo, hi) = default_range(lo, hi, 1000.0);
        let (lo, hi) = (lo.max(lowest), hi.min(highest));
        if lo > hi {
            return Err(Fail::Unsatisfiable(format!(
                "#{}: no integer within the bounds",
                flat.at
            )));
        }
        if flat.multiple_of.is_empty() {
            return Ok(Value::from(self.rng.between(lo as i64, hi as i64)));
        }
        self.multiple(flat, lo, hi, true)
    }

    fn number(&mut self, flat: &Flat) -> Result<Value, Fail> {
        let lo = flat.minimum.map(|b| b.0);
        let hi = flat.maximum.map(|b| b.0);
        let (lo, hi) = default_range(lo, hi, 1000.0);
        let inside = |v: f64| scalar_fits(flat, &Value::from(v));
        if !flat.multiple_of.is_empty() {
            return self.multiple(flat, lo, hi, false);
        }
        for _ in 0..8 {
            let raw = lo + self.rng.unit() * (hi - lo);
            // Two decimals read better, when they stay within the bounds.
            let rounded = (raw * 100.0).round() / 100.0;
            for v in [rounded, raw] {
                if v.is_finite() && inside(v) {
                    return Ok(Value::from(v));
                }
            }
        }
        let middle = lo / 2.0 + hi / 2.0;
        if inside(middle) {
            return Ok(Value::from(middle));
        }
        Err(Fail::Unsatisfiable(format!(
            "#{}: no number within the bounds",
            flat.at
        )))
    }

    /// A multiple of the first `multipleOf` within `lo..=hi` (exclusive bounds are checked
    /// afterwards), written with the multiple's decimals so that validators see an exact
    /// multiple.
    fn multiple(&mut self, flat: &Flat, lo: f64, hi: f64, integer: bool) -> Result<Value, Fail> {
        let mut m = flat.multiple_of[0];
        let decimals = decimals_of(m);
        if integer && m.fract() != 0.0 {
            // The smallest integer that is a multiple of m: m·10^d over gcd(10^d, m·10^d).
            // Past 38 decimals 10^d overflows: the scale is then 0, and so is `scaled`.
            let scale = 10u128.checked_pow(decimals).unwrap_or(0);
            let scaled = (m * scale as f64).round() as u128;
            if scaled == 0 {
                return Err(Fail::Unsupported(format!(
                    "#{}: multipleOf {m} is too fine for integers",
                    flat.at
                )));
            }
            m = (scaled / gcd(scale, scaled)) as f64;
        }
        let k_lo = (lo / m).ceil();
        let k_hi = (hi / m).floor();
        if k_lo > k_hi {
            return Err(Fail::Unsatisfiable(format!(
                "#{}: no multiple of {m} within the bounds",
                flat.at
            )));
        }
        // k is drawn as an integer and must stay one exactly as a float.
        let (k_lo, k_hi) = (k_lo.max(-EXACT), k_hi.min(EXACT));
        if k_lo > k_hi {
            return Err(Fail::Unsupported(format!(
                "#{}: the multiples of {m} within the bounds are too far from zero",
                flat.at
            )));
        }
        for _ in 0..64 {
            let k = self.rng.between(k_lo as i64, k_hi as i64);
            let Ok(v) = format!("{:.*}", decimals as usize, k as f64 * m).parse::<f64>() else {
                continue;
            };
            let value = if integer || (v.fract() == 0.0 && v.abs() <= EXACT) {
                if v.fract() != 0.0 {
                    continue;
                }
                Value::from(v as i64)
            } else {
                Value::from(v)
            };
            if scalar_fits(flat, &value) {
                return Ok(value);
            }
        }
        Err(Fail::Unsatisfiable(format!(
            "#{}: no multiple of {m} within the bounds that validators read as one",
            flat.at
        )))
    }

    fn string(&mut self, flat: &Flat) -> Result<String, Fail> {
        let (min, max) = (flat.min_length, flat.max_length);
        if max.is_some_and(|max| max < min) {
            return Err(Fail::Unsatisfiable(format!(
                "#{}: maxLength is below minLength",
                flat.at
            )));
        }
        if min > MAX_LENGTH {
            return Err(Fail::Unsupported(format!(
                "#{}: minLength {min} is larger than {MAX_LENGTH}",
                flat.at
            )));
        }
        let fits = |s: &str| {
            let n = s.chars().count() as u64;
            n >= min && max.is_none_or(|max| n <= max)
        };
        if let Some((at, pattern)) = flat.patterns.first() {
            let hir = self.pattern(at, pattern)?;
            let extra = EXTRA_REPEATS.max(min.min(u64::from(u32::MAX)) as u32);
            for _ in 0..32 {
                let mut out = String::new();
                if self.emit(&hir, extra, &mut out).is_none() {
                    return Err(Fail::Unsupported(format!(
                        "#{at}: pattern `{pattern}` makes strings longer than {}",
                        4 * MAX_LENGTH
                    )));
                }
                if fits(&out) {
                    return Ok(out);
                }
            }
            return Err(Fail::Unsatisfiable(format!(
                "#{at}: pattern `{pattern}` gave no string of length {min} to {} in 32 tries",
                max.map_or("any".to_owned(), |m| m.to_string())
            )));
        }
        if let Some(format) = flat.formats.first()
            && let Some(first) = self.formatted(format)
        {
            let mut candidate = first;
            for _ in 0..16 {
                if fits(&candidate) {
                    return Ok(candidate);
                }
                candidate = self.formatted(format).unwrap_or_default();
            }
            return Err(Fail::Unsatisfiable(format!(
                "#{}: no `{format}` value within the length bounds",
                flat.at
            )));
        }
        Ok(self.text(min, max))
    }

    /// Words, cut or padded to a length within the bounds.
    fn text(&mut self, min: u64, max: Option<u64>) -> String {
        let lo = if max == Some(0) { 0 } else { min.max(1) };
        let hi = max.unwrap_or(lo + 24).min(lo + 24).max(lo);
        let target = if min == 0 && max.is_none() {
            None
        } else {
            Some(self.rng.between(lo as i64, hi as i64) as usize)
        };
        let words = match target {
            None => 1 + self.rng.below(3) as usize,
            Some(n) => n / 4 + 1,
        };
        let text: Vec<&str> = (0..words).map(|_| *self.rng.pick(WORDS)).collect();
        let mut out = text.join(" ");
        if let Some(n) = target {
            // n/4 + 1 words of four letters or more, joined, are longer than n: cut them.
            out.truncate(n);
            if out.ends_with(' ') {
                out.pop();
                out.push('s');
            }
        }
        out
    }

    fn pattern(&mut self, at: &str, pattern: &str) -> Result<Hir, Fail> {
        let parsed = self
            .patterns
            .entry(pattern.to_owned())
            .or_insert_with(|| {
                let hir = regex_syntax::ParserBuilder::new()
                    .build()
                    .parse(pattern)
                    .map_err(|e| {
                        let why = e.to_string();
                        let why = why.lines().last().unwrap_or_default().trim().to_owned();
                        format!("cannot parse it ({why})")
                    })?;
                check_hir(&hir).map(|()| hir)
            })
            .clone();
        parsed.map_err(|why| Fail::Unsupported(format!("#{at}: pattern `{pattern}`: {why}")))
    }

    /// Appends a string matching `hir` (checked by [`check_hir`]) to `out`; `None` once `out`
    /// outgrows [`MAX_LENGTH`] many times over, as nested counted repetitions can make it.
    fn emit(&mut self, hir: &Hir, extra: u32, out: &mut String) -> Option<()> {
        if out.len() as u64 > 4 * MAX_LENGTH {
            return None;
        }
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => {}
            HirKind::Literal(literal) => out.push_str(&String::from_utf8_lossy(&literal.0)),
            HirKind::Class(Class::Unicode(class)) => {
                let ranges: Vec<(u32, u32)> = class
                    .ranges()
                    .iter()
                    .map(|r| (r.start() as u32, r.end() as u32))
                    .collect();
                out.push(self.pick_char(&ranges));
            }
            HirKind::Class(Class::Bytes(class)) => {
                // The parser is in UTF-8 mode, so a class of bytes holds ASCII only.
                let ranges: Vec<(u32, u32)> = class
                    .ranges()
                    .iter()
                    .map(|r| (u32::from(r.start()), u32::from(r.end())))
                    .collect();
                out.push(self.pick_char(&ranges));
            }
            HirKind::Repetition(repetition) => {
                let min = repetition.min;
                let max = repetition.max.unwrap_or(min.saturating_add(extra));
                let max = max.min(min.saturating_add(extra.max(EXTRA_REPEATS)));
                let n = self.rng.between(i64::from(min), i64::from(max));
                for _ in 0..n {
                    self.emit(&repetition.sub, extra, out)?;
                }
            }
            HirKind::Capture(capture) => self.emit(&capture.sub, extra, out)?,
            HirKind::Concat(all) => {
                for hir in all {
                    self.emit(hir, extra, out)?;
                }
            }
            HirKind::Alternation(any) => {
                let hir = self.rng.pick(any);
                self.emit(hir, extra, out)?;
            }
        }
        Some(())
    }

    /// Letters and digits when the class has some, other printable ASCII next, for readable
    /// strings (`.` and `[^,]` would mostly give punctuation otherwise); any member last.
    fn pick_char(&mut self, ranges: &[(u32, u32)]) -> char {
        let within = |bounds: &[(u32, u32)]| -> Vec<(u32, u32)> {
            let mut out = Vec::new();
            for (lo, hi) in bounds {
                for (s, e) in ranges {
                    if s <= hi && e >= lo {
                        out.push(((*s).max(*lo), (*e).min(*hi)));
                    }
                }
            }
            out
        };
        let mut choice = within(&[(0x30, 0x39), (0x41, 0x5a), (0x61, 0x7a)]);
        if choice.is_empty() {
            choice = within(&[(0x20, 0x7e)]);
        }
        if choice.is_empty() {
            choice = ranges.to_vec();
        }
        let total: u64 = choice.iter().map(|(s, e)| u64::from(e - s) + 1).sum();
        let mut index = self.rng.below(total);
        for (start, end) in &choice {
            let size = u64::from(end - start) + 1;
            if index < size {
                let code = start + index as u32;
                // A range may span the surrogates, which are no characters.
                return char::from_u32(code)
                    .or(char::from_u32(*start))
                    .unwrap_or('a');
            }
            index -= size;
        }
        'a'
    }

    /// A realistic value of a string format; `None` for formats without one of their own.
    fn formatted(&mut self, format: &str) -> Option<String> {
        let word = |rng: &mut Rng| *rng.pick(WORDS);
        Some(match format {
            "date-time" => {
                let (date, time) = self.moment();
                format!("{date}T{time}Z")
            }
            "date" => self.moment().0,
            "time" => format!("{}Z", self.moment().1),
            "duration" => match self.rng.below(3) {
                0 => format!("P{}D", 1 + self.rng.below(30)),
                1 => format!("PT{}H", 1 + self.rng.below(24)),
                _ => format!("PT{}M", 1 + self.rng.below(60)),
            },
            "email" | "idn-email" => {
                let tld = *self.rng.pick(&["com", "org", "net"]);
                format!(
                    "{}.{}@example.{tld}",
                    word(&mut self.rng),
                    word(&mut self.rng)
                )
            }
            "hostname" | "idn-hostname" => format!("{}.example.com", word(&mut self.rng)),
            "ipv4" => self.ipv4(),
            "ipv6" => self.ipv6(),
            "ip" => {
                if self.rng.chance(1, 2) {
                    self.ipv4()
                } else {
                    self.ipv6()
                }
            }
            "uri" | "iri" => format!(
                "https://{}.example.com/{}/{}",
                word(&mut self.rng),
                word(&mut self.rng),
                word(&mut self.rng)
            ),
            "uri-reference" | "iri-reference" => {
                format!("/{}/{}", word(&mut self.rng), word(&mut self.rng))
            }
            "uri-template" => format!("https://example.com/{}/{{id}}", word(&mut self.rng)),
            "uuid" => {
                let (a, b) = (self.rng.next(), self.rng.next());
                // Version 4, RFC 4122 variant.
                let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
                let a = (a & 0xffff_ffff_ffff_0fff) | 0x4000;
                format!(
                    "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                    a >> 32,
                    (a >> 16) & 0xffff,
                    a & 0xffff,
                    b >> 48,
                    b & 0xffff_ffff_ffff
                )
            }
            "json-pointer" => format!("/{}/{}", word(&mut self.rng), self.rng.below(10)),
            "relative-json-pointer" => format!("{}/{}", self.rng.below(3), word(&mut self.rng)),
            "regex" => "^[a-z]+$".to_owned(),
            "byte" => base64(self.text(4, Some(24)).as_bytes()),
            _ => return None,
        })
    }

    /// A date and a time of day between 2020 and 2026.
    fn moment(&mut self) -> (String, String) {
        let days = self.rng.between(18_262, 20_818); // 2020-01-01 .. 2026-12-31
        let (y, m, d) = civil_from_days(days);
        let seconds = self.rng.below(86_400);
        (
            format!("{y:04}-{m:02}-{d:02}"),
            format!(
                "{:02}:{:02}:{:02}",
                seconds / 3600,
                seconds / 60 % 60,
                seconds % 60
            ),
        )
    }

    fn ipv4(&mut self) -> String {
        let first = *self.rng.pick(&[10, 81, 172, 192, 203]);
        let rest: Vec<String> = (0..3).map(|_| self.rng.below(256).to_string()).collect();
        format!("{first}.{}", rest.join("."))
    }

    fn ipv6(&mut self) -> String {
        let groups: Vec<String> = (0..6)
            .map(|_| format!("{:x}", self.rng.below(0x10000)))
            .collect();
        format!("2001:db8:{}", groups.join(":"))
    }

    fn array(&mut self, flat: &Flat, depth: usize) -> Result<Value, Fail> {
        let min = flat.min_items;
        if flat.max_items.is_some_and(|max| max < min) {
            return Err(Fail::Unsatisfiable(format!(
                "#{}: maxItems is below minItems",
                flat.at
            )));
        }
        if min > MAX_LENGTH {
            return Err(Fail::Unsupported(format!(
                "#{}: minItems {min} is larger than {MAX_LENGTH}",
                flat.at
            )));
        }
        let max = flat.max_items.unwrap_or(u64::MAX).min(min + 3);
        let wanted = if depth >= SOFT_DEPTH {
            min
        } else {
            self.rng.between(min as i64, max as i64) as u64
        };
        let wanted = if flat.contains.is_empty() {
            wanted
        } else {
            wanted.max(1)
        };
        let mut items: Vec<Value> = Vec::new();
        for i in 0..wanted as usize {
            let mut schemas: Vec<String> = flat.prefix.get(i).cloned().unwrap_or_default();
            schemas.extend(
                flat.items
                    .iter()
                    .filter(|(start, _)| *start <= i)
                    .map(|(_, s)| s.clone()),
            );
            if i == 0 {
                schemas.extend(flat.contains.iter().cloned());
            }
            let mut added = false;
            for _ in 0..if flat.unique { 16 } else { 1 } {
                let item = self.value(&schemas, depth + 1)?;
                if !flat.unique || !items.contains(&item) {
                    items.push(item);
                    added = true;
                    break;
                }
            }
            if !added {
                if items.len() as u64 >= min {
                    break;
                }
                return Err(Fail::Unsatisfiable(format!(
                    "#{}: uniqueItems: found {} distinct items, minItems is {min}",
                    flat.at,
                    items.len()
                )));
            }
        }
        Ok(Value::Array(items))
    }

    fn object(&mut self, flat: &Flat, depth: usize) -> Result<Value, Fail> {
        let allowed = |name: &str| {
            flat.closed
                .iter()
                .all(|names| names.iter().any(|n| n == name))
        };
        let required = |name: &str| flat.required.iter().any(|r| r == name);
        if let Some(name) = flat.required.iter().find(|name| !allowed(name)) {
            return Err(Fail::Unsatisfiable(format!(
                "#{}: `{name}` is required, and additionalProperties: false forbids it",
                flat.at
            )));
        }
        let max = flat.max_properties.unwrap_or(u64::MAX);
        if flat.required.len() as u64 > max {
            return Err(Fail::Unsatisfiable(format!(
                "#{}: more properties are required than maxProperties allows",
                flat.at
            )));
        }
        if flat.min_properties > max {
            return Err(Fail::Unsatisfiable(format!(
                "#{}: maxProperties is below minProperties",
                flat.at
            )));
        }
        if flat.min_properties > MAX_LENGTH {
            return Err(Fail::Unsupported(format!(
                "#{}: minProperties {} is larger than {MAX_LENGTH}",
                flat.at, flat.min_properties
            )));
        }
        let minimal = depth >= SOFT_DEPTH;
        let mut names: Vec<String> = Vec::new();
        let mut optional: Vec<String> = Vec::new();
        for (name, _) in &flat.properties {
            if required(name) {
                names.push(name.clone());
            } else if allowed(name) {
                optional.push(name.clone());
            }
        }
        for name in &flat.required {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        let mut budget = max - names.len() as u64;
        let mut skipped = Vec::new();
        for name in optional {
            if budget > 0 && !minimal && self.rng.chance(1, 2) {
                names.push(name);
                budget -= 1;
            } else {
                skipped.push(name);
            }
        }
        // A map (no declared property, a schema for every other one) gets entries of its own,
        // so that a made-up answer shows what it holds; not where a check after the build
        // would judge the names (`propertyNames`, `patternProperties`).
        if flat.properties.is_empty()
            && !flat.additional.is_empty()
            && flat.closed.is_empty()
            && flat.exact
            && !minimal
        {
            for _ in 0..=self.rng.below(2) {
                let name = (*self.rng.pick(WORDS)).to_owned();
                if budget > 0 && !names.contains(&name) {
                    names.push(name);
                    budget -= 1;
                }
            }
        }
        // minProperties: the skipped optional properties first, then names of their own.
        let mut extra = 0;
        for _ in names.len() as u64..flat.min_properties {
            if !skipped.is_empty() {
                names.push(skipped.remove(0));
            } else if flat.closed.is_empty() {
                extra += 1;
                names.push(format!("extra{extra}"));
            } else {
                return Err(Fail::Unsatisfiable(format!(
                    "#{}: minProperties needs more properties than it allows",
                    flat.at
                )));
            }
        }
        let mut object = Map::new();
        for name in names {
            let mut schemas: Vec<String> = flat
                .properties
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| s.clone())
                .unwrap_or_default();
            schemas.extend(
                flat.additional
                    .iter()
                    .filter(|(declared, _)| !declared.contains(&name))
                    .map(|(_, s)| s.clone()),
            );
            let value = self.value(&schemas, depth + 1)?;
            object.insert(name, value);
        }
        Ok(Value::Object(object))
    }
}

/// The range of the Rust integer that an integer `format` becomes in the generated types
/// (typify's reading: `int8` is an `i8`, `uint` a `u32`).
fn sized(format: &str) -> Option<(f64, f64)> {
    Some(match format {
        "int8" => (i8::MIN.into(), i8::MAX.into()),
        "uint8" => (0.0, u8::MAX.into()),
        "int16" => (i16::MIN.into(), i16::MAX.into()),
        "uint16" => (0.0, u16::MAX.into()),
        "int" | "int32" => (i32::MIN.into(), i32::MAX.into()),
        "uint" | "uint32" => (0.0, u32::MAX.into()),
        "uint64" => (0.0, SAFE),
        _ => return None,
    })
}

/// Rejects, once per pattern, what [`Generator::emit`] cannot produce.
fn check_hir(hir: &Hir) -> Result<(), String> {
    match hir.kind() {
        HirKind::Look(look) => match look {
            // Generated strings match whole, so anchors hold by themselves.
            Look::Start
            | Look::End
            | Look::StartLF
            | Look::EndLF
            | Look::StartCRLF
            | Look::EndCRLF => Ok(()),
            other => Err(format!("{other:?} (a word boundary) cannot be generated")),
        },
        // Bytes that are not UTF-8 never get here: the parser, in UTF-8 mode, refuses them.
        // `[^\s\S]` and `[a&&b]` alike (the parser writes "no match" as an empty class).
        HirKind::Class(class) if class.is_empty() => Err("a class matches no character".to_owned()),
        HirKind::Repetition(repetition) => check_hir(&repetition.sub),
        HirKind::Capture(capture) => check_hir(&capture.sub),
        HirKind::Concat(all) | HirKind::Alternation(all) => all.iter().try_for_each(check_hir),
        _ => Ok(()),
    }
}

/// Whether a scalar meets the bounds, lengths and multiples of `flat` (true for others).
fn scalar_fits(flat: &Flat, value: &Value) -> bool {
    match value {
        Value::Number(n) => {
            let Some(v) = n.as_f64() else { return false };
            let above = flat
                .minimum
                .is_none_or(|(lo, excl)| if excl { v > lo } else { v >= lo });
            let below = flat
                .maximum
                .is_none_or(|(hi, excl)| if excl { v < hi } else { v <= hi });
            above && below && flat.multiple_of.iter().all(|m| is_multiple(v, *m))
        }
        Value::String(s) => {
            let n = s.chars().count() as u64;
            n >= flat.min_length && flat.max_length.is_none_or(|max| n <= max)
        }
        _ => true,
    }
}

/// `multipleOf` as the `jsonschema` crate decides it: both numbers become fractions by scaling by
/// powers of ten until integral (as the `fraction` crate does), and the ratio must be an integer.
/// Decimal multiples such as 0.07 of 0.01 can fail that way, so candidates are filtered by it.
fn is_multiple(value: f64, multiple: f64) -> bool {
    if value == 0.0 {
        return true;
    }
    // Not only faster: a tiny value would read as a whole number (0) below.
    if value.abs() < multiple {
        return false;
    }
    if value.fract() == 0.0 && multiple.fract() == 0.0 {
        return value % multiple == 0.0;
    }
    /// `v` as numerator and denominator, the denominator a power of ten up to 10^38. A
    /// numerator past `u128` (a whole value, beside a fractional multiple) saturates, and its
    /// product with the multiple's denominator overflows below: not a multiple.
    fn fraction(v: f64) -> Option<(u128, u128)> {
        let v = v.abs();
        for p in 0..=38 {
            let scaled = v * 10f64.powi(p);
            if (scaled.floor() - scaled).abs() < f64::EPSILON {
                return Some((scaled as u128, 10u128.pow(p as u32)));
            }
        }
        None
    }
    let (Some((vn, vd)), Some((mn, md))) = (fraction(value), fraction(multiple)) else {
        return false;
    };
    match (vn.checked_mul(md), vd.checked_mul(mn)) {
        (Some(a), Some(b)) if b != 0 => a % b == 0,
        _ => false,
    }
}

/// Types that the keywords present imply, when no `type` says.
fn implied_types(flat: &Flat) -> u8 {
    let mut types = 0;
    if !flat.properties.is_empty() || !flat.required.is_empty() || !flat.closed.is_empty() {
        types |= OBJECT;
    }
    if !flat.prefix.is_empty() || !flat.items.is_empty() || flat.min_items > 0 || flat.unique {
        types |= ARRAY;
    }
    if !flat.patterns.is_empty() || !flat.formats.is_empty() || flat.min_length > 0 {
        types |= STRING;
    }
    if flat.minimum.is_some() || flat.maximum.is_some() || !flat.multiple_of.is_empty() {
        types |= NUMBER;
    }
    if types == 0 { STRING } else { types }
}

fn default_range(lo: Option<f64>, hi: Option<f64>, span: f64) -> (f64, f64) {
    match (lo, hi) {
        (Some(lo), Some(hi)) => (lo, hi),
        (Some(lo), None) => (lo, lo + span),
        (None, Some(hi)) => (hi - span, hi),
        (None, None) => (0.0, span),
    }
}

/// Whether constraints of one kind are more than the generator meets by itself: it builds a
/// value from the first, and the check sees to the others.
fn several<T>(constraints: &[T]) -> bool {
    constraints.len() > 1
}

fn min_some(old: Option<u64>, new: u64) -> Option<u64> {
    Some(old.map_or(new, |old| old.min(new)))
}

fn decimals_of(m: f64) -> u32 {
    let text = m.to_string();
    text.split_once('.').map_or(0, |(_, d)| d.len() as u32)
}

fn gcd(a: u128, b: u128) -> u128 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Keywords that constrain a value, as opposed to annotations and applicators.
fn is_assertion(key: &str) -> bool {
    !matches!(
        key,
        "$ref"
            | "allOf"
            | "anyOf"
            | "oneOf"
            | "$defs"
            | "definitions"
            | "$schema"
            | "$id"
            | "$comment"
            | "title"
            | "description"
            | "default"
            | "examples"
            | "example"
            | "deprecated"
            | "readOnly"
            | "writeOnly"
            | "nullable"
            | "discriminator"
            | "xml"
            | "externalDocs"
    ) && !key.starts_with("x-")
}

/// The JSON pointer of a local reference: `#/$defs/A%20B` → `/$defs/A B`; `None` for any
/// other reference, and for a `%` not followed by two hex digits.
fn local_pointer(reference: &str) -> Option<String> {
    let fragment = reference.strip_prefix('#')?;
    let mut out = Vec::with_capacity(fragment.len());
    let mut bytes = fragment.bytes();
    while let Some(byte) = bytes.next() {
        if byte == b'%' {
            let hex = [bytes.next()?, bytes.next()?];
            out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            out.push(byte);
        }
    }
    let pointer = String::from_utf8(out).ok()?;
    (pointer.is_empty() || pointer.starts_with('/')).then_some(pointer)
}

fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

const WORDS: &[&str] = &[
    "amber", "harbor", "lantern", "meadow", "orbit", "pixel", "quartz", "river", "signal",
    "timber", "velvet", "willow", "cobalt", "delta", "ember", "falcon", "granite", "horizon",
    "island", "juniper", "kettle", "lumen", "maple", "nectar", "opal", "prairie", "summit",
    "tundra", "violet", "zephyr",
];

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{SOFT_DEPTH, escape, fragment, generate};
    use crate::{RESPONSE_SCHEMAS, SCHEMA_JSON, SCHEMAS};

    fn crate_document() -> Value {
        serde_json::from_str(SCHEMA_JSON).unwrap()
    }

    fn names(document: &Value) -> Vec<String> {
        document["$defs"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    /// A validator of `$defs/name` of `document`, formats included, as a client would check.
    fn validator(document: &Value, name: &str) -> jsonschema::Validator {
        let mut root = document.clone();
        root["$ref"] = json!(format!(
            "#{}",
            fragment(&format!("/$defs/{}", escape(name)))
        ));
        jsonschema::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap()
    }

    #[test]
    fn every_schema_of_the_spec_gives_valid_bodies() {
        let document = crate_document();
        for name in names(&document) {
            for seed in 0..200 {
                let value = generate(&document, &name, seed)
                    .unwrap_or_else(|e| panic!("{name}, seed {seed}: {e}"));
                if let Err(e) = SCHEMAS.check_schema(&name, &value) {
                    panic!("seed {seed}: {e}\n{value:#}");
                }
            }
        }
    }

    #[test]
    fn a_seed_gives_the_same_body_and_other_seeds_other_bodies() {
        let document = crate_document();
        let mut responses: Vec<&str> = RESPONSE_SCHEMAS.iter().map(|(_, _, n)| *n).collect();
        responses.sort_unstable();
        responses.dedup();
        for name in responses {
            for seed in 0..50 {
                let first = generate(&document, name, seed).unwrap();
                assert_eq!(
                    first,
                    generate(&document, name, seed).unwrap(),
                    "{name} {seed}"
                );
                let next = generate(&document, name, seed + 1).unwrap();
                assert_ne!(first, next, "{name}: seeds {seed} and {}", seed + 1);
            }
        }
    }

    /// Hand-written schemas, one constraint or combination each.
    fn constructs() -> Value {
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$defs": {
                "Id": {"type": "string", "pattern": "^[0-9a-z]{30}$"},
                "Patterns": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["code", "name", "unanchored", "digits", "any"],
                    "properties": {
                        "code": {"type": "string", "pattern": "^(foo|bar)-\\d{2,4}$"},
                        "name": {
                            "type": "string",
                            "pattern": "^[A-Z][a-z]+( [A-Z][a-z]+)*$",
                            "minLength": 12,
                            "maxLength": 20
                        },
                        "unanchored": {"type": "string", "pattern": "ab+c"},
                        "digits": {"type": "string", "pattern": "^\\w+\\.\\d*[^\\s]?$", "maxLength": 12},
                        "any": {"type": "string", "pattern": "^.{3,}$"}
                    }
                },
                "Numbers": {
                    "type": "object",
                    "required": ["small", "open", "between", "cents", "quarters", "tenths", "int32", "free", "neg"],
                    "properties": {
                        "small": {"type": "integer", "minimum": -3, "maximum": 3},
                        "open": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                        "between": {"type": "integer", "exclusiveMinimum": 5, "exclusiveMaximum": 7},
                        "cents": {"type": "number", "multipleOf": 0.01, "minimum": -5, "maximum": 5},
                        "quarters": {"type": "number", "multipleOf": 0.25, "exclusiveMinimum": 1},
                        "tenths": {"type": "integer", "multipleOf": 0.3, "maximum": 100},
                        "int32": {"type": "integer", "format": "int32", "minimum": 2147483000},
                        "free": {"type": "number"},
                        "neg": {"type": "integer", "exclusiveMaximum": -10, "multipleOf": 7}
                    }
                },
                "Strings": {
                    "type": "object",
                    "required": ["exact", "long", "short", "nullable"],
                    "properties": {
                        "exact": {"type": "string", "minLength": 5, "maxLength": 5},
                        "long": {"type": "string", "minLength": 50},
                        "short": {"type": "string", "maxLength": 2},
                        "nullable": {"type": ["string", "null"], "minLength": 3}
                    }
                },
                "Formats": {
                    "type": "object",
                    "required": ["date_time", "date", "time", "ipv4", "ipv6", "ip", "uuid", "email",
                                 "uri", "hostname", "short_email", "duration", "pointer"],
                    "properties": {
                        "date_time": {"type": "string", "format": "date-time"},
                        "date": {"type": "string", "format": "date"},
                        "time": {"type": "string", "format": "time"},
                        "ipv4": {"type": "string", "format": "ipv4"},
                        "ipv6": {"type": "string", "format": "ipv6"},
                        "ip": {"anyOf": [{"format": "ipv4"}, {"format": "ipv6"}], "type": "string"},
                        "uuid": {"type": "string", "format": "uuid"},
                        "email": {"type": "string", "format": "email"},
                        "uri": {"type": "string", "format": "uri"},
                        "hostname": {"type": "string", "format": "hostname"},
                        "short_email": {"type": "string", "format": "email", "maxLength": 28},
                        "duration": {"type": "string", "format": "duration"},
                        "pointer": {"type": "string", "format": "json-pointer"}
                    }
                },
                "Enums": {
                    "type": "object",
                    "required": ["kind", "mixed", "fixed", "narrowed"],
                    "properties": {
                        "kind": {"enum": ["a", "b", "c"]},
                        "mixed": {"enum": [1, "one", null, {"x": 1}, [1, 2]]},
                        "fixed": {"const": 42},
                        "narrowed": {"type": "string", "enum": ["x", "yy", 3, "zzz"], "minLength": 2}
                    }
                },
                "Arrays": {
                    "type": "object",
                    "required": ["pair", "tuple", "unique", "all_three", "bounded"],
                    "properties": {
                        "pair": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
                        "tuple": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false, "minItems": 2},
                        "unique": {"type": "array", "items": {"enum": ["r", "g", "b"]}, "uniqueItems": true, "minItems": 2},
                        "all_three": {"type": "array", "items": {"enum": ["r", "g", "b"]}, "uniqueItems": true, "minItems": 3, "maxItems": 3},
                        "bounded": {"type": "array", "items": {"$ref": "#/$defs/Id"}, "minItems": 1, "maxItems": 4},
                        "contains": {"type": "array", "items": {"type": "integer"}, "contains": {"const": 7}}
                    }
                },
                "Closed": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["id"],
                    "properties": {
                        "id": {"$ref": "#/$defs/Id"},
                        "note": {"type": "string"},
                        "count": {"type": "integer", "minimum": 0}
                    }
                },
                "Open": {
                    "type": "object",
                    "required": ["a", "b"],
                    "properties": {"a": {"type": "string"}},
                    "additionalProperties": {"type": "integer"},
                    "minProperties": 4
                },
                "Tree": {
                    "type": "object",
                    "required": ["name", "children"],
                    "properties": {
                        "name": {"type": "string"},
                        "children": {"type": "array", "items": {"$ref": "#/$defs/Tree"}},
                        "parent": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/Tree"}]}
                    }
                },
                "List": {
                    "type": "object",
                    "required": ["value", "next"],
                    "properties": {
                        "value": {"type": "integer"},
                        "next": {"oneOf": [{"$ref": "#/$defs/List"}, {"type": "null"}]}
                    }
                },
                "Named": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1}}},
                "AllOfObjects": {
                    "allOf": [
                        {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
                        {"required": ["b"], "properties": {"b": {"type": "integer", "minimum": 3}, "a": {"maxLength": 4}}},
                        {"$ref": "#/$defs/Named"}
                    ]
                },
                "OneOfNumbers": {
                    "oneOf": [
                        {"type": "integer", "minimum": 0, "maximum": 10},
                        {"type": "integer", "minimum": 5, "maximum": 20}
                    ]
                },
                "OneOfObjects": {
                    "type": "object",
                    "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                    "oneOf": [{"required": ["a"]}, {"required": ["b"]}]
                },
                "AnyOfTypes": {"anyOf": [{"type": "string", "format": "uuid"}, {"type": "boolean"}, {"type": "null"}]},
                "RefWithSiblings": {"$ref": "#/$defs/Named", "required": ["extra"], "properties": {"extra": {"type": "boolean"}}},
                "Not": {"type": "integer", "minimum": 0, "maximum": 5, "not": {"const": 3}},
                "Nullable": {"type": ["object", "null"], "required": ["at"], "properties": {"at": {"type": "string", "format": "date-time"}}},
                "TypedEnums": {
                    "type": "object",
                    "required": ["int", "num", "str"],
                    "properties": {
                        "int": {"type": "integer", "enum": [1, 2.0, 2.5, -3, 18_446_744_073_709_551_615_u64, "x"]},
                        "num": {"type": "number", "enum": [2.5, 7, "x", null]},
                        "str": {"type": "string", "enum": [2.5, "x", true]}
                    }
                },
                "Bounds": {
                    "type": "integer",
                    "allOf": [
                        {"minimum": 2, "maximum": 12},
                        {"exclusiveMinimum": 3, "exclusiveMaximum": 11},
                        {"minimum": 5, "maximum": 9},
                        {"exclusiveMinimum": 5, "exclusiveMaximum": 9},
                        {"minimum": 5, "maximum": 9}
                    ]
                },
                "TypeList": {"type": ["integer", "number"], "minimum": 1, "maximum": 3, "multipleOf": 0.5},
                "FloatCounts": {"type": "string", "minLength": 3.0, "maxLength": 4.0},
                "FewProperties": {
                    "type": "object",
                    "required": ["a"],
                    "properties": {
                        "a": {"type": "integer"},
                        "b": {"type": "integer"},
                        "c": {"type": "integer"},
                        "d": {"type": "integer"},
                        "e": {"type": "integer"}
                    },
                    "minProperties": 2,
                    "maxProperties": 3
                },
                "TwoMultiples": {"type": "integer", "multipleOf": 4, "allOf": [{"multipleOf": 6}], "minimum": 0, "maximum": 100},
                "TwoPatterns": {"type": "string", "pattern": "^[a-c]{2,3}$", "allOf": [{"pattern": "[ab]"}]},
                "FormatAndPattern": {"type": "string", "format": "ipv4", "pattern": "^[12][0-9]{2}\\.2\\.3\\.4$"},
                "PatternThenFormat": {"type": "string", "pattern": "^[12][0-9]{2}\\.2\\.3\\.4$", "allOf": [{"format": "ipv4"}]},
                "Between": {"type": "number", "minimum": 10, "maximum": 12},
                // Too wide a range for a random point in it: its middle.
                "Huge": {"type": "number", "minimum": -1.7e308, "maximum": 1.7e308},
                "Anything": {},
                "Always": true
            }
        })
    }

    #[test]
    fn hand_written_schemas_give_valid_values() {
        let document = constructs();
        for name in names(&document) {
            let validator = validator(&document, &name);
            for seed in 0..500 {
                let value = generate(&document, &name, seed)
                    .unwrap_or_else(|e| panic!("{name}, seed {seed}: {e}"));
                let errors: Vec<String> = validator
                    .iter_errors(&value)
                    .map(|e| e.to_string())
                    .collect();
                assert!(
                    errors.is_empty(),
                    "{name}, seed {seed}: {errors:?}\n{value:#}"
                );
            }
        }
    }

    #[test]
    fn a_sized_integer_format_bounds_the_numbers_to_what_its_rust_type_holds() {
        for (format, lo, hi) in [
            ("int8", -128, 127),
            ("uint8", 0, 255),
            ("int16", -32_768, 32_767),
            ("uint16", 0, 65_535),
            ("int", -2_147_483_648, 2_147_483_647),
            ("int32", -2_147_483_648, 2_147_483_647),
            ("uint", 0, 4_294_967_295),
            ("uint32", 0, 4_294_967_295),
            ("uint64", 0, 9_007_199_254_740_991),
        ] {
            // Bounds wider than the type: the type's range is what the values keep to.
            let document = json!({"$defs": {
                "Wide": {"type": "integer", "format": format,
                         "minimum": -1e12, "maximum": 1e12},
                "Above": {"type": "integer", "format": format, "minimum": hi - 2},
                "Below": {"type": "integer", "format": format, "maximum": lo + 2},
            }});
            let mut wide = Vec::new();
            for seed in 0..60 {
                let n = generate(&document, "Wide", seed).unwrap().as_i64().unwrap();
                assert!((lo..=hi).contains(&n), "{format}: {n}");
                wide.push(n);
                let n = generate(&document, "Above", seed)
                    .unwrap()
                    .as_i64()
                    .unwrap();
                assert!((hi - 2..=hi).contains(&n), "{format}: {n}");
                let n = generate(&document, "Below", seed)
                    .unwrap()
                    .as_i64()
                    .unwrap();
                assert!((lo..=lo + 2).contains(&n), "{format}: {n}");
            }
            // Spread over the range both allow, not stuck at one end.
            let (min, max) = (wide.iter().min().unwrap(), wide.iter().max().unwrap());
            let span = hi.min(1_000_000_000_000) - lo.max(-1_000_000_000_000);
            assert!(*max - *min > span / 4, "{format}: {min}..{max}");
        }
        // A format the types do not size leaves the range to the schema.
        let document = json!({"$defs": {"Big": {"type": "integer", "format": "int64",
                                                 "minimum": 1e15}}});
        let n = generate(&document, "Big", 1).unwrap().as_i64().unwrap();
        assert!(n >= 1_000_000_000_000_000, "{n}");
    }

    #[test]
    fn a_map_gets_entries_of_its_own_unless_its_names_are_checked() {
        let document = json!({"$defs": {
            "Scores": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
            "One": {"type": "object", "maxProperties": 1, "additionalProperties": {"type": "boolean"}},
            "Named": {"type": "object", "propertyNames": {"pattern": "^x"},
                      "additionalProperties": {"type": "integer"}},
            "Forest": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Forest"}},
            "Closed": {"type": "object", "additionalProperties": {"type": "integer"},
                       "allOf": [{"additionalProperties": false}]},
            "Declared": {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}},
                         "additionalProperties": {"type": "string"}}
        }});
        let sizes = |name: &str| -> Vec<usize> {
            let validator = validator(&document, name);
            (0..40)
                .map(|seed| {
                    let value = generate(&document, name, seed).unwrap();
                    assert!(validator.is_valid(&value), "{name}, seed {seed}: {value}");
                    value.as_object().unwrap().len()
                })
                .collect()
        };
        let scores = sizes("Scores");
        assert!(scores.iter().all(|n| (1..=2).contains(n)), "{scores:?}");
        assert!(scores.contains(&2), "{scores:?}");
        assert!(sizes("One").iter().all(|n| *n == 1));
        assert!(sizes("Named").iter().all(|n| *n == 0));
        assert!(sizes("Closed").iter().all(|n| *n == 0));
        // An object with properties of its own is no map: it gets only those.
        assert!(sizes("Declared").iter().all(|n| *n == 1));
        // A map of maps ends where recursion makes every choice the smallest.
        let forest = generate(&document, "Forest", 7).unwrap();
        let mut depth = 0;
        let mut level = &forest;
        while let Some((_, inner)) = level.as_object().and_then(|map| map.iter().next()) {
            depth += 1;
            level = inner;
        }
        assert_eq!(depth, SOFT_DEPTH, "{forest}");
    }

    /// `Prefer: seed=N` is a promise to a user: the same body again, in this release and the
    /// next. So the bodies of the hand-written schemas are pinned: a few in full, to read what
    /// changed, and many more by a digest of their text.
    #[test]
    fn seeded_bodies_stay_the_same_from_release_to_release() {
        use std::fmt::Write;
        let document = constructs();
        let mut pinned = String::new();
        let mut digest: u64 = 0xcbf2_9ce4_8422_2325;
        for name in names(&document) {
            for seed in 0..200 {
                let body = generate(&document, &name, seed).unwrap().to_string();
                if seed < 3 {
                    writeln!(pinned, "{name} {seed}: {body}").unwrap();
                }
                // FNV-1a: the digest of every body, in order.
                for byte in body.bytes().chain([b'\n']) {
                    digest = (digest ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
                }
            }
        }
        writeln!(pinned, "digest of seeds 0 to 199: {digest:016x}").unwrap();
        insta::assert_snapshot!(pinned);
    }

    /// The generator is splitmix64, whose published outputs for the seed 1234567 these are.
    #[test]
    fn the_random_numbers_are_splitmix64() {
        let mut rng = super::Rng::new(1_234_567);
        let outputs: Vec<u64> = (0..5).map(|_| rng.next()).collect();
        assert_eq!(
            outputs,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423,
                4_593_380_528_125_082_431,
                16_408_922_859_458_223_821,
            ]
        );
    }

    #[test]
    fn a_range_may_span_every_i64() {
        let first = |lo, hi| super::Rng::new(1_234_567).between(lo, hi);
        // The first output, 6_457_827_717_110_365_317, as a whole i64 and scaled into a range
        // one short of it.
        assert_eq!(first(i64::MIN, i64::MAX), 6_457_827_717_110_365_317);
        assert_eq!(first(i64::MIN + 1, i64::MAX), -2_765_544_319_744_410_491);
        let mut rng = super::Rng::new(7);
        let mut seen = [false; 7];
        for _ in 0..200 {
            let n = rng.between(-3, 3);
            assert!((-3..=3).contains(&n), "{n}");
            seen[(n + 3) as usize] = true;
        }
        assert_eq!(seen, [true; 7]);
    }

    #[test]
    fn enum_members_are_kept_by_their_json_schema_type() {
        let document = constructs();
        let mut seen: [Vec<Value>; 3] = Default::default();
        for seed in 0..100 {
            let value = generate(&document, "TypedEnums", seed).unwrap();
            for (i, key) in ["int", "num", "str"].into_iter().enumerate() {
                if !seen[i].contains(&value[key]) {
                    seen[i].push(value[key].clone());
                }
            }
        }
        for found in &mut seen {
            found.sort_by_key(Value::to_string);
        }
        assert_eq!(
            seen,
            [
                vec![
                    json!(-3),
                    json!(1),
                    json!(18_446_744_073_709_551_615_u64),
                    json!(2.0)
                ],
                vec![json!(2.5), json!(7)],
                vec![json!("x")],
            ]
        );
    }

    /// A chain of `levels` objects, each the `next` of the one before, ending in an integer.
    fn chain(levels: usize, last: Value) -> Value {
        let mut defs = serde_json::Map::new();
        for i in 0..levels {
            defs.insert(
                format!("L{i}"),
                json!({"type": "object", "required": ["next"],
                       "properties": {"next": {"$ref": format!("#/$defs/L{}", i + 1)}}}),
            );
        }
        defs.insert(format!("L{levels}"), last);
        json!({ "$defs": defs })
    }

    #[test]
    fn a_value_nests_at_most_forty_levels_deep() {
        let integer = json!({"type": "integer", "minimum": 7, "maximum": 7});
        let deepest = generate(&chain(super::HARD_DEPTH, integer.clone()), "L0", 1).unwrap();
        let pointer = "/next".repeat(super::HARD_DEPTH);
        assert_eq!(deepest.pointer(&pointer), Some(&json!(7)));
        let error = generate(&chain(super::HARD_DEPTH + 1, integer), "L0", 1).unwrap_err();
        assert!(error.contains("nests deeper than 40 levels"), "{error}");
    }

    #[test]
    fn retries_through_nesting_stop_at_the_budget() {
        // Each level tries its value 24 times, and each try of an outer level tries the inner
        // ones again: four levels would take 24^4 tries of a value nothing matches.
        let error = generate(&chain(3, json!({"not": {}})), "L0", 1).unwrap_err();
        assert!(
            error.starts_with(
                "schema L0: gave up after 20000 tries; last problem: #/$defs/L2/properties/next"
            ),
            "{error}"
        );
    }

    /// Checked values come from the schema alone, wherever its references lead, whatever
    /// the document's root says of itself.
    #[test]
    fn checks_resolve_references_anywhere_in_the_document_and_ignore_the_root() {
        // `not` makes each value checked after it is built.
        let small = json!({"type": "integer", "minimum": 0, "maximum": 5, "not": {"const": 3}});
        let documents = [
            // The root's own keywords would refuse every integer.
            json!({"type": "string", "required": ["x"], "$defs": {"Small": small}}),
            // A reference out of `$defs` into another part of the document.
            json!({"$defs": {"Small": {"$ref": "#/components/small"}}, "components": {"small": small}}),
            json!({"$defs": {"Small": {"type": "object", "required": ["n"],
                                       "properties": {"n": {"$ref": "#/components/small"}}}},
                   "components": {"small": small}}),
            // A document that names itself, and a schema whose name needs escaping.
            json!({"$id": "https://example.com/schemas.json",
                   "$defs": {"Small": {"$ref": "#/$defs/a%20b~1c"}, "a b/c": small}}),
        ];
        for document in documents {
            let mut values = Vec::new();
            for seed in 0..30 {
                let value = generate(&document, "Small", seed)
                    .unwrap_or_else(|e| panic!("{document}: {e}"));
                let n = value.get("n").unwrap_or(&value).as_i64().unwrap();
                values.push(n);
            }
            values.sort_unstable();
            values.dedup();
            assert_eq!(values, [0, 1, 2, 4, 5], "{document}");
        }
        // A name made of an operation id, checked under its own name.
        let document = json!({"$defs": {"list pets.query.size%": small}});
        let value = generate(&document, "list pets.query.size%", 1).unwrap();
        assert!(value.as_i64().is_some_and(|n| n != 3), "{value}");
    }

    /// Drafts before 2020-12 write a tuple as an `items` array, and what may follow it as
    /// `additionalItems`.
    #[test]
    fn older_drafts_tuples_give_valid_values() {
        let document = json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "$defs": {
                "Pair": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}],
                         "additionalItems": false, "minItems": 2},
                "Open": {"type": "array", "items": [{"type": "boolean"}],
                         "additionalItems": {"type": "integer", "minimum": 0}, "minItems": 3},
                "Loose": {"type": "array", "additionalItems": false,
                          "items": {"type": "integer"}, "minItems": 2}
            }
        });
        for seed in 0..100 {
            let pair = generate(&document, "Pair", seed).unwrap();
            let pair = pair.as_array().unwrap();
            assert!(
                pair.len() == 2 && pair[0].is_string() && pair[1].is_i64(),
                "{pair:?}"
            );
            let open = generate(&document, "Open", seed).unwrap();
            let open = open.as_array().unwrap();
            assert!(open.len() >= 3 && open[0].is_boolean(), "{open:?}");
            assert!(open[1..].iter().all(|v| v.as_u64().is_some()), "{open:?}");
            // Without an `items` array, `additionalItems` says nothing.
            let loose = generate(&document, "Loose", seed).unwrap();
            let loose = loose.as_array().unwrap();
            assert!(
                loose.len() >= 2 && loose.iter().all(Value::is_i64),
                "{loose:?}"
            );
        }
    }

    #[test]
    fn past_the_soft_depth_branches_are_tried_cheapest_first_then_the_next() {
        // Only the costliest branch passes the `not`: null, then boolean, are tried first.
        let leaf = json!({
            "anyOf": [{"type": "null"}, {"type": "boolean"}, {"type": "string", "maxLength": 3}],
            "not": {"anyOf": [{"type": "null"}, {"type": "boolean"}]}
        });
        let document = chain(super::SOFT_DEPTH + 1, leaf);
        let pointer = "/next".repeat(super::SOFT_DEPTH + 1);
        let leaves: Vec<Value> = (0..4)
            .map(|seed| {
                generate(&document, "L0", seed)
                    .unwrap()
                    .pointer(&pointer)
                    .cloned()
                    .unwrap()
            })
            .collect();
        assert_eq!(
            leaves,
            [json!("am"), json!("zep"), json!("hor"), json!("isl")]
        );
    }

    #[test]
    fn past_the_soft_depth_each_choice_takes_its_cheapest_branch() {
        let five = json!({"type": "integer", "minimum": 5, "maximum": 5});
        let pair = json!({"type": "object", "required": ["a", "b"],
                          "properties": {"a": {"type": "string"}, "b": {"type": "string"}}});
        let leaf = json!({
            "type": "object",
            "required": ["true", "null", "const", "enum", "ref", "all", "items", "some", "bare"],
            "properties": {
                // `true` costs less than an object that needs a property.
                "true": {"anyOf": [{"type": "object", "required": ["a"],
                                    "properties": {"a": {"type": "string"}}}, true]},
                // A branch that allows null costs nothing.
                "null": {"anyOf": [{"type": ["boolean", "integer"]}, {"type": ["string", "null"]}]},
                "const": {"anyOf": [{"type": "boolean"}, {"const": null}]},
                "enum": {"anyOf": [{"type": "boolean"}, {"enum": [null]}]},
                // What a branch refers to, all its parts and its fewest items add to its cost.
                "ref": {"anyOf": [{"$ref": "#/$defs/Pair"}, five]},
                "all": {"anyOf": [{"allOf": [{"type": "string"}, {"minLength": 1}]}, five]},
                "items": {"anyOf": [{"type": "array", "minItems": 2,
                                     "items": {"type": "string"}}, five]},
                // A choice costs its cheapest branch.
                "some": {"anyOf": [{"oneOf": [pair, {"type": "object"}]}, five]},
                // Fewest items of no schema cost nothing more: a tie, and the first wins.
                "bare": {"anyOf": [{"type": "array", "minItems": 1}, five]}
            }
        });
        let mut document = chain(super::SOFT_DEPTH, leaf);
        document["$defs"]["Pair"] = pair;
        let pointer = "/next".repeat(super::SOFT_DEPTH);
        for seed in 0..3 {
            let mut value = generate(&document, "L0", seed).unwrap();
            let leaf = value.pointer_mut(&pointer).unwrap();
            // Past the soft depth, `true` gives a string.
            assert!(leaf["true"].is_string(), "seed {seed}: {leaf}");
            leaf["true"] = json!("any");
            assert!(leaf["bare"].is_array(), "seed {seed}: {leaf}");
            leaf["bare"] = json!([]);
            assert_eq!(
                *leaf,
                json!({"true": "any", "null": null, "const": null, "enum": null,
                       "ref": 5, "all": 5, "items": 5, "some": 5, "bare": []}),
                "seed {seed}"
            );
        }
    }

    #[test]
    fn a_cost_counts_what_a_value_needs_until_its_fuel_runs_out() {
        // Each a loop, so that only the fuel ends its cost: 1 for each schema on the way,
        // 1000 where the fuel runs out, times the fewest items.
        let document = json!({"$defs": {
            "Ref": {"$ref": "#/$defs/Ref"},
            "All": {"allOf": [{"$ref": "#/$defs/All"}]},
            "Any": {"anyOf": [{"$ref": "#/$defs/Any"}]},
            "Cheap": {"oneOf": [{"type": "string"}, {"$ref": "#/$defs/Cheap"}]},
            "Null": {"type": "null"},
            "Nullable": {"type": ["integer", "null"]},
            "ConstNull": {"const": null},
            "EnumNull": {"enum": [1, null]},
            "Integer": {"type": ["integer", "string"], "enum": [1, "a"], "const": 1},
            "Required": {"required": ["a"], "properties": {"a": {"$ref": "#/$defs/Required"}}},
            "Items": {"minItems": 2, "items": {"$ref": "#/$defs/Items"}}
        }});
        let mut generator = super::Generator::new(&document, 0);
        let mut costs = |names: &[&str]| -> Vec<u64> {
            names
                .iter()
                .map(|name| generator.cost(&format!("/$defs/{name}"), 3))
                .collect()
        };
        assert_eq!(
            costs(&["Ref", "All", "Any", "Required", "Items"]),
            [1003, 1003, 1003, 1003, 4005]
        );
        // A choice costs its cheapest branch: the string, 1.
        assert_eq!(costs(&["Cheap"]), [2]);
        // A value that may be null costs nothing.
        assert_eq!(
            costs(&["Null", "Nullable", "ConstNull", "EnumNull", "Integer"]),
            [0, 0, 0, 0, 1]
        );
        assert_eq!(generator.cost("/$defs/Ref", 0), 1000);
        assert_eq!(generator.cost("/$defs/Missing", 3), 1_000_000);
    }

    #[test]
    fn choices_vary_with_the_seed() {
        let document = constructs();
        let values: Vec<Value> = (0..200)
            .map(|seed| generate(&document, "Tree", seed).unwrap())
            .collect();
        assert!(
            values
                .iter()
                .any(|v| v["children"].as_array().unwrap().len() > 1)
        );
        assert!(
            values
                .iter()
                .any(|v| v.get("parent").is_some_and(Value::is_object))
        );
        assert!(values.iter().any(|v| v.get("parent").is_none()));
        let ones: Vec<Value> = (0..200)
            .map(|seed| generate(&document, "OneOfNumbers", seed).unwrap())
            .collect();
        assert!(ones.iter().any(|v| v.as_i64() < Some(5)));
        assert!(ones.iter().any(|v| v.as_i64() > Some(10)));
        let closed: Vec<Value> = (0..50)
            .map(|seed| generate(&document, "Closed", seed).unwrap())
            .collect();
        assert!(closed.iter().any(|v| v.get("note").is_some()));
        assert!(closed.iter().any(|v| v.get("note").is_none()));
    }

    #[test]
    fn what_cannot_be_generated_is_an_error_naming_the_schema_and_the_construct() {
        let document = json!({"$defs": {
            "Boundary": {"type": "string", "pattern": "\\bword\\b"},
            "Backreference": {"type": "string", "pattern": "^(a)\\1$"},
            "Lengths": {"type": "string", "minLength": 5, "maxLength": 3},
            "PatternLength": {"type": "string", "pattern": "^[a-z]{3}$", "minLength": 5},
            "Never": false,
            "Huge": {"type": "string", "pattern": "^((a{1000}){1000}){1000}$"},
            "Endless": {"type": "object", "required": ["next"], "properties": {"next": {"$ref": "#/$defs/Endless"}}},
            "Loop": {"allOf": [{"$ref": "#/$defs/Loop"}]},
            "Remote": {"$ref": "https://example.com/schema.json"},
            "NoEnum": {"type": "integer", "enum": ["a", "b"]},
            "TooFew": {"type": "array", "items": {"enum": [1, 2]}, "uniqueItems": true, "minItems": 3},
            "Closed": {"type": "object", "required": ["x"], "additionalProperties": false},
            "Dynamic": {"$dynamicRef": "#meta"},
            "Recursive": {"$recursiveRef": "#"},
            "HalfCount": {"type": "string", "minLength": 2.5},
            "NegativeCount": {"type": "array", "minItems": -1.0},
            "TooMany": {"type": "object", "required": ["a", "b"], "maxProperties": 1}
        }});
        let error = |name: &str| generate(&document, name, 7).unwrap_err();
        let boundary = error("Boundary");
        assert!(
            boundary.contains("schema Boundary") && boundary.contains("\\bword\\b"),
            "{boundary}"
        );
        assert!(boundary.contains("word boundary"), "{boundary}");
        assert!(error("Backreference").contains("cannot parse"));
        assert!(error("Lengths").contains("maxLength is below minLength"));
        assert!(error("PatternLength").contains("pattern `^[a-z]{3}$`"));
        assert!(error("Never").contains("`false`"));
        let endless = error("Endless");
        assert!(
            endless.starts_with("schema Endless: ") && endless.contains("no way out"),
            "{endless}"
        );
        assert!(error("Huge").contains("longer than"));
        assert!(error("Remote").contains("local references"));
        assert!(
            error("NoEnum")
                .contains("#/$defs/NoEnum: no member of the enum matches the other constraints")
        );
        assert!(error("TooFew").contains("uniqueItems"));
        assert!(error("Closed").contains(
            "#/$defs/Closed: `x` is required, and additionalProperties: false forbids it"
        ));
        assert!(error("Dynamic").contains("#/$defs/Dynamic/$dynamicRef: not supported"));
        assert!(error("Recursive").contains("#/$defs/Recursive/$recursiveRef: not supported"));
        assert!(error("HalfCount").contains("minLength: not a non-negative integer"));
        assert!(error("NegativeCount").contains("minItems: not a non-negative integer"));
        assert!(
            error("TooMany").contains("more properties are required than maxProperties allows")
        );
        // A UUID is never a URI: both formats are checked, so no value is found. (In a
        // document of its own: a check holds its whole document, which must not refer out.)
        let formats = json!({"$defs": {
            "TwoFormats": {"type": "string", "format": "uuid", "allOf": [{"format": "uri"}]}
        }});
        let two = generate(&formats, "TwoFormats", 7).unwrap_err();
        assert!(
            two.contains("no value for #/$defs/TwoFormats in 24 tries"),
            "{two}"
        );
        assert!(error("Missing").contains("no schema Missing"));
        // A reference loop with nothing else is `true`: any value will do.
        assert!(generate(&document, "Loop", 1).is_ok());
    }

    #[test]
    fn multiples_are_exact_within_the_bounds_and_refused_past_them() {
        let document = json!({"$defs": {
            "Halves": {"type": "integer", "multipleOf": 0.5, "minimum": 1, "maximum": 3},
            "TwoFifths": {"type": "integer", "multipleOf": 0.4, "minimum": 1, "maximum": 3},
            "Wide": {"type": "number", "multipleOf": 1, "minimum": 0, "maximum": 1e20},
            "AtExact": {"type": "number", "multipleOf": 1, "minimum": 9007199254740992.0, "maximum": 9007199254740992.0},
            "PastExact": {"type": "number", "multipleOf": 2, "minimum": 9007199254740994.0, "maximum": 9007199254740994.0},
            "Far": {"type": "number", "multipleOf": 1, "minimum": 1e17, "maximum": 1e18},
            "NoneWithin": {"type": "integer", "multipleOf": 10, "minimum": 1, "maximum": 9},
            "TooFine": {"type": "integer", "multipleOf": 1e-40}
        }});
        let values = |name: &str| -> Vec<Value> {
            (0..60)
                .map(|seed| generate(&document, name, seed).unwrap())
                .collect()
        };
        // Every integer is a multiple of 0.5; of 0.4, only the even ones.
        let mut halves: Vec<i64> = values("Halves")
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        halves.sort_unstable();
        halves.dedup();
        assert_eq!(halves, [1, 2, 3]);
        assert!(values("TwoFifths").iter().all(|v| v == &json!(2)));
        // A range too wide to draw exactly is drawn within ±2^53.
        let wide = values("Wide");
        assert!(
            wide.iter()
                .all(|v| v.as_u64().is_some_and(|v| v <= 1 << 53)),
            "{wide:?}"
        );
        // Up to 2^53 a whole multiple is a JSON integer; past it, a float.
        assert_eq!(
            generate(&document, "AtExact", 1).unwrap().to_string(),
            "9007199254740992"
        );
        assert_eq!(
            generate(&document, "PastExact", 1).unwrap().to_string(),
            "9007199254740994.0"
        );
        let error = |name: &str| generate(&document, name, 7).unwrap_err();
        assert_eq!(
            error("Far"),
            "schema Far: #/$defs/Far: the multiples of 1 within the bounds are too far from zero"
        );
        let none_within = error("NoneWithin");
        assert!(
            none_within
                .ends_with("problem: #/$defs/NoneWithin: no multiple of 10 within the bounds"),
            "{none_within}"
        );
        assert!(error("TooFine").contains("is too fine for integers"));
    }

    #[test]
    fn lengths_and_patterns_reach_their_limits_and_stop_past_them() {
        let document = json!({"$defs": {
            "AtMax": {"type": "string", "minLength": 10000},
            "PastMax": {"type": "string", "minLength": 10001},
            "LongPattern": {"type": "string", "pattern": "^a{40000}$"},
            "TooLongPattern": {"type": "string", "pattern": "^a{40001}$"},
            "Bytes": {"type": "string", "pattern": "^(?-u:[a-c])x$"},
            "NotUtf8": {"type": "string", "pattern": "(?-u:\\xff)"},
            "NoCharacter": {"type": "string", "pattern": "^a[^\\s\\S]$"},
            "NoByte": {"type": "string", "pattern": "^a(?-u:[a&&b])$"}
        }});
        let value = |name: &str, seed: u64| generate(&document, name, seed).unwrap();
        let error = |name: &str| generate(&document, name, 7).unwrap_err();
        let at_max = value("AtMax", 3);
        let length = at_max.as_str().unwrap().chars().count();
        assert!((10_000..=10_024).contains(&length), "{length}");
        assert!(error("PastMax").contains("minLength 10001 is larger than 10000"));
        assert_eq!(value("LongPattern", 3), json!("a".repeat(40_000)));
        assert!(
            error("TooLongPattern").contains("makes strings longer than 40000"),
            "{}",
            error("TooLongPattern")
        );
        let mut bytes: Vec<String> = (0..40)
            .map(|seed| value("Bytes", seed).as_str().unwrap().to_owned())
            .collect();
        bytes.sort_unstable();
        bytes.dedup();
        assert_eq!(bytes, ["ax", "bx", "cx"]);
        let not_utf8 = error("NotUtf8");
        assert!(not_utf8.contains("cannot parse it"), "{not_utf8}");
        for name in ["NoCharacter", "NoByte"] {
            assert!(
                error(name).contains("a class matches no character"),
                "{}",
                error(name)
            );
        }
    }

    /// Words are cut to the length drawn, so every length can be met exactly.
    #[test]
    fn text_meets_every_exact_length() {
        for n in 0..=60 {
            let document =
                json!({"$defs": {"S": {"type": "string", "minLength": n, "maxLength": n}}});
            for seed in 0..20 {
                let text = generate(&document, "S", seed).unwrap();
                assert_eq!(text.as_str().unwrap().len(), n, "{n}, seed {seed}: {text}");
            }
        }
    }

    #[test]
    fn counts_of_items_and_properties_hold_at_their_edges() {
        let document = json!({"$defs": {
            "ItemsAtMax": {"type": "array", "minItems": 10000, "items": {"type": "boolean"}},
            "ItemsPastMax": {"type": "array", "minItems": 10001},
            "PropertiesAtMax": {"type": "object", "minProperties": 10000, "additionalProperties": {"type": "boolean"}},
            "PropertiesPastMax": {"type": "object", "minProperties": 10001},
            "MinAboveMax": {"type": "object", "minProperties": 3, "maxProperties": 2},
            "MinAtMax": {"type": "object", "minProperties": 2, "maxProperties": 2},
            "RequiredAtMax": {
                "type": "object", "required": ["a", "b"], "maxProperties": 2,
                "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}, "c": {"type": "integer"}}
            },
            "ClosedByAPart": {
                "type": "object",
                "allOf": [{"properties": {"a": {"type": "integer"}}, "additionalProperties": false}],
                "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}
            },
            "RequiredButClosed": {"type": "object", "required": ["x"], "properties": {"a": {}}, "additionalProperties": false}
        }});
        let value = |name: &str, seed: u64| {
            let value = generate(&document, name, seed).unwrap();
            assert!(
                validator(&document, name).is_valid(&value),
                "{name}: {value}"
            );
            value
        };
        let error = |name: &str| generate(&document, name, 7).unwrap_err();
        let items = value("ItemsAtMax", 1).as_array().unwrap().len();
        assert!((10_000..=10_003).contains(&items), "{items}");
        assert!(error("ItemsPastMax").contains("minItems 10001 is larger than 10000"));
        assert!(value("PropertiesAtMax", 1).as_object().unwrap().len() >= 10_000);
        assert!(error("PropertiesPastMax").contains("minProperties 10001 is larger than 10000"));
        assert!(error("MinAboveMax").contains("maxProperties is below minProperties"));
        for seed in 0..20 {
            assert_eq!(value("MinAtMax", seed).as_object().unwrap().len(), 2);
            let keys: Vec<String> = value("RequiredAtMax", seed)
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            assert_eq!(keys, ["a", "b"]);
        }
        // A property one part declares and another part's closed list leaves out never comes.
        let closed: Vec<Value> = (0..40).map(|seed| value("ClosedByAPart", seed)).collect();
        assert!(closed.iter().all(|v| v.get("b").is_none()), "{closed:?}");
        assert!(closed.iter().any(|v| v.get("a").is_some()), "{closed:?}");
        assert!(error("RequiredButClosed").contains(
            "#/$defs/RequiredButClosed: `x` is required, and additionalProperties: false forbids it"
        ));
    }

    #[test]
    fn a_word_boundary_is_found_inside_groups_and_repetitions() {
        let document = json!({"$defs": {
            "InGroup": {"type": "string", "pattern": "^(\\bx)$"},
            "Repeated": {"type": "string", "pattern": "^(?:a\\b)*$"}
        }});
        for name in ["InGroup", "Repeated"] {
            let error = generate(&document, name, 7).unwrap_err();
            assert!(error.contains("word boundary"), "{name}: {error}");
        }
    }

    #[test]
    fn multiples_are_decided_as_the_validator_decides_them() {
        use super::is_multiple;
        let two_to_130 = 2f64.powi(130);
        for (value, multiple, expected) in [
            (0.0, 0.3, true),
            (-1.5, 0.5, true),
            (0.5, 0.25, true),
            (0.3, 0.3, true),
            (0.75, 0.5, false),
            (0.2, 0.3, false),
            (6.0, 3.0, true),
            (7.0, 2.0, false),
            (6.0, 1.5, true),
            (two_to_130, 2.0, true),
            (1.0000000000000002, 0.5, false),
            (0.07, 0.01, true),
            (0.07, 0.02, false),
            (1e-40, 0.5, false),
            // Never a division by zero, though a schema's multipleOf is never 0.
            (0.5, 0.0, false),
        ] {
            assert_eq!(
                is_multiple(value, multiple),
                expected,
                "{value} of {multiple}"
            );
            if multiple > 0.0 {
                let schema = json!({"multipleOf": multiple});
                let decided = jsonschema::is_valid(&schema, &json!(value));
                assert_eq!(decided, expected, "the validator on {value} of {multiple}");
            }
        }
    }

    /// A schema with no `type` gives the type its keywords constrain; none, a string.
    #[test]
    fn keywords_without_a_type_imply_it() {
        let cases = [
            ("object", json!({"properties": {"a": {"type": "integer"}}})),
            ("object", json!({"required": ["a"]})),
            ("object", json!({"additionalProperties": false})),
            ("array", json!({"prefixItems": [{"type": "integer"}]})),
            ("array", json!({"items": {"type": "integer"}})),
            ("array", json!({"minItems": 1})),
            ("array", json!({"uniqueItems": true})),
            ("string", json!({"pattern": "^a+$"})),
            ("string", json!({"format": "date"})),
            ("string", json!({"minLength": 1})),
            ("string", json!({"description": "nothing that constrains"})),
            ("number", json!({"minimum": 5})),
            ("number", json!({"maximum": 5})),
            ("number", json!({"multipleOf": 3})),
        ];
        for (expected, schema) in cases {
            let document = json!({"$defs": {"S": schema}});
            for seed in 0..20 {
                let value = generate(&document, "S", seed).unwrap();
                let kind = match value {
                    Value::Object(_) => "object",
                    Value::Array(_) => "array",
                    Value::String(_) => "string",
                    Value::Number(_) => "number",
                    _ => "other",
                };
                assert_eq!(kind, expected, "{schema}, seed {seed}: {value}");
            }
        }
        // Keywords of two types imply both, each chosen now and then.
        for string_keyword in [
            json!({"pattern": "^a+$"}),
            json!({"format": "date"}),
            json!({"minLength": 1}),
        ] {
            let mut schema = string_keyword.clone();
            schema["minimum"] = json!(5);
            let document = json!({"$defs": {"S": schema}});
            let kinds: std::collections::BTreeSet<bool> = (0..30)
                .map(|seed| generate(&document, "S", seed).unwrap().is_string())
                .collect();
            assert_eq!(kinds.len(), 2, "{string_keyword}");
        }
    }

    /// Enum members are checked against what else constrains them, and only then.
    #[test]
    fn enum_members_are_kept_by_the_other_constraints() {
        let document = json!({"$defs": {
            "Short": {"enum": ["a", "bb", "ccc"], "maxLength": 2},
            "Patterned": {"enum": ["a1", "bb", "c3"], "pattern": "^[a-z][0-9]$"},
            "Extended": {"enum": ["a1", "bb", "c3"], "x-note": "an extension", "description": "x"}
        }});
        let members = |name: &str| -> Vec<Value> {
            let mut members: Vec<Value> = (0..40)
                .map(|seed| generate(&document, name, seed).unwrap())
                .collect();
            members.sort_by_key(|v| v.to_string());
            members.dedup();
            members
        };
        assert_eq!(members("Short"), [json!("a"), json!("bb")]);
        assert_eq!(members("Patterned"), [json!("a1"), json!("c3")]);
        assert_eq!(members("Extended"), [json!("a1"), json!("bb"), json!("c3")]);
    }

    #[test]
    fn days_count_to_calendar_dates_across_centuries() {
        use super::civil_from_days;
        for (days, date) in [
            (-135_081, (1600, 2, 29)),
            (-25_568, (1899, 12, 31)),
            (-25_509, (1900, 2, 28)),
            (-25_508, (1900, 3, 1)),
            (0, (1970, 1, 1)),
            (11_016, (2000, 2, 29)),
            (11_322, (2000, 12, 31)),
            (18_262, (2020, 1, 1)),
            (20_818, (2026, 12, 31)),
            (47_540, (2100, 2, 28)),
            (47_541, (2100, 3, 1)),
            (157_113, (2400, 2, 29)),
            (2_932_896, (9999, 12, 31)),
        ] {
            assert_eq!(civil_from_days(days), date, "{days}");
        }
    }

    #[test]
    fn local_references_are_read_as_pointers() {
        use super::local_pointer;
        for (reference, pointer) in [
            ("#", Some("")),
            ("#/$defs/A", Some("/$defs/A")),
            ("#/$defs/A%20B", Some("/$defs/A B")),
            ("#/$defs/%41%c3%a9", Some("/$defs/Aé")),
            ("#/$defs/A%4", None),
            ("#/$defs/A%", None),
            ("#/$defs/A%zz", None),
            ("#/$defs/%ff", None),
            ("#A", None),
            ("other.json#/$defs/A", None),
        ] {
            assert_eq!(local_pointer(reference).as_deref(), pointer, "{reference}");
        }
    }

    /// Each format has values of its own kind, which a validator that knows the format
    /// accepts; a format left to plain words would pass the validators that do not know it.
    #[test]
    fn every_format_gives_values_of_its_own_shape() {
        use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
        type Shape = dyn Fn(&str) -> bool;
        let shapes: &[(&str, &Shape)] = &[
            ("date-time", &|s| {
                s.len() == 20 && &s[10..11] == "T" && s.ends_with('Z')
            }),
            ("date", &|s| {
                s.len() == 10 && &s[4..5] == "-" && &s[7..8] == "-"
            }),
            ("time", &|s| s.len() == 9 && s.ends_with('Z')),
            ("duration", &|s| {
                s.starts_with("PT") || (s.starts_with('P') && s.ends_with('D'))
            }),
            ("email", &|s| s.contains("@example.")),
            ("idn-email", &|s| s.contains("@example.")),
            ("hostname", &|s| s.ends_with(".example.com")),
            ("idn-hostname", &|s| s.ends_with(".example.com")),
            ("ipv4", &|s| s.parse::<Ipv4Addr>().is_ok()),
            ("ipv6", &|s| s.parse::<Ipv6Addr>().is_ok()),
            ("ip", &|s| s.parse::<IpAddr>().is_ok()),
            ("uri", &|s| s.starts_with("https://") && !s.contains(' ')),
            ("iri", &|s| s.starts_with("https://") && !s.contains(' ')),
            ("uri-reference", &|s| s.starts_with('/') && !s.contains(' ')),
            ("iri-reference", &|s| s.starts_with('/') && !s.contains(' ')),
            ("uri-template", &|s| {
                s.starts_with("https://example.com/") && s.ends_with("/{id}")
            }),
            ("uuid", &|s| s.len() == 36 && &s[14..15] == "4"),
            ("json-pointer", &|s| s.starts_with('/')),
            ("relative-json-pointer", &|s| {
                s.as_bytes().first().is_some_and(u8::is_ascii_digit) && s[1..].starts_with('/')
            }),
            ("regex", &|s| s == "^[a-z]+$"),
            ("byte", &|s| {
                crate::auth::base64_decode(s).is_some_and(|text| {
                    (4..=24).contains(&text.len())
                        && text.iter().all(|b| b.is_ascii_lowercase() || *b == b' ')
                })
            }),
        ];
        let mut defs = serde_json::Map::new();
        for (format, _) in shapes {
            defs.insert(
                format.to_string(),
                json!({"type": "string", "format": format}),
            );
        }
        let document = json!({"$defs": defs});
        for (format, shape) in shapes {
            let validator = validator(&document, format);
            let values: Vec<String> = (0..40)
                .map(|seed| generate(&document, format, seed).unwrap())
                .map(|v| v.as_str().unwrap().to_owned())
                .collect();
            for value in &values {
                assert!(shape(value), "{format}: {value}");
                assert!(validator.is_valid(&json!(value)), "{format}: {value}");
            }
            let distinct: std::collections::BTreeSet<&String> = values.iter().collect();
            assert!(
                distinct.len() > 1 || *format == "regex",
                "{format}: {values:?}"
            );
        }
        // An `ip` is either kind.
        let kinds: std::collections::BTreeSet<bool> = (0..40)
            .map(|seed| generate(&document, "ip", seed).unwrap())
            .map(|v| v.as_str().unwrap().contains(':'))
            .collect();
        assert_eq!(kinds.len(), 2);
    }

    /// The fixture specs' schema documents: each schema gives valid values or an error.
    #[test]
    fn the_fixture_specs_schemas_give_valid_values_or_errors() {
        let fixtures =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../xtask/fixtures/src");
        let Ok(entries) = std::fs::read_dir(&fixtures) else {
            return;
        };
        let mut documents = 0;
        for entry in entries.flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path().join("schema.json")) else {
                continue;
            };
            let document: Value = serde_json::from_str(&text).unwrap();
            documents += 1;
            for name in names(&document) {
                let validator = validator(&document, &name);
                for seed in 0..100 {
                    if let Ok(value) = generate(&document, &name, seed) {
                        assert!(validator.is_valid(&value), "{name}, seed {seed}: {value}");
                    }
                }
            }
        }
        assert!(
            documents > 0,
            "no fixture documents under {}",
            fixtures.display()
        );
    }
}
