//! `cargo xtask diff`: what an edit of the spec breaks, for HTTP clients on the wire and for
//! code that uses the generated crates, and the version bumps the edit needs.
//!
//! The wire comparison walks the two documents (`wire`, `schemas`); the Rust comparison reads
//! the generator's own operation model and type space of each side (`rust`); `report` merges,
//! judges and prints them; `base` finds the base document in git.

mod base;
mod report;
mod rust;
mod schemas;
mod wire;

use std::path::Path;
use std::process::ExitCode;

use crate::codegen::SPEC_PATH;
use crate::spec::{self, SpecError};

pub use base::default_base as merge_base;
pub use report::{Bump, Bumps, Context, Format, Verdict, bumps, render, verdict};

/// What a change does to existing HTTP clients and servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Wire {
    /// Nothing a client or server sends or accepts changes (documentation, Rust names).
    None,
    /// The API accepts or returns something new, and every existing client still works.
    Compatible,
    /// Some existing client or server stops working.
    Breaking,
}

/// What a change does to code that uses the generated client and types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rust {
    None,
    /// New items; code that compiled still compiles.
    Addition,
    /// Code that compiled against the old crates may not compile any more.
    Breaking,
}

/// Where a finding is reported: with the operation it belongs to, or with the shared
/// component (a named schema, a response, a parameter) that every user of it sees changed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Operation {
        id: String,
        method: String,
        path: String,
    },
    Component {
        /// `/components/<kind>/<name>`.
        pointer: String,
        /// The operations that use it, each with `request` or `response`.
        used_by: Vec<String>,
    },
    Document,
}

/// One change between the two documents, classified and located.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The rule that recognised it, e.g. `property-removed`.
    pub rule: &'static str,
    pub wire: Wire,
    pub rust: Rust,
    /// A JSON pointer into the new document, or into the base document when `gone`.
    pub pointer: String,
    /// The pointer names something that only the base document has.
    pub gone: bool,
    /// The pointer's line in the new file; for something gone, the line of the nearest
    /// place that is still there.
    pub line: Option<usize>,
    /// The pointer's line in the base file, for something gone.
    pub base_line: Option<usize>,
    pub message: String,
    /// What users of the generated crates see of it.
    pub rust_notes: Vec<String>,
    pub group: Group,
    /// The element a pointer to a list means (an enum value), so that a wire finding and
    /// its Rust counterpart can be told to be the same change.
    pub(crate) item: Option<String>,
}

impl Finding {
    /// `wire and Rust`, `wire`, `Rust`, or `none`: whom the change breaks.
    pub fn kind(&self) -> &'static str {
        match (self.wire == Wire::Breaking, self.rust == Rust::Breaking) {
            (true, true) => "wire and Rust",
            (true, false) => "wire",
            (false, true) => "Rust",
            (false, false) => "none",
        }
    }

    pub fn breaking(&self) -> bool {
        self.wire == Wire::Breaking || self.rust == Rust::Breaking
    }
}

/// Everything the two documents differ in.
#[derive(Debug)]
pub struct Diff {
    pub findings: Vec<Finding>,
    /// Things the comparison could not do, said plainly (e.g. a side the generator rejects).
    pub notes: Vec<String>,
    /// `info.version` of the base and of the new document.
    pub base_version: String,
    pub new_version: String,
}

/// A side that cannot be read: which one, and the located error.
#[derive(Debug)]
pub struct SideError {
    pub side: &'static str,
    pub error: SpecError,
}

impl std::fmt::Display for SideError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read the {} spec: {}", self.side, self.error)
    }
}

impl std::error::Error for SideError {}

/// Compares two specs held in memory; `*_shown` name them in errors.
pub fn compare(
    base_shown: &str,
    base_text: String,
    new_shown: &str,
    new_text: String,
) -> Result<Diff, SideError> {
    // The sides are independent, and reading one (parsing, then the generator's model) is
    // most of the time a comparison takes: one thread each.
    let read = |side: &'static str, shown: &str, text: String| {
        let spec = spec::parse(shown, text).map_err(|error| SideError { side, error })?;
        let surface = rust::Surface::read(&spec).map_err(|e| {
            format!(
                "the Rust comparison was skipped: the generator cannot read the {side} spec: {e}"
            )
        });
        Ok::<_, SideError>((spec, surface))
    };
    let (base, new) = std::thread::scope(|scope| {
        let base = scope.spawn(|| read("base", base_shown, base_text));
        let new = read("new", new_shown, new_text);
        let base = base.join().unwrap_or_else(|_| {
            Err(SideError {
                side: "base",
                error: SpecError {
                    file: base_shown.to_string(),
                    line_col: None,
                    pointer: None,
                    message: "reading it stopped on an internal error".into(),
                },
            })
        });
        (base, new)
    });
    let (base, base_surface) = base?;
    let (new, new_surface) = new?;
    let mut notes = Vec::new();
    let (mut findings, places) = wire::compare(&base, &new);
    match (base_surface, new_surface) {
        (Ok(old), Ok(newer)) => {
            let changes = rust::compare(&old, &newer);
            report::merge_rust(&mut findings, changes, &places);
        }
        (old, newer) => notes.extend([old.err(), newer.err()].into_iter().flatten()),
    }
    report::finish(&mut findings, &base, &new);
    let version = |s: &spec::Spec| {
        s.json
            .pointer("/info/version")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    Ok(Diff {
        findings,
        notes,
        base_version: version(&base),
        new_version: version(&new),
    })
}

const USAGE: &str =
    "usage: cargo xtask diff [--base REF] [--format text|json|markdown] [--allow-breaking]

Compares spec/openapi.yaml at REF (default: the merge base with main, or HEAD on main) with the
working copy and reports what the edit breaks for HTTP clients (wire) and for code using the
generated crates (Rust), and the version bumps it needs.

exit status: 0 nothing breaks, or the break is acknowledged (a major bump of info.version; for a
break of the crates alone, also a breaking bump of [workspace.package] version in Cargo.toml), or
--allow-breaking lets it; 1 something breaks; 2 a usage error, or a spec or base that cannot be
read";

struct Args {
    base: Option<String>,
    format: Format,
    allow_breaking: bool,
}

fn parse_args(args: &[&str]) -> Result<Option<Args>, String> {
    let mut out = Args {
        base: None,
        format: Format::Text,
        allow_breaking: false,
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value)),
            _ => (*arg, None),
        };
        let mut value = |name: &str| {
            inline
                .or_else(|| rest.next().copied())
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag {
            "--base" => out.base = Some(value("--base")?),
            "--format" => {
                let name = value("--format")?;
                out.format = Format::parse(&name).ok_or_else(|| {
                    format!("unknown format {name:?}; use text, json or markdown")
                })?;
            }
            "--allow-breaking" if inline.is_none() => out.allow_breaking = true,
            "-h" | "--help" | "help" => return Ok(None),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    Ok(Some(out))
}

/// `cargo xtask diff ARGS`, with its own exit status: 0, 1 when something breaks, 2 on errors.
pub fn main(args: &[&str]) -> ExitCode {
    let args = match parse_args(args) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let root = match crate::workspace_root() {
        Ok(root) => root,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let base = match base::read(&root, args.base.as_deref()) {
        Ok(base) => base,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&root, &base, args.format, args.allow_breaking) {
        Ok((text, verdict)) => {
            print!("{text}");
            if verdict == Verdict::Breaking {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The `cargo xtask ci` step: the working copy against the merge base. A base that cannot be
/// found (a shallow clone, no `main`) falls back to HEAD, and a HEAD without the spec skips
/// the step; each says so.
pub fn ci(root: &Path) -> anyhow::Result<()> {
    let base = match base::read(root, None) {
        Ok(base) => base,
        Err(e) => match base::read(root, Some("HEAD")) {
            Ok(head) => {
                eprintln!("note: {e}; comparing with HEAD instead");
                head
            }
            Err(head) => {
                eprintln!("note: spec diff skipped: {e}; and {head}");
                return Ok(());
            }
        },
    };
    let (text, verdict) = run(root, &base, Format::Text, false).map_err(anyhow::Error::msg)?;
    eprint!("{text}");
    if verdict == Verdict::Breaking {
        anyhow::bail!(
            "the spec edit breaks clients or the generated crates; acknowledge it with a major bump of info.version (see above), or run `cargo xtask diff --allow-breaking` to review it"
        );
    }
    Ok(())
}

/// Compares the base with the working copy and renders the report.
fn run(
    root: &Path,
    base: &base::Base,
    format: Format,
    allow_breaking: bool,
) -> Result<(String, Verdict), String> {
    let path = root.join(SPEC_PATH);
    let shown = crate::shown(&path);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let crates_now = std::fs::read_to_string(root.join("Cargo.toml"))
        .ok()
        .and_then(|t| base::crates_version(&t));
    let context = report::Context {
        spec: shown.clone(),
        base: base.label.clone(),
        crates: (base.crates_version.clone(), crates_now),
        allow_breaking,
    };
    // A clean checkout compares a file with itself: nothing to parse or generate.
    let diff = if text == base.text {
        let version = serde_norway::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.pointer("/info/version")?.as_str().map(String::from))
            .unwrap_or_default();
        Diff {
            findings: Vec::new(),
            notes: Vec::new(),
            base_version: version.clone(),
            new_version: version,
        }
    } else {
        compare(&base.shown, base.text.clone(), &shown, text).map_err(|e| e.to_string())?
    };
    let verdict = report::verdict(&diff, &context);
    Ok((report::render(&diff, &context, format), verdict))
}

/// `token` as one JSON pointer segment.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The line of `pointer` in `text`, or of its nearest ancestor that `locate` finds.
fn nearest_line(text: &str, pointer: &str) -> Option<usize> {
    let mut at = pointer;
    loop {
        if let Some((line, _)) = spec::locate(text, at) {
            return Some(line);
        }
        at = &at[..at.rfind('/')?];
        if at.is_empty() {
            return None;
        }
    }
}
