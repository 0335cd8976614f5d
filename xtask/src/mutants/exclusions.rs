//! The exclusions of `.cargo/mutants.toml` checked against the mutants the code has: a pattern
//! that matches none gives the reason for code that is gone, or never matched what it says it
//! excludes (cargo-mutants says nothing of either).

use std::path::Path;

use anyhow::{Context, Result, bail};
use regex::Regex;

/// The settings file, from the workspace root.
const CONFIG: &str = ".cargo/mutants.toml";

/// One `exclude_re` pattern and the line it is on.
#[derive(Debug)]
struct Exclusion {
    line: usize,
    pattern: Regex,
}

/// Fails, naming each, when a pattern of `exclude_re` matches none of `names`, every mutant
/// of the workspace as `cargo mutants --list --no-config` names them (without the settings,
/// those the patterns exclude are listed too).
pub fn check(root: &Path, names: &[String]) -> Result<()> {
    let text = std::fs::read_to_string(root.join(CONFIG))
        .with_context(|| format!("cannot read {CONFIG}"))?;
    let exclusions = read(&text).with_context(|| format!("{CONFIG}: exclude_re"))?;
    let stale = unmatched(&exclusions, names.iter().map(String::as_str));
    if !stale.is_empty() {
        bail!(
            "{CONFIG}: these exclude_re patterns match no mutant; remove them, or mend them to match the mutant they were written for:\n  {}",
            stale.join("\n  ")
        );
    }
    Ok(())
}

/// The patterns of the `exclude_re` list, each a TOML literal string on a line of its own.
fn read(text: &str) -> Result<Vec<Exclusion>> {
    let mut lines = text.lines().enumerate();
    if !lines.any(|(_, line)| line.trim_end() == "exclude_re = [") {
        return Ok(Vec::new());
    }
    let mut exclusions = Vec::new();
    for (index, line) in lines {
        let at = index + 1;
        let line = line.trim();
        if line == "]" {
            return Ok(exclusions);
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let literal = line.strip_suffix(',').unwrap_or(line);
        let Some(pattern) = literal
            .strip_prefix('\'')
            .and_then(|l| l.strip_suffix('\''))
            .filter(|p| !p.contains('\''))
        else {
            bail!("line {at}: a pattern in single quotes expected, found {line:?}");
        };
        let pattern = Regex::new(pattern).with_context(|| format!("line {at}: {pattern:?}"))?;
        exclusions.push(Exclusion { line: at, pattern });
    }
    bail!("the list has no closing `]`")
}

/// Each exclusion that matches none of `names`, with its line.
fn unmatched<'a>(exclusions: &[Exclusion], names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut matched = vec![false; exclusions.len()];
    for name in names {
        for (seen, exclusion) in matched.iter_mut().zip(exclusions) {
            *seen = *seen || exclusion.pattern.is_match(name);
        }
    }
    exclusions
        .iter()
        .zip(matched)
        .filter(|(_, seen)| !seen)
        .map(|(e, _)| format!("line {}: '{}'", e.line, e.pattern.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_read_with_their_lines_and_those_matching_nothing_named() {
        let text = "a = 1\nexclude_re = [\n    # why\n    'x\\.rs:\\d+:\\d+: replace f',\n\n    'y\\.rs:.* in g$'\n]\nb = 2\n";
        let exclusions = read(text).unwrap();
        let lines: Vec<usize> = exclusions.iter().map(|e| e.line).collect();
        assert_eq!(lines, [4, 6]);
        let names = [
            "x.rs:3:1: replace f -> bool with true",
            "y.rs:2:2: delete ! in h",
        ];
        assert_eq!(
            unmatched(&exclusions, names.into_iter()),
            ["line 6: 'y\\.rs:.* in g$'"]
        );
        assert!(
            unmatched(
                &exclusions,
                ["x.rs:1:1: replace f", "y.rs:1:1: x in g"].into_iter()
            )
            .is_empty()
        );
        assert!(read("a = 1\n").unwrap().is_empty());
    }

    #[test]
    fn a_pattern_that_cannot_be_read_is_named_by_its_line() {
        let error = |text: &str| format!("{:#}", read(text).unwrap_err());
        assert_eq!(
            error("exclude_re = [\n  \"double\",\n]\n"),
            "line 2: a pattern in single quotes expected, found \"\\\"double\\\",\""
        );
        assert!(error("exclude_re = [\n  'a(b',\n]\n").starts_with("line 2: \"a(b\": "));
        assert_eq!(
            error("exclude_re = [\n  'a',\n"),
            "the list has no closing `]`"
        );
    }

    #[test]
    fn the_projects_patterns_are_read() {
        let root = crate::workspace_root().unwrap();
        let text = std::fs::read_to_string(root.join(CONFIG)).unwrap();
        let count = text
            .lines()
            .filter(|l| l.trim_start().starts_with('\''))
            .count();
        assert!(count > 10);
        assert_eq!(read(&text).unwrap().len(), count);
    }
}
