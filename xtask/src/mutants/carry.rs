//! Earlier results carried across edits. cargo-mutants' `--iterate` knows a mutant by its file,
//! line and column, so one line added near the top of a file would send every mutant below it
//! to be tested again. Each run keeps a copy of the files it mutated; the next `--iterate` run
//! moves what that run caught to the lines those mutants are on now, through the diff between
//! the copy and the file, and forgets what was on a changed line, which it tests again.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Where, beside `mutants.out`, a run keeps the files as it found them.
const SOURCES: &str = "sources";

/// The lists of mutants that cargo-mutants' `--iterate` does not test again.
const LISTS: &[&str] = &["caught.txt", "unviable.txt", "previously_caught.txt"];

/// Where, beside `mutants.out`, the mutants that earlier runs found unviable are kept:
/// cargo-mutants' `--iterate` folds them into `previously_caught.txt` with the caught ones, and
/// moves `mutants.out` aside at each run.
const KNOWN_UNVIABLE: &str = "known_unviable.txt";

/// Moves the mutants of `dir`'s lists to the lines of the files as they are under `root`,
/// dropping those on lines changed since the run that listed them. A file that run kept no
/// copy of leaves its mutants as they are, as plain `--iterate` does.
pub fn carry(root: &Path, dir: &Path) -> Result<()> {
    let out = dir.join("mutants.out");
    let mut moves: HashMap<String, Option<Moves>> = HashMap::new();
    let lists = LISTS.iter().map(|list| out.join(list));
    for path in lists.chain([dir.join(KNOWN_UNVIABLE)]) {
        let Some(text) = read_if_present(&path)? else {
            continue;
        };
        let mut kept = String::with_capacity(text.len());
        for name in text.lines().filter(|l| !l.trim().is_empty()) {
            let Some((file, line, rest)) = split(name) else {
                kept.push_str(name);
                kept.push('\n');
                continue;
            };
            if !moves.contains_key(file) {
                moves.insert(file.to_owned(), moves_of(root, dir, file)?);
            }
            let moved = match &moves[file] {
                None => Some(line),
                Some(moves) => moves.map(line),
            };
            if let Some(line) = moved {
                kept.push_str(&format!("{file}:{line}{rest}\n"));
            }
        }
        std::fs::write(&path, kept).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Keeps a copy of `files` (paths from `root`) under `dir`, for the next run to carry from.
/// The copies of other files stay: they are what the lists' other mutants were found in.
pub fn keep(root: &Path, dir: &Path, files: &[String]) -> Result<()> {
    for file in files {
        let copy = copy_of(dir, file);
        if let Some(parent) = copy.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::copy(root.join(file), &copy)
            .with_context(|| format!("cannot copy {file} to {}", copy.display()))?;
    }
    Ok(())
}

/// Where under `dir` a run keeps its copy of `file`.
pub fn copy_of(dir: &Path, file: &str) -> PathBuf {
    dir.join(SOURCES).join(file)
}

/// Every name in `dir`'s lists of mutants caught or unviable, each once.
pub fn read_lists(dir: &Path) -> Result<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    for list in LISTS {
        names.extend(read_names(&dir.join("mutants.out").join(list))?);
    }
    Ok(names)
}

/// The names among [`read_lists`] that a run, this one or an earlier one, found unviable.
pub fn read_unviable(dir: &Path) -> Result<BTreeSet<String>> {
    let mut names = read_names(&dir.join(KNOWN_UNVIABLE))?;
    names.extend(read_names(&dir.join("mutants.out/unviable.txt"))?);
    Ok(names)
}

/// Adds `names` to what `dir` knows unviable: the ledger's, before a run, and each run's own
/// `unviable.txt`, before `--iterate` folds it into the caught ones.
pub fn remember_unviable(dir: &Path, names: impl IntoIterator<Item = String>) -> Result<()> {
    let path = dir.join(KNOWN_UNVIABLE);
    let mut known = read_names(&path)?;
    let before = known.len();
    known.extend(names);
    if known.len() == before && path.is_file() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let text: String = known.iter().map(|name| format!("{name}\n")).collect();
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// The names listed in `path`, one a line; none when there is no such file.
pub fn read_names(path: &Path) -> Result<BTreeSet<String>> {
    let text = read_if_present(path)?.unwrap_or_default();
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(String::from)
        .collect())
}

/// The text of `path`; `None` when there is no such file, as before a first run.
pub fn read_if_present(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// A mutant's name split at its line: `file`, `line`, then `:column: what` as it was.
pub fn split(name: &str) -> Option<(&str, u64, &str)> {
    let (file, rest) = name.split_once(':')?;
    let digits = rest.find(|c: char| !c.is_ascii_digit())?;
    let line = rest[..digits].parse().ok()?;
    let rest = &rest[digits..];
    rest.starts_with(':').then_some((file, line, rest))
}

/// How the lines of `file` moved since `dir`'s copy of it: `None` when there is no copy,
/// [`Moves::gone`] when the file is no longer there.
fn moves_of(root: &Path, dir: &Path, file: &str) -> Result<Option<Moves>> {
    let copy = copy_of(dir, file);
    let now = root.join(file);
    if !copy.is_file() {
        return Ok(None);
    }
    if !now.is_file() {
        return Ok(Some(Moves::gone()));
    }
    let output = Command::new("git")
        .args(["diff", "--no-index", "--no-color", "--no-ext-diff", "-U0"])
        .arg(&copy)
        .arg(&now)
        .output()
        .context("cannot run git")?;
    // `git diff --no-index` exits 1 when the files differ.
    if !matches!(output.status.code(), Some(0 | 1)) {
        bail!(
            "git diff {} {} failed: {}",
            copy.display(),
            now.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(Some(Moves::read(&String::from_utf8_lossy(&output.stdout))))
}

/// The hunks of a diff without context: where each starts in the old file, how many old lines
/// it replaces and with how many new ones.
#[derive(Debug, PartialEq)]
struct Moves {
    hunks: Vec<Hunk>,
    gone: bool,
}

#[derive(Debug, PartialEq)]
struct Hunk {
    start: u64,
    old: u64,
    new: u64,
}

impl Moves {
    fn gone() -> Moves {
        Moves {
            hunks: Vec::new(),
            gone: true,
        }
    }

    /// Reads the `@@ -start,old +start,new @@` lines of a unified diff (a count left out is 1).
    fn read(diff: &str) -> Moves {
        let count = |range: &str| -> Option<(u64, u64)> {
            let (start, count) = range.split_once(',').unwrap_or((range, "1"));
            Some((start.parse().ok()?, count.parse().ok()?))
        };
        let hunks = diff
            .lines()
            .filter_map(|line| {
                let mut words = line.strip_prefix("@@ ")?.split(' ');
                let (start, old) = count(words.next()?.strip_prefix('-')?)?;
                let (_, new) = count(words.next()?.strip_prefix('+')?)?;
                Some(Hunk { start, old, new })
            })
            .collect();
        Moves { hunks, gone: false }
    }

    /// Where old line `line` is now; `None` when it was changed or removed.
    fn map(&self, line: u64) -> Option<u64> {
        if self.gone {
            return None;
        }
        let mut shift: i64 = 0;
        for hunk in &self.hunks {
            // A hunk that only adds lines starts at the old line they follow.
            let last = if hunk.old == 0 {
                hunk.start
            } else {
                if (hunk.start..hunk.start + hunk.old).contains(&line) {
                    return None;
                }
                hunk.start + hunk.old - 1
            };
            if last < line {
                shift += hunk.new as i64 - hunk.old as i64;
            }
        }
        u64::try_from(line as i64 + shift).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::TempDir;

    #[test]
    fn names_split_at_their_line() {
        assert_eq!(
            split("crates/x/src/a.rs:12:5: replace > with >= in f"),
            Some(("crates/x/src/a.rs", 12, ":5: replace > with >= in f"))
        );
        assert_eq!(split("no line here"), None);
        assert_eq!(split("a.rs:12"), None);
        assert_eq!(split("a.rs:x:5: what"), None);
    }

    #[test]
    fn lines_move_past_added_and_removed_ones_and_changed_ones_are_dropped() {
        // Old 3 changed into two lines; one line added after old 6; old 9 and 10 removed.
        let moves = Moves::read(
            "@@ -3 +3,2 @@\n-c\n+C\n+C2\n@@ -6,0 +8 @@\n+new\n@@ -9,2 +10,0 @@\n-i\n-j\n",
        );
        let mapped: Vec<Option<u64>> = (1..=12).map(|l| moves.map(l)).collect();
        assert_eq!(
            mapped,
            [
                Some(1),
                Some(2),
                None,
                Some(5),
                Some(6),
                Some(7),
                Some(9),
                Some(10),
                None,
                None,
                Some(11),
                Some(12)
            ]
        );
        assert_eq!(Moves::read("").map(7), Some(7));
        assert_eq!(Moves::gone().map(7), None);
    }

    #[test]
    fn a_run_carries_what_it_caught_to_the_lines_it_is_on_now() {
        let tmp = TempDir::new("mutants-carry").unwrap();
        let (root, dir) = (tmp.path().join("root"), tmp.path().join("group"));
        let src = root.join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::create_dir_all(dir.join("mutants.out")).unwrap();
        std::fs::write(src.join("a.rs"), "fn a() {}\nfn b() {}\nfn c() {}\n").unwrap();
        std::fs::write(src.join("gone.rs"), "fn g() {}\n").unwrap();
        keep(&root, &dir, &["src/a.rs".into(), "src/gone.rs".into()]).unwrap();
        std::fs::write(
            dir.join("mutants.out/caught.txt"),
            "src/a.rs:1:1: replace a\nsrc/a.rs:2:1: replace b\nsrc/a.rs:3:1: replace c\nsrc/gone.rs:1:1: replace g\nsrc/other.rs:4:2: replace o\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("mutants.out/unviable.txt"),
            "src/a.rs:3:9: delete c\n",
        )
        .unwrap();
        let known = ["src/a.rs:1:4: delete a", "src/a.rs:2:4: delete b"];
        remember_unviable(&dir, known.map(String::from)).unwrap();
        // A line added on top, b changed, gone.rs removed; other.rs had no copy kept.
        std::fs::write(
            src.join("a.rs"),
            "// new\nfn a() {}\nfn b2() {}\nfn c() {}\n",
        )
        .unwrap();
        std::fs::remove_file(src.join("gone.rs")).unwrap();
        carry(&root, &dir).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("mutants.out/caught.txt")).unwrap(),
            "src/a.rs:2:1: replace a\nsrc/a.rs:4:1: replace c\nsrc/other.rs:4:2: replace o\n"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("mutants.out/unviable.txt")).unwrap(),
            "src/a.rs:4:9: delete c\n"
        );
        // What earlier runs found unviable moves with them.
        assert_eq!(
            read_unviable(&dir).unwrap(),
            ["src/a.rs:2:4: delete a", "src/a.rs:4:9: delete c"]
                .map(String::from)
                .into()
        );
        // The next run keeps the files as they are now.
        keep(&root, &dir, &["src/a.rs".into()]).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("sources/src/a.rs")).unwrap(),
            "// new\nfn a() {}\nfn b2() {}\nfn c() {}\n"
        );
    }
}
