//! The end of a comparison: Rust changes joined to the wire findings they belong to, lines,
//! the verdict and the version bumps, and the report as text, Markdown or JSON.

use serde_json::{Value, json};

use super::rust::Change;
use super::wire::Places;
use super::{Diff, Finding, Group, Rust, Wire, nearest_line};
use crate::spec::{self, Spec};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

impl Format {
    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "text" => Some(Format::Text),
            "json" => Some(Format::Json),
            "markdown" | "md" => Some(Format::Markdown),
            _ => None,
        }
    }
}

/// What the report says besides the findings.
pub struct Context {
    /// The new spec as the report names it.
    pub spec: String,
    /// The base as the report names it, e.g. `main (9137606)`.
    pub base: String,
    /// The generated crates' version (`[workspace.package]` of Cargo.toml) at the base and now.
    pub crates: (Option<String>, Option<String>),
    pub allow_breaking: bool,
}

/// A semver bump.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl Bump {
    fn name(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// The bumps an edit needs: of the API (`info.version`) and of the generated crates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bumps {
    pub api: Bump,
    pub crates: Bump,
}

/// The API needs a major bump for a wire break, a minor one for anything it newly accepts
/// or returns, a patch otherwise; the crates the same for Rust breaks and additions.
pub fn bumps(findings: &[Finding]) -> Bumps {
    let any = !findings.is_empty();
    let api = if findings.iter().any(|f| f.wire == Wire::Breaking) {
        Bump::Major
    } else if findings.iter().any(|f| f.wire == Wire::Compatible) {
        Bump::Minor
    } else if any {
        Bump::Patch
    } else {
        Bump::None
    };
    let crates = if findings.iter().any(|f| f.rust == Rust::Breaking) {
        Bump::Major
    } else if findings.iter().any(|f| f.rust == Rust::Addition) {
        Bump::Minor
    } else if any {
        Bump::Patch
    } else {
        Bump::None
    };
    Bumps { api, crates }
}

type Version = (u64, u64, u64);

/// `1.2.3`, `v1.2`, `1.2.3-rc.1+build` → (1, 2, 3); anything else is not a version.
fn parse_version(text: &str) -> Option<Version> {
    let core = text
        .trim()
        .trim_start_matches('v')
        .split(['-', '+'])
        .next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().unwrap_or(Some(0))?;
    let patch = parts.next().unwrap_or(Some(0))?;
    if parts.next().is_some() {
        return None;
    }
    Some((major, minor, patch))
}

/// The smallest version after `v` that makes `bump`. Below 1.0.0 a breaking change bumps
/// the minor number and an addition the patch, as Cargo reads such versions.
fn next(v: Version, bump: Bump) -> Version {
    match (bump, v.0) {
        (Bump::None, _) => v,
        (Bump::Major, 0) => (0, v.1 + 1, 0),
        (Bump::Major, _) => (v.0 + 1, 0, 0),
        (Bump::Minor, 0) | (Bump::Patch, _) => (v.0, v.1, v.2 + 1),
        (Bump::Minor, _) => (v.0, v.1 + 1, 0),
    }
}

fn shown((a, b, c): Version) -> String {
    format!("{a}.{b}.{c}")
}

/// How one version went, against what the edit needs.
struct VersionCheck {
    what: &'static str,
    base: Option<String>,
    now: Option<String>,
    needs: Bump,
    /// The version that the bump would give, when the base version is readable.
    target: Option<String>,
    /// The version now is at least that.
    done: bool,
}

fn check(what: &'static str, base: Option<&str>, now: Option<&str>, needs: Bump) -> VersionCheck {
    let (b, n) = (base.and_then(parse_version), now.and_then(parse_version));
    let target = b.map(|b| next(b, needs));
    VersionCheck {
        what,
        base: base.map(String::from),
        now: now.map(String::from),
        needs,
        target: target.map(shown),
        done: needs != Bump::None && matches!((n, target), (Some(n), Some(t)) if n >= t),
    }
}

fn api_versions(diff: &Diff) -> (Option<&str>, Option<&str>) {
    fn known(v: &str) -> Option<&str> {
        (!v.is_empty()).then_some(v)
    }
    (known(&diff.base_version), known(&diff.new_version))
}

/// `info.version` has had a major bump: that acknowledges any break.
fn api_major(diff: &Diff) -> VersionCheck {
    let (base, now) = api_versions(diff);
    check("API (info.version)", base, now, Bump::Major)
}

fn checks(diff: &Diff, context: &Context) -> [VersionCheck; 2] {
    let bumps = bumps(&diff.findings);
    let (base, now) = api_versions(diff);
    [
        check("API (info.version)", base, now, bumps.api),
        check(
            "generated crates",
            context.crates.0.as_deref(),
            context.crates.1.as_deref(),
            bumps.crates,
        ),
    ]
}

/// The outcome, which decides the exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing breaks.
    Clean,
    /// Something breaks, and the version says so.
    Acknowledged,
    /// Something breaks, and `--allow-breaking` lets it.
    Allowed,
    /// Something breaks, unacknowledged.
    Breaking,
}

impl Verdict {
    fn name(self) -> &'static str {
        match self {
            Verdict::Clean => "clean",
            Verdict::Acknowledged => "acknowledged",
            Verdict::Allowed => "allowed",
            Verdict::Breaking => "breaking",
        }
    }
}

/// A wire break is acknowledged by a major bump of `info.version`; a break of the Rust
/// crates alone also by a breaking bump of their version.
pub fn verdict(diff: &Diff, context: &Context) -> Verdict {
    let wire = diff.findings.iter().any(|f| f.wire == Wire::Breaking);
    let rust = diff.findings.iter().any(|f| f.rust == Rust::Breaking);
    if !wire && !rust {
        return Verdict::Clean;
    }
    let [_, crates] = checks(diff, context);
    let api = api_major(diff);
    // The crates need a major bump whenever Rust breaks, so `crates.done` means one.
    let acknowledged = if wire {
        api.done
    } else {
        api.done || crates.done
    };
    if acknowledged {
        Verdict::Acknowledged
    } else if context.allow_breaking {
        Verdict::Allowed
    } else {
        Verdict::Breaking
    }
}

/// Joins each Rust change to the wire finding it is part of, and reports the others on
/// their own. A change is part of the finding at its place (a removed property and its
/// removed field), of a finding that contains it (an added parameter and the type of its
/// value), or of the first wire finding inside it (a retyped field and its new `type`).
pub(super) fn merge_rust(findings: &mut Vec<Finding>, changes: Vec<Change>, places: &Places) {
    // Findings whose place holds the generated items that come and go with them.
    const CONTAINERS: &[&str] = &[
        "operation-added",
        "operation-removed",
        "operation-renamed",
        "method-changed",
        "path-changed",
        "parameter-added",
        "parameter-added-required",
        "parameter-removed",
        "request-body-added",
        "request-body-added-required",
        "request-body-removed",
        "response-status-added",
        "response-status-removed",
        "media-type-added",
        "media-type-removed",
        "property-added",
        "property-added-required",
        "property-removed",
    ];
    for change in changes {
        let note = change.message.clone();
        let attach = |f: &mut Finding| {
            f.rust = f.rust.max(change.rust);
            if !f.rust_notes.contains(&note) {
                f.rust_notes.push(note.clone());
            }
        };
        let mut joined = false;
        if let Some(pointer) = &change.pointer {
            for f in findings.iter_mut() {
                if &f.pointer == pointer && f.item == change.item {
                    attach(f);
                    joined = true;
                }
            }
            if !joined {
                for f in findings.iter_mut() {
                    if CONTAINERS.contains(&f.rule)
                        && pointer.starts_with(&format!("{}/", f.pointer))
                    {
                        attach(f);
                        joined = true;
                    }
                }
            }
            if !joined && change.item.is_none() {
                let inside = |f: &Finding| f.pointer.starts_with(&format!("{pointer}/"));
                let documentation =
                    |f: &Finding| matches!(f.rule, "documentation-changed" | "extension-changed");
                // The wire's own reason first; in a schema no operation uses, what changed.
                let found = findings
                    .iter()
                    .position(|f| inside(f) && f.wire != Wire::None)
                    .or_else(|| findings.iter().position(|f| inside(f) && !documentation(f)));
                if let Some(i) = found {
                    attach(&mut findings[i]);
                    joined = true;
                }
            }
        }
        if joined {
            continue;
        }
        let pointer = change.pointer.clone().unwrap_or_default();
        findings.push(Finding {
            rule: change.rule,
            wire: Wire::None,
            rust: change.rust,
            group: places.group(&pointer),
            pointer,
            gone: change.gone,
            line: None,
            base_line: None,
            message: change.message,
            rust_notes: Vec::new(),
            item: change.item,
        });
    }
}

/// Lines of each finding, and the order they are reported in: operations, then components,
/// then the document, each group in the order the comparison met it.
pub(super) fn finish(findings: &mut [Finding], base: &Spec, new: &Spec) {
    for f in findings.iter_mut() {
        if f.pointer.is_empty() {
            continue;
        }
        if f.gone {
            f.base_line = spec::locate(&base.text, &f.pointer).map(|(line, _)| line);
            // The same pointer in the new document may name something else (a list index):
            // the nearest place is the one that held it.
            let parent = &f.pointer[..f.pointer.rfind('/').unwrap_or(0)];
            f.line = nearest_line(&new.text, parent);
        } else {
            f.line = nearest_line(&new.text, &f.pointer);
        }
    }
    let mut first_seen: Vec<Group> = Vec::new();
    for f in findings.iter() {
        if !first_seen.contains(&f.group) {
            first_seen.push(f.group.clone());
        }
    }
    let rank = |g: &Group| {
        let kind = match g {
            Group::Operation { .. } => 0,
            Group::Component { .. } => 1,
            Group::Document => 2,
        };
        let order = match g {
            // Components are shown in name order, whichever operation reached them first.
            Group::Component { .. } => 0,
            _ => first_seen.iter().position(|x| x == g).unwrap_or(0),
        };
        let name = match g {
            Group::Component { pointer, .. } => pointer.clone(),
            _ => String::new(),
        };
        (kind, order, name)
    };
    findings.sort_by_cached_key(|f| rank(&f.group));
}

/// The groups of `findings` in order, each with its findings.
fn grouped(findings: &[Finding]) -> Vec<(&Group, Vec<&Finding>)> {
    let mut out: Vec<(&Group, Vec<&Finding>)> = Vec::new();
    for f in findings {
        match out.last_mut() {
            Some((g, list)) if *g == &f.group => list.push(f),
            _ => out.push((&f.group, vec![f])),
        }
    }
    out
}

fn heading(group: &Group) -> String {
    match group {
        Group::Operation { id, method, path } => format!("{id}: {method} {path}"),
        Group::Component { pointer, used_by } => {
            let mut parts = pointer.trim_start_matches("/components/").splitn(2, '/');
            let kind = match parts.next().unwrap_or_default() {
                "schemas" => "schema",
                "responses" => "response",
                "parameters" => "parameter",
                "requestBodies" => "request body",
                "headers" => "header",
                "securitySchemes" => "security scheme",
                "examples" => "example",
                other => other,
            };
            let name = parts
                .next()
                .unwrap_or_default()
                .replace("~1", "/")
                .replace("~0", "~");
            if used_by.is_empty() {
                format!("{kind} {name}, used by no operation")
            } else {
                format!("{kind} {name}, used by {}", used_by.join(", "))
            }
        }
        Group::Document => "document".into(),
    }
}

fn label(f: &Finding) -> String {
    if f.breaking() {
        format!("BREAKING ({})", f.kind())
    } else if f.wire == Wire::Compatible || f.rust == Rust::Addition {
        "compatible".into()
    } else {
        "docs".into()
    }
}

fn place(f: &Finding) -> String {
    let line = |l: Option<usize>| l.map(|l| format!(", line {l}")).unwrap_or_default();
    if f.pointer.is_empty() {
        return "no place in the spec".into();
    }
    if f.gone {
        let base = f
            .base_line
            .map(|l| format!(" (base line {l})"))
            .unwrap_or_default();
        let near = f
            .line
            .map(|l| format!("; near line {l} now"))
            .unwrap_or_default();
        format!("was at #{}{base}{near}", f.pointer)
    } else {
        format!("at #{}{}", f.pointer, line(f.line))
    }
}

fn summary(diff: &Diff) -> String {
    let n = diff.findings.len();
    let breaking = diff.findings.iter().filter(|f| f.breaking()).count();
    match (n, breaking) {
        (0, _) => "no changes".into(),
        (n, 0) => format!("{n} change{}, none breaking", plural(n)),
        (n, b) => format!("{n} change{}, {b} breaking", plural(n)),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn version_line(c: &VersionCheck) -> String {
    let from_to = match (&c.base, &c.now) {
        (Some(b), Some(n)) if b == n => format!("{b}, unchanged"),
        (Some(b), Some(n)) => format!("{b} → {n}"),
        (None, Some(n)) => format!("now {n}"),
        (Some(b), None) => format!("was {b}"),
        (None, None) => "version unknown".into(),
    };
    let needs = match (c.needs, &c.target) {
        (Bump::None, _) => "no bump needed".to_string(),
        (bump, Some(target)) => format!(
            "needs a {} bump, to {target}{}",
            bump.name(),
            if c.done { " (done)" } else { "" }
        ),
        (bump, None) => format!("needs a {} bump", bump.name()),
    };
    format!("{}: {from_to}; {needs}", c.what)
}

fn conclusion(diff: &Diff, context: &Context, verdict: Verdict) -> String {
    let [_, crates] = checks(diff, context);
    let api = api_major(diff);
    let wire = diff.findings.iter().any(|f| f.wire == Wire::Breaking);
    let to = |c: &VersionCheck| c.target.clone().unwrap_or_else(|| "the next major".into());
    match verdict {
        Verdict::Clean => "nothing breaks".into(),
        Verdict::Acknowledged => "breaking, acknowledged by the version bump".into(),
        Verdict::Allowed => "breaking, allowed by --allow-breaking".into(),
        Verdict::Breaking if wire => format!(
            "breaking: bump info.version to {} to acknowledge it, or pass --allow-breaking",
            to(&api)
        ),
        Verdict::Breaking => format!(
            "breaking for the generated crates: bump their version ([workspace.package] in Cargo.toml) to {} (or info.version to {}) to acknowledge it, or pass --allow-breaking",
            to(&crates),
            to(&api)
        ),
    }
}

/// The report in `format`.
pub fn render(diff: &Diff, context: &Context, format: Format) -> String {
    let verdict = verdict(diff, context);
    match format {
        Format::Text => text(diff, context, verdict),
        Format::Markdown => markdown(diff, context, verdict),
        Format::Json => {
            serde_json::to_string_pretty(&to_json(diff, context, verdict)).unwrap_or_default()
                + "\n"
        }
    }
}

fn text(diff: &Diff, context: &Context, verdict: Verdict) -> String {
    let mut out = format!(
        "{} against {}: {}\n",
        context.spec,
        context.base,
        summary(diff)
    );
    for note in &diff.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    for (group, findings) in grouped(&diff.findings) {
        out.push_str(&format!("\n{}\n", heading(group)));
        for f in findings {
            out.push_str(&format!("  {} {}: {}\n", label(f), f.rule, f.message));
            out.push_str(&format!("    {}\n", place(f)));
            for note in &f.rust_notes {
                out.push_str(&format!("    Rust: {note}\n"));
            }
        }
    }
    if !diff.findings.is_empty() {
        out.push('\n');
        for c in checks(diff, context) {
            out.push_str(&format!("{}\n", version_line(&c)));
        }
    }
    out.push_str(&format!("result: {}\n", conclusion(diff, context, verdict)));
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

fn markdown(diff: &Diff, context: &Context, verdict: Verdict) -> String {
    let title = match verdict {
        Verdict::Clean => "nothing breaks",
        Verdict::Acknowledged => "breaking, acknowledged",
        Verdict::Allowed => "breaking, allowed",
        Verdict::Breaking => "breaking",
    };
    let mut out = format!(
        "### Spec diff: {title}\n\n`{}` against `{}`: {}.\n",
        context.spec,
        context.base,
        summary(diff)
    );
    for note in &diff.notes {
        out.push_str(&format!("\n> {}\n", cell(note)));
    }
    for (group, findings) in grouped(&diff.findings) {
        let title = match group {
            Group::Operation { id, method, path } => format!("`{id}`: `{method} {path}`"),
            other => heading(other),
        };
        out.push_str(&format!(
            "\n#### {title}\n\n| | change | where |\n| --- | --- | --- |\n"
        ));
        for f in findings {
            let mut change = format!("{} (`{}`)", f.message, f.rule);
            for note in &f.rust_notes {
                change.push_str(&format!("\nRust: {note}"));
            }
            let verdict = if f.breaking() {
                format!("**breaking** ({})", f.kind())
            } else {
                label(f)
            };
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                verdict,
                cell(&change),
                cell(&place(f).replace(&format!("#{}", f.pointer), &format!("`#{}`", f.pointer)))
            ));
        }
    }
    if !diff.findings.is_empty() {
        out.push_str("\n#### Versions\n\n");
        for c in checks(diff, context) {
            out.push_str(&format!("- {}\n", version_line(&c)));
        }
    }
    out.push_str(&format!(
        "\n**Result:** {}\n",
        conclusion(diff, context, verdict)
    ));
    out
}

fn to_json(diff: &Diff, context: &Context, verdict: Verdict) -> Value {
    let findings: Vec<Value> = diff
        .findings
        .iter()
        .map(|f| {
            let group = match &f.group {
                Group::Operation { id, method, path } => {
                    json!({"operation": id, "method": method, "path": path})
                }
                Group::Component { pointer, used_by } => {
                    json!({"component": format!("#{pointer}"), "used_by": used_by})
                }
                Group::Document => json!({"document": true}),
            };
            json!({
                "rule": f.rule,
                "kind": f.kind(),
                "wire": match f.wire { Wire::None => "none", Wire::Compatible => "compatible", Wire::Breaking => "breaking" },
                "rust": match f.rust { Rust::None => "none", Rust::Addition => "addition", Rust::Breaking => "breaking" },
                "group": group,
                "pointer": format!("#{}", f.pointer),
                "gone": f.gone,
                "line": f.line,
                "base_line": f.base_line,
                "message": f.message,
                "rust_notes": f.rust_notes,
            })
        })
        .collect();
    let version = |c: &VersionCheck| {
        json!({
            "base": c.base,
            "now": c.now,
            "needs": c.needs.name(),
            "to": c.target,
            "done": c.done,
        })
    };
    let [api, crates] = checks(diff, context);
    json!({
        "spec": context.spec,
        "base": context.base,
        "findings": findings,
        "notes": diff.notes,
        "versions": {"api": version(&api), "crates": version(&crates)},
        "breaking": {
            "wire": diff.findings.iter().any(|f| f.wire == Wire::Breaking),
            "rust": diff.findings.iter().any(|f| f.rust == Rust::Breaking),
        },
        "verdict": verdict.name(),
        "result": conclusion(diff, context, verdict),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_loosely_and_bump_as_cargo_reads_them() {
        assert_eq!(parse_version("1.2.3"), Some((1, 2, 3)));
        assert_eq!(parse_version("v2"), Some((2, 0, 0)));
        assert_eq!(parse_version("1.0.0-rc.1+b5"), Some((1, 0, 0)));
        assert_eq!(parse_version("one"), None);
        assert_eq!(parse_version("1.2.3.4"), None);
        assert_eq!(next((1, 2, 3), Bump::Major), (2, 0, 0));
        assert_eq!(next((1, 2, 3), Bump::Minor), (1, 3, 0));
        assert_eq!(next((1, 2, 3), Bump::Patch), (1, 2, 4));
        assert_eq!(next((0, 1, 0), Bump::Major), (0, 2, 0));
        assert_eq!(next((0, 1, 0), Bump::Minor), (0, 1, 1));
    }

    #[test]
    fn a_bump_is_done_when_the_version_reached_its_target() {
        assert!(check("api", Some("1.0.0"), Some("2.0.0"), Bump::Major).done);
        assert!(check("api", Some("1.0.0"), Some("3.1.0"), Bump::Major).done);
        assert!(!check("api", Some("1.0.0"), Some("1.9.0"), Bump::Major).done);
        assert!(check("api", Some("1.0.0"), Some("1.1.0"), Bump::Minor).done);
        assert!(!check("api", Some("x"), Some("2.0.0"), Bump::Major).done);
    }
}
