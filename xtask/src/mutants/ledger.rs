//! What earlier runs caught, kept in the repository (`.cargo/mutants-ledger.txt`): a full run
//! takes hours, `target/` lives only as long as its checkout, and so a full run done a part at a
//! time needs its results where every checkout finds them.
//!
//! Each file's section names the commit whose lines its mutants are on. `--iterate` starts from
//! the ledger where `target/` holds no run of that file: it writes the file as it was at that
//! commit beside the lists, and [`super::carry`] moves the mutants to today's lines as it does
//! for a local run's. `--record` writes back, for each file run, what is known caught or
//! unviable at HEAD.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::carry;

/// The ledger's path from the workspace root.
pub const PATH: &str = ".cargo/mutants-ledger.txt";

const HEADER: &str = "\
# The mutants that `cargo xtask mutants --iterate --record` found caught or unviable, by file.
# `@ <commit> <file>` starts a file's section: its mutants' lines are those of the file at that
# commit; `unviable: ` marks a mutant that did not build. `cargo xtask mutants --iterate` tests
# again only the mutants on lines changed since, and those never caught. Written by that
# command; not edited by hand.
";

/// Marks a mutant that did not build, where the others were caught by the tests.
const UNVIABLE: &str = "unviable: ";

/// The mutants each file's section names, and the commit whose lines they are on.
#[derive(Debug, Default, PartialEq)]
pub struct Ledger {
    files: BTreeMap<String, Section>,
}

#[derive(Debug, PartialEq)]
struct Section {
    commit: String,
    /// Each mutant's name, and whether it was unviable.
    names: Vec<(String, bool)>,
}

impl Ledger {
    /// The ledger under `root`; an empty one when there is none yet.
    pub fn load(root: &Path) -> Result<Ledger> {
        match carry::read_if_present(&root.join(PATH))? {
            Some(text) => Ledger::parse(&text).with_context(|| format!("{PATH} is not a ledger")),
            None => Ok(Ledger::default()),
        }
    }

    fn parse(text: &str) -> Result<Ledger> {
        let mut ledger = Ledger::default();
        let mut current: Option<String> = None;
        for (index, line) in text.lines().enumerate() {
            let at = index + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(head) = line.strip_prefix("@ ") {
                let Some((commit, file)) = head.split_once(' ') else {
                    bail!("line {at}: `@ <commit> <file>` expected, found {line:?}");
                };
                if commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
                    bail!("line {at}: {commit:?} is not a full commit id");
                }
                if ledger.files.contains_key(file) {
                    bail!("line {at}: a second section for {file}");
                }
                ledger.files.insert(
                    file.to_owned(),
                    Section {
                        commit: commit.to_owned(),
                        names: Vec::new(),
                    },
                );
                current = Some(file.to_owned());
                continue;
            }
            let Some(file) = &current else {
                bail!("line {at}: a mutant before any `@ <commit> <file>` line");
            };
            let (name, unviable) = match line.strip_prefix(UNVIABLE) {
                Some(name) => (name, true),
                None => (line, false),
            };
            match (carry::split(name), ledger.files.get_mut(file)) {
                (Some((of, _, _)), Some(section)) if of == file => {
                    section.names.push((name.to_owned(), unviable))
                }
                _ => bail!("line {at}: not a mutant of {file}: {line:?}"),
            }
        }
        Ok(ledger)
    }

    fn render(&self) -> String {
        let mut text = String::from(HEADER);
        for (file, section) in &self.files {
            text.push_str(&format!("\n@ {} {file}\n", section.commit));
            for (name, unviable) in &section.names {
                if *unviable {
                    text.push_str(UNVIABLE);
                }
                text.push_str(name);
                text.push('\n');
            }
        }
        text
    }

    /// For each of `files` that `dir` holds no earlier run of, the ledger's mutants of it, as
    /// if a run at the section's commit had caught them there: its copy of the file under
    /// `dir`, its mutants in the lists `--iterate` skips (and its unviable ones known as
    /// such). The number of mutants so added.
    pub fn seed(&self, root: &Path, dir: &Path, files: &[String]) -> Result<usize> {
        let mut added = Vec::new();
        for file in files {
            let Some(section) = self.files.get(file) else {
                continue;
            };
            if carry::copy_of(dir, file).is_file() {
                continue;
            }
            let old = match show(root, &section.commit, file) {
                Ok(old) => old,
                Err(e) => {
                    eprintln!(
                        "mutants: {PATH}: {file} at {:.7} cannot be read ({e:#}); its mutants will be tested",
                        section.commit
                    );
                    continue;
                }
            };
            let copy = carry::copy_of(dir, file);
            if let Some(parent) = copy.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            std::fs::write(&copy, old)
                .with_context(|| format!("cannot write {}", copy.display()))?;
            added.extend(section.names.iter().cloned());
        }
        if !added.is_empty() {
            let out = dir.join("mutants.out");
            std::fs::create_dir_all(&out)
                .with_context(|| format!("cannot create {}", out.display()))?;
            let list = out.join("previously_caught.txt");
            let mut text = carry::read_if_present(&list)?.unwrap_or_default();
            for (name, _) in &added {
                text.push_str(name);
                text.push('\n');
            }
            std::fs::write(&list, text)
                .with_context(|| format!("cannot write {}", list.display()))?;
            let unviable = added.iter().filter(|(_, unviable)| *unviable);
            carry::remember_unviable(dir, unviable.map(|(name, _)| name.clone()))?;
        }
        Ok(added.len())
    }

    /// Replaces the sections of `files` with what `dir`'s lists say is caught or unviable now,
    /// on the lines of `commit`, which the files must be as. The number of mutants recorded.
    pub fn record(&mut self, dir: &Path, files: &[String], commit: &str) -> Result<usize> {
        let mut names: BTreeMap<&str, Vec<(u64, String)>> = BTreeMap::new();
        let lists = carry::read_lists(dir)?;
        let unviable = carry::read_unviable(dir)?;
        for name in &lists {
            if let Some((file, line, _)) = carry::split(name)
                && files.iter().any(|f| f == file)
            {
                names.entry(file).or_default().push((line, name.clone()));
            }
        }
        let mut recorded = 0;
        for file in files {
            let mut found = names.remove(file.as_str()).unwrap_or_default();
            found.sort();
            recorded += found.len();
            self.files.insert(
                file.clone(),
                Section {
                    commit: commit.to_owned(),
                    names: found
                        .into_iter()
                        .map(|(_, name)| {
                            let known = unviable.contains(&name);
                            (name, known)
                        })
                        .collect(),
                },
            );
        }
        Ok(recorded)
    }

    /// Forgets the files no longer examined, and writes the ledger under `root`.
    pub fn save(&mut self, root: &Path, examined: &[String]) -> Result<()> {
        self.files.retain(|file, _| examined.contains(file));
        let path = root.join(PATH);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, self.render())
            .with_context(|| format!("cannot write {}", path.display()))
    }
}

/// `file` as it was at `commit`.
fn show(root: &Path, commit: &str, file: &str) -> Result<String> {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["show", &format!("{commit}:{file}")])
        .output()
        .context("cannot run git")?;
    if !output.status.success() {
        bail!("{}", String::from_utf8_lossy(&output.stderr).trim());
    }
    String::from_utf8(output.stdout).with_context(|| format!("{file} is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::TempDir;

    fn git(root: &Path, args: &[&str]) -> String {
        let output = std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "git {args:?}: {output:?}");
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    }

    #[test]
    fn a_new_checkout_goes_on_from_the_ledger_and_records_what_it_knows() {
        let tmp = TempDir::new("mutants-ledger").unwrap();
        let (root, dir) = (tmp.path().join("root"), tmp.path().join("group"));
        std::fs::create_dir_all(root.join("src")).unwrap();
        git(&root, &["init", "-q"]);
        std::fs::write(root.join("src/a.rs"), "fn a() {}\nfn b() {}\nfn c() {}\n").unwrap();
        git(&root, &["add", "."]);
        git(&root, &["commit", "-q", "-m", "a"]);
        let first = git(&root, &["rev-parse", "HEAD"]);
        let ledger = Ledger::parse(&format!(
            "@ {first} src/a.rs\nsrc/a.rs:1:1: replace a\nsrc/a.rs:2:1: replace b\nunviable: src/a.rs:3:1: replace c\n"
        ))
        .unwrap();
        // Since that commit a line was added on top and b changed.
        std::fs::write(
            root.join("src/a.rs"),
            "// new\nfn a() {}\nfn b2() {}\nfn c() {}\n",
        )
        .unwrap();
        git(&root, &["commit", "-q", "-am", "b2"]);
        let second = git(&root, &["rev-parse", "HEAD"]);
        let files = ["src/a.rs".to_owned()];
        assert_eq!(ledger.seed(&root, &dir, &files).unwrap(), 3);
        carry::carry(&root, &dir).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("mutants.out/previously_caught.txt")).unwrap(),
            "src/a.rs:2:1: replace a\nsrc/a.rs:4:1: replace c\n"
        );
        assert_eq!(
            carry::read_unviable(&dir).unwrap(),
            ["src/a.rs:4:1: replace c".to_owned()].into()
        );
        // A run then catches b2's mutant and finds another unviable; another file's list
        // entry is no part of a.rs.
        std::fs::write(
            dir.join("mutants.out/caught.txt"),
            "src/a.rs:3:1: replace b2\nsrc/z.rs:1:1: replace z\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("mutants.out/unviable.txt"),
            "src/a.rs:3:5: delete b2\n",
        )
        .unwrap();
        let mut ledger = ledger;
        assert_eq!(ledger.record(&dir, &files, &second).unwrap(), 4);
        ledger.save(&root, &files).unwrap();
        assert_eq!(
            std::fs::read_to_string(root.join(PATH)).unwrap(),
            format!(
                "{HEADER}\n@ {second} src/a.rs\nsrc/a.rs:2:1: replace a\nsrc/a.rs:3:1: replace b2\nunviable: src/a.rs:3:5: delete b2\nunviable: src/a.rs:4:1: replace c\n"
            )
        );
        // A run of the file in this checkout already is not overlaid with the ledger's.
        assert_eq!(
            Ledger::load(&root)
                .unwrap()
                .seed(&root, &dir, &files)
                .unwrap(),
            0
        );
        // Nor is a file whose commit this repository does not have: its mutants are tested.
        let other = tmp.path().join("other");
        let lost = Ledger::parse(&format!("@ {SHA} src/a.rs\nsrc/a.rs:1:1: replace a\n")).unwrap();
        assert_eq!(lost.seed(&root, &other, &files).unwrap(), 0);
        assert!(!other.join("mutants.out").exists());
    }

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn a_ledger_reads_back_as_it_was_written() {
        let text = format!(
            "{HEADER}\n@ {SHA} src/a.rs\nsrc/a.rs:2:1: replace a\nunviable: src/a.rs:10:3: delete b\n\n@ {SHA} src/b.rs\n"
        );
        let ledger = Ledger::parse(&text).unwrap();
        assert_eq!(ledger.files.len(), 2);
        assert_eq!(
            ledger.files["src/a.rs"].names,
            [
                ("src/a.rs:2:1: replace a".to_owned(), false),
                ("src/a.rs:10:3: delete b".to_owned(), true)
            ]
        );
        assert!(ledger.files["src/b.rs"].names.is_empty());
        assert_eq!(ledger.render(), text);
    }

    #[test]
    fn the_projects_ledger_reads_and_names_commits_its_files_were_at() {
        let root = crate::workspace_root().unwrap();
        let ledger = Ledger::load(&root).unwrap();
        for (file, section) in &ledger.files {
            let old = show(&root, &section.commit, file).unwrap();
            for (name, _) in &section.names {
                let (_, line, _) = carry::split(name).unwrap();
                assert!(old.lines().count() as u64 >= line, "{name}");
            }
        }
    }

    #[test]
    fn a_bad_ledger_line_is_named() {
        let error = |text: &str| format!("{:#}", Ledger::parse(text).unwrap_err());
        assert_eq!(
            error("src/a.rs:1:1: x\n"),
            "line 1: a mutant before any `@ <commit> <file>` line"
        );
        assert_eq!(
            error("# c\n@ abc src/a.rs\n"),
            "line 2: \"abc\" is not a full commit id"
        );
        assert_eq!(
            error(&format!("@ {SHA} src/a.rs\nsrc/b.rs:1:1: x\n")),
            "line 2: not a mutant of src/a.rs: \"src/b.rs:1:1: x\""
        );
        assert_eq!(
            error(&format!("@ {SHA}\n")),
            format!("line 1: `@ <commit> <file>` expected, found \"@ {SHA}\"")
        );
        assert_eq!(
            error(&format!("@ {SHA} src/a.rs\nunviable: x\n")),
            "line 2: not a mutant of src/a.rs: \"unviable: x\""
        );
        assert_eq!(
            error(&format!("@ {SHA} a.rs\n@ {SHA} a.rs\n")),
            "line 2: a second section for a.rs"
        );
    }
}
