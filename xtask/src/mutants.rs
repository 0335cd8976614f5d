//! `cargo xtask mutants`: cargo-mutants over the hand-written code, so that code whose tests
//! would still pass with it broken is found, and named, before it is merged.
//!
//! What is mutated, what is excluded and the timeouts are in `.cargo/mutants.toml`, which a
//! plain `cargo mutants --workspace` reads too. This module adds what the file cannot say:
//! which packages' tests judge each crate's mutants (cargo-mutants takes one list per run,
//! so each group of crates is a run of its own), the pinned version, a time limit, and a
//! summary with the survivors written to one file.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::util::{cargo_command, run_cmd, target_dir};

mod carry;
mod exclusions;
mod ledger;

/// The cargo-mutants release this project's settings and exit statuses were checked with.
pub const CARGO_MUTANTS_VERSION: &str = "27.1.0";

/// How long the CI step may take: it tests only the mutants in lines the branch changes,
/// which on a branch of ordinary size is a few minutes on a 2-core machine.
pub const CI_TIME_LIMIT: Duration = Duration::from_secs(8 * 60);

/// Mutants of files under `prefix` are judged by the tests of `packages`.
struct Group {
    prefix: &'static str,
    packages: &'static [&'static str],
}

/// The server and the stubs runtime are judged by their own tests and by the end-to-end tests
/// of the root package (`tests/`), which drive them through the generated client; each other
/// crate by its own tests, plus the end-to-end ones where they use it. The product's spec has
/// no query, header or body parameter, so what the stubs and the CLI runtime do with those is
/// tested on the fixtures' richer specs (`authapi-fixtures`). A file belongs to the first group
/// whose prefix it starts with.
const GROUPS: &[Group] = &[
    // The random-body generator is a world of its own whose 700 mutants would each wait for
    // the servers of every end-to-end test: its own tests and the fixtures' judge it. A
    // narrower judge can only report more survivors, never hide one.
    Group {
        prefix: "crates/authapi-stubs/src/dynamic.rs",
        packages: &["authapi-stubs", "authapi-fixtures"],
    },
    Group {
        prefix: "crates/authapi-server/",
        packages: &["authapi", "authapi-server", "authapi-stubs"],
    },
    Group {
        prefix: "crates/authapi-stubs/",
        packages: &[
            "authapi",
            "authapi-server",
            "authapi-stubs",
            "authapi-fixtures",
        ],
    },
    Group {
        prefix: "crates/authapi-client/",
        packages: &["authapi", "authapi-client"],
    },
    Group {
        prefix: "crates/authapi-types/",
        packages: &["authapi", "authapi-types"],
    },
    Group {
        prefix: "crates/authapi-cli/",
        packages: &["authapi-cli", "authapi-fixtures"],
    },
    Group {
        prefix: "xtask/",
        packages: &["xtask"],
    },
];

/// The group whose full runs build in [`UNOPTIMISED_PROFILE`].
const UNOPTIMISED_GROUP: &str = "xtask";

/// The dev profile with xtask unoptimised and no debug information (see `Cargo.toml`).
const UNOPTIMISED_PROFILE: &str = "mutation";

/// What `cargo xtask mutants` was asked for.
#[derive(Debug, Default)]
pub struct Options {
    /// Files, or directories, from the workspace root; none means every examined file.
    pub files: Vec<String>,
    /// A git ref: only mutants in lines changed since its merge base with HEAD are tested.
    pub in_diff: Option<String>,
    /// Stop testing after this long; what was tested by then is reported.
    pub time_limit: Option<Duration>,
    /// Go on from the earlier runs' results: the mutants they caught, or found unviable, are
    /// counted again without being tested, so that a full run can be done a part at a time.
    /// Those on lines changed since are tested again; the others follow their lines.
    pub iterate: bool,
    /// Write what is known caught or unviable in the files run into the ledger
    /// (`.cargo/mutants-ledger.txt`), for a later `--iterate` in any checkout to go on from.
    pub record: bool,
}

/// One run of cargo-mutants: the files it mutates and the tests that judge them.
#[derive(Debug, PartialEq)]
struct Run {
    /// A directory name for its output under `target/mutants/`.
    name: String,
    files: Vec<String>,
    packages: &'static [&'static str],
}

/// The runs over the examined files (`listed`, as `cargo mutants --list-files` gives them)
/// that `requested` names, a file or a directory each (every listed file when none is).
fn plan(requested: &[String], listed: &[String]) -> Result<Vec<Run>> {
    let requested: Vec<&str> = requested
        .iter()
        .map(|r| r.trim_start_matches("./").trim_end_matches('/'))
        .collect();
    let under = |file: &str, path: &str| file == path || file.starts_with(&format!("{path}/"));
    let named = |file: &str| requested.is_empty() || requested.iter().any(|r| under(file, r));
    for r in &requested {
        if !listed.iter().any(|f| under(f, r)) {
            bail!(
                "--file {r}: no mutation-tested file there; give a path from the workspace root to a file or directory that .cargo/mutants.toml examines (generated files are not)"
            );
        }
    }
    if let Some(stray) = listed
        .iter()
        .find(|f| named(f) && !GROUPS.iter().any(|g| f.starts_with(g.prefix)))
    {
        bail!(
            "{stray} is examined by .cargo/mutants.toml, but no group in xtask/src/mutants.rs says whose tests judge it"
        );
    }
    let group_of = |file: &str| GROUPS.iter().position(|g| file.starts_with(g.prefix));
    let mut runs = Vec::new();
    for (index, group) in GROUPS.iter().enumerate() {
        let files: Vec<String> = listed
            .iter()
            .filter(|f| group_of(f) == Some(index) && named(f))
            .cloned()
            .collect();
        if !files.is_empty() {
            runs.push(Run {
                name: group.prefix.trim_end_matches('/').replace('/', "-"),
                files,
                packages: group.packages,
            });
        }
    }
    Ok(runs)
}

/// The files `.cargo/mutants.toml` has cargo-mutants examine.
fn list_files(root: &Path) -> Result<Vec<String>> {
    Ok(cargo_mutants_lines(root, &["--workspace", "--list-files"])?
        .into_iter()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect())
}

/// What `cargo mutants <args>` prints, by line.
fn cargo_mutants_lines(root: &Path, args: &[&str]) -> Result<Vec<String>> {
    let shown = format!("cargo mutants {}", args.join(" "));
    let output = cargo_command(root)
        .arg("mutants")
        .args(args)
        .output()
        .with_context(|| format!("cannot run {shown}"))?;
    if !output.status.success() {
        bail!(
            "{shown} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(String::from)
        .collect())
}

/// The files a unified diff changes, by their new path (`+++ b/path`).
fn changed_files(diff: &str) -> Vec<String> {
    diff.lines()
        .filter_map(|line| line.strip_prefix("+++ b/"))
        .map(|path| path.trim_end().to_string())
        .collect()
}

/// How the mutants of one or more runs came out, from cargo-mutants' outcome lists.
#[derive(Debug, Default, PartialEq)]
struct Counts {
    caught: usize,
    missed: Vec<String>,
    unviable: usize,
    timeouts: Vec<String>,
}

impl Counts {
    /// Reads `mutants.out/{caught,missed,unviable,timeout}.txt` under `dir`, and the mutants
    /// earlier runs caught or found unviable (`previously_caught.txt`, kept by `--iterate`,
    /// told apart by what `dir` knows unviable); a list that is not there (a run that found no
    /// mutant to test) counts none.
    fn read(dir: &Path) -> Result<Counts> {
        let out = dir.join("mutants.out");
        let lines = |name: &str| -> Result<Vec<String>> {
            Ok(carry::read_names(&out.join(name))?.into_iter().collect())
        };
        let done = carry::read_lists(dir)?;
        let unviable = carry::read_unviable(dir)?.intersection(&done).count();
        Ok(Counts {
            caught: done.len() - unviable,
            missed: lines("missed.txt")?,
            unviable,
            timeouts: lines("timeout.txt")?,
        })
    }

    fn add(&mut self, other: Counts) {
        self.caught += other.caught;
        self.missed.extend(other.missed);
        self.unviable += other.unviable;
        self.timeouts.extend(other.timeouts);
    }

    fn summary(&self) -> String {
        format!(
            "{} caught, {} missed, {} unviable, {} timeouts",
            self.caught,
            self.missed.len(),
            self.unviable,
            self.timeouts.len()
        )
    }

    /// The survivors file: each missed mutant on a line, then the timeouts under a heading.
    fn survivors(&self) -> String {
        let mut text = String::new();
        for name in &self.missed {
            text.push_str(name);
            text.push('\n');
        }
        if !self.timeouts.is_empty() {
            text.push_str(
                "\n# timed out (the tests hung or were too slow, so neither caught nor missed):\n",
            );
            for name in &self.timeouts {
                text.push_str(name);
                text.push('\n');
            }
        }
        text
    }
}

/// `cargo xtask mutants`.
pub fn run(root: &Path, options: &Options) -> Result<()> {
    let diff = match &options.in_diff {
        Some(base) => Some(diff_since(root, base)?),
        None => None,
    };
    test(root, options, diff)
}

/// The CI step: the mutants in lines the branch changes since its merge base with main (HEAD
/// itself on main, or when no merge base can be found, as the spec diff does), within
/// [`CI_TIME_LIMIT`].
pub fn ci(root: &Path) -> Result<()> {
    let base = match crate::diff::merge_base(root) {
        Ok((name, commit)) => {
            eprintln!("mutants: the lines changed since {name} ({commit:.7})");
            commit
        }
        Err(e) => {
            eprintln!("note: {e}; testing the mutants in uncommitted changes instead");
            "HEAD".to_string()
        }
    };
    let diff = diff_against(root, &base)?;
    let options = Options {
        time_limit: Some(CI_TIME_LIMIT),
        ..Options::default()
    };
    test(root, &options, Some(diff))
}

/// A diff of the working tree against `commit`, and where it was written for cargo-mutants.
struct Diff {
    path: PathBuf,
    text: String,
    base: String,
}

/// The working tree against the merge base of HEAD and `base` (or `base` itself when they
/// have none), so that what `base` gained since the branch left it is not in the diff.
fn diff_since(root: &Path, base: &str) -> Result<Diff> {
    let commit = git(
        root,
        &["rev-parse", "--verify", &format!("{base}^{{commit}}")],
    )
    .with_context(|| format!("--in-diff {base}: not a commit of this repository"))?;
    let commit = git(root, &["merge-base", "HEAD", &commit]).unwrap_or(commit);
    let mut diff = diff_against(root, &commit)?;
    diff.base = format!("{base} ({commit:.7})");
    Ok(diff)
}

fn diff_against(root: &Path, commit: &str) -> Result<Diff> {
    // Fixed prefixes and no renames: cargo-mutants reads `+++ b/path` for each file, whatever
    // the user's git configuration says.
    let text = git(
        root,
        &[
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-renames",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            commit,
            "--",
            "*.rs",
        ],
    )?;
    let dir = target_dir(root).join("mutants");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join("in-diff.patch");
    std::fs::write(&path, format!("{text}\n"))
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(Diff {
        path,
        text,
        base: commit.chars().take(7).collect(),
    })
}

fn git(root: &Path, args: &[&str]) -> Result<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .context("cannot run git")?;
    if !output.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .trim_end()
        .to_string())
}

fn test(root: &Path, options: &Options, diff: Option<Diff>) -> Result<()> {
    let started = Instant::now();
    if let Some(diff) = &diff
        && !changed_files(&diff.text)
            .iter()
            .any(|f| GROUPS.iter().any(|g| f.starts_with(g.prefix)))
    {
        eprintln!(
            "mutants: no Rust file of a mutation-tested crate changed since {}; nothing to test",
            diff.base
        );
        return Ok(());
    }
    ensure_installed(root)?;
    // The diff runs of CI and of a branch test only what changed; the exclusions are checked
    // against the whole code by the runs of whole files.
    if diff.is_none() {
        let names = cargo_mutants_lines(root, &["--workspace", "--list", "--no-config"])?;
        exclusions::check(root, &names)?;
    }
    let listed = list_files(root)?;
    let mut runs = plan(&options.files, &listed)?;
    if let Some(diff) = &diff {
        let changed = changed_files(&diff.text);
        runs.retain(|run| run.files.iter().any(|f| changed.contains(f)));
        if runs.is_empty() {
            eprintln!(
                "mutants: no mutation-tested Rust file changed since {}; nothing to test",
                diff.base
            );
            return Ok(());
        }
    }
    let head = if options.record {
        Some(recordable(root, &runs)?)
    } else {
        None
    };
    let ledger = if options.iterate {
        ledger::Ledger::load(root)?
    } else {
        ledger::Ledger::default()
    };
    let out = target_dir(root).join("mutants");
    let mut counts = Counts::default();
    let mut stopped = false;
    for run in &runs {
        let left = match options.time_limit {
            Some(limit) => match limit.checked_sub(started.elapsed()) {
                Some(left) if !left.is_zero() => Some(left),
                _ => {
                    stopped = true;
                    break;
                }
            },
            None => None,
        };
        let dir = out.join(&run.name);
        let what = match &diff {
            Some(_) => "the changed lines",
            None => "the mutants",
        };
        eprintln!(
            "mutants: {what} of {} file(s) of {} with the tests of {}",
            run.files.len(),
            run.name,
            run.packages.join(", ")
        );
        // cargo-mutants writes nothing when a diff leaves it no mutant, and the lists of an
        // earlier run must not be counted then; unless they are asked for.
        if !options.iterate {
            match std::fs::remove_dir_all(&dir) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("cannot remove {}", dir.display()));
                }
                _ => {}
            }
        }
        // cargo-mutants makes its output directory but not the ones above it.
        std::fs::create_dir_all(&out)
            .with_context(|| format!("cannot create {}", out.display()))?;
        if options.iterate {
            let seeded = ledger.seed(root, &dir, &run.files)?;
            if seeded > 0 {
                eprintln!(
                    "mutants: {seeded} mutant(s) caught or unviable in earlier runs, from {}",
                    ledger::PATH
                );
            }
            carry::carry(root, &dir)?;
            // This run's `--iterate` folds the last run's unviable mutants into the caught.
            let last = carry::read_names(&dir.join("mutants.out/unviable.txt"))?;
            carry::remember_unviable(&dir, last)?;
        }
        carry::keep(root, &dir, &run.files)?;
        let mut cmd = cargo_command(root);
        // In place: the mutants build in this checkout's target directory, reusing what the
        // tests already built, where a copy of the tree would build everything again.
        // cargo-mutants puts each file back after its mutant, and on Ctrl-C.
        cmd.args(["mutants", "--workspace", "--in-place", "--no-shuffle"])
            .arg("--output")
            .arg(&dir)
            .arg("--test-package")
            .arg(run.packages.join(","));
        // Files are chosen by excluding every other examined one, not with `--re`: in
        // cargo-mutants 27.1 the name filters do not apply to its struct-field mutants, so a
        // run would also test other crates' fields against the wrong tests.
        for other in listed.iter().filter(|f| !run.files.contains(f)) {
            cmd.arg("--exclude").arg(other);
        }
        if let Some(diff) = &diff {
            cmd.arg("--in-diff").arg(&diff.path);
        } else if run.name == UNOPTIMISED_GROUP {
            // xtask is optimised in the dev profile, which doubles the build of each of its
            // mutants. A full run has hundreds of them, worth the profile's one-off build; a
            // diff run has a few, and reuses the dev build that the tests made.
            cmd.args(["--profile", UNOPTIMISED_PROFILE]);
        }
        if options.iterate {
            cmd.arg("--iterate");
        }
        let (status, timed_out) = run_within(&mut cmd, left)?;
        stopped |= timed_out;
        // 0: all caught, 2: some missed, 3: some timed out; anything else is not a result.
        match status.code() {
            _ if timed_out => {}
            Some(0 | 2 | 3) => {}
            Some(4) => bail!(
                "the tests of {} fail with no mutation; see {}",
                run.packages.join(", "),
                dir.join("mutants.out/log/baseline.log").display()
            ),
            _ => bail!("cargo mutants exited with {status} for {}", run.name),
        }
        counts.add(Counts::read(&dir)?);
        if let Some(head) = &head {
            // Read again: another run may have recorded other files since this one began.
            let mut now = ledger::Ledger::load(root)?;
            let recorded = now.record(&dir, &run.files, head)?;
            now.save(root, &listed)?;
            eprintln!(
                "mutants: {recorded} mutant(s) of {} recorded caught or unviable in {}",
                run.name,
                ledger::PATH
            );
        }
    }
    let survivors = out.join("survivors.txt");
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    std::fs::write(&survivors, counts.survivors())
        .with_context(|| format!("cannot write {}", survivors.display()))?;
    eprintln!(
        "mutants: {} in {:.0}s; survivors listed in {}",
        counts.summary(),
        started.elapsed().as_secs_f64(),
        crate::shown(&survivors)
    );
    if stopped {
        eprintln!(
            "mutants: stopped at the time limit ({}s): the counts cover only the mutants tested by then; run again with --iterate to go on from there",
            options.time_limit.unwrap_or_default().as_secs()
        );
    }
    if !counts.missed.is_empty() {
        bail!(
            "{} mutant(s) survived: the tests still pass with this code changed, so nothing checks what it does:\n  {}\nadd a test that fails on the change, or, where the change cannot alter behaviour (a speed-only path), exclude it in .cargo/mutants.toml with the reason",
            counts.missed.len(),
            counts.missed.join("\n  ")
        );
    }
    Ok(())
}

/// The commit the files of `runs` are as, for the ledger: HEAD, when none of them has an
/// uncommitted change.
fn recordable(root: &Path, runs: &[Run]) -> Result<String> {
    let files: Vec<&str> = runs
        .iter()
        .flat_map(|r| r.files.iter().map(String::as_str))
        .collect();
    let mut args = vec!["status", "--porcelain", "--"];
    args.extend(&files);
    let changed = git(root, &args)?;
    if !changed.trim().is_empty() {
        bail!(
            "--record: the ledger names mutants by the lines of a commit, and these files differ from HEAD; commit them first:\n{changed}"
        );
    }
    git(root, &["rev-parse", "HEAD"])
}

/// Runs `cmd`, asking it to stop (SIGINT, which cargo-mutants takes as Ctrl-C and answers by
/// putting the mutated file back) once `limit` has passed. The exit status, and whether the
/// limit stopped it.
fn run_within(cmd: &mut Command, limit: Option<Duration>) -> Result<(ExitStatus, bool)> {
    let mut child: Child = cmd
        .spawn()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    let Some(limit) = limit else {
        return Ok((child.wait()?, false));
    };
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((status, false));
        }
        if Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let pid = child.id().to_string();
    let _ = Command::new("kill").args(["-INT", &pid]).status();
    // Give it the time to stop its tests and restore the file before anything harsher.
    let grace = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((status, true));
        }
        if Instant::now() >= grace {
            child.kill()?;
            let status = child.wait()?;
            eprintln!(
                "warning: cargo mutants did not stop within 2 minutes of SIGINT and was killed; check `git status` for a file it left mutated"
            );
            return Ok((status, true));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Installs the pinned cargo-mutants when `cargo mutants` is missing or another version.
fn ensure_installed(root: &Path) -> Result<()> {
    let found = cargo_command(root)
        .args(["mutants", "--version"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let wanted = format!("cargo-mutants {CARGO_MUTANTS_VERSION}");
    if found.as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    match &found {
        Some(other) => eprintln!("mutants: found {other}; installing {wanted}"),
        None => eprintln!("mutants: installing {wanted}"),
    }
    run_cmd(cargo_command(root).args([
        "install",
        "--locked",
        "cargo-mutants",
        "--version",
        CARGO_MUTANTS_VERSION,
    ]))
    .with_context(|| format!("cannot install {wanted}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::TempDir;

    fn listed() -> Vec<String> {
        [
            "crates/authapi-server/src/data.rs",
            "crates/authapi-stubs/src/auth.rs",
            "crates/authapi-stubs/src/dynamic.rs",
            "crates/authapi-stubs/src/reply.rs",
            "xtask/src/spec.rs",
            "xtask/src/codegen/model.rs",
        ]
        .map(String::from)
        .to_vec()
    }

    #[test]
    fn every_examined_file_runs_with_its_crates_tests_when_none_is_named() {
        let runs = plan(&[], &listed()).unwrap();
        let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "crates-authapi-stubs-src-dynamic.rs",
                "crates-authapi-server",
                "crates-authapi-stubs",
                "xtask"
            ]
        );
        // Each file in one run: the first group that names it.
        assert_eq!(runs[0].files, ["crates/authapi-stubs/src/dynamic.rs"]);
        assert_eq!(runs[0].packages, ["authapi-stubs", "authapi-fixtures"]);
        assert_eq!(runs[1].files, ["crates/authapi-server/src/data.rs"]);
        assert_eq!(
            runs[1].packages,
            ["authapi", "authapi-server", "authapi-stubs"]
        );
        assert_eq!(
            runs[2].files,
            [
                "crates/authapi-stubs/src/auth.rs",
                "crates/authapi-stubs/src/reply.rs"
            ]
        );
        assert_eq!(runs[3].files.len(), 2);
        assert_eq!(runs[3].packages, ["xtask"]);
    }

    #[test]
    fn named_files_and_directories_choose_the_runs_and_others_are_refused() {
        let requested = [
            "./crates/authapi-stubs/src/reply.rs".to_string(),
            "xtask/src/codegen/".to_string(),
        ];
        assert_eq!(
            plan(&requested, &listed()).unwrap(),
            [
                Run {
                    name: "crates-authapi-stubs".into(),
                    files: vec!["crates/authapi-stubs/src/reply.rs".into()],
                    packages: &[
                        "authapi",
                        "authapi-server",
                        "authapi-stubs",
                        "authapi-fixtures"
                    ],
                },
                Run {
                    name: "xtask".into(),
                    files: vec!["xtask/src/codegen/model.rs".into()],
                    packages: &["xtask"],
                },
            ]
        );
        for wrong in [
            "crates/authapi-stubs/src/generated.rs",
            "crates/authapi-stubs/src/re",
        ] {
            let err = plan(&[wrong.to_string()], &listed())
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(&format!("--file {wrong}: no mutation-tested file")),
                "{err}"
            );
        }
    }

    #[test]
    fn a_file_no_group_judges_is_an_error() {
        let mut files = listed();
        files.push("crates/authapi-new/src/lib.rs".into());
        let err = plan(&[], &files).unwrap_err().to_string();
        assert!(
            err.starts_with("crates/authapi-new/src/lib.rs is examined"),
            "{err}"
        );
    }

    #[test]
    fn the_changed_files_are_read_from_the_diff() {
        let diff = "diff --git a/crates/x/src/a.rs b/crates/x/src/a.rs\n--- a/crates/x/src/a.rs\n+++ b/crates/x/src/a.rs\n@@ -1 +1 @@\n-a\n+b\ndiff --git a/gone.rs b/gone.rs\n--- a/gone.rs\n+++ /dev/null\n";
        assert_eq!(changed_files(diff), ["crates/x/src/a.rs"]);
    }

    #[test]
    fn outcome_lists_are_counted_and_survivors_listed() {
        let tmp = TempDir::new("mutants-counts").unwrap();
        let out = tmp.path().join("mutants.out");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("caught.txt"), "a\nb\n").unwrap();
        std::fs::write(
            out.join("missed.txt"),
            "src/x.rs:1:2: replace f -> bool with true\n",
        )
        .unwrap();
        std::fs::write(out.join("timeout.txt"), "src/y.rs:3:4: replace g with ()\n").unwrap();
        let mut counts = Counts::default();
        counts.add(Counts::read(tmp.path()).unwrap());
        assert_eq!(
            counts.summary(),
            "2 caught, 1 missed, 0 unviable, 1 timeouts"
        );
        assert_eq!(
            counts.survivors(),
            "src/x.rs:1:2: replace f -> bool with true\n\n# timed out (the tests hung or were too slow, so neither caught nor missed):\nsrc/y.rs:3:4: replace g with ()\n"
        );
        let none = Counts::read(&tmp.path().join("absent")).unwrap();
        assert_eq!(none, Counts::default());
        // What earlier runs caught, which `--iterate` keeps, counts as caught; what they found
        // unviable, folded in with it, as unviable.
        std::fs::write(out.join("previously_caught.txt"), "b\nc\nd\ne\n").unwrap();
        assert_eq!(
            Counts::read(tmp.path()).unwrap().summary(),
            "5 caught, 1 missed, 0 unviable, 1 timeouts"
        );
        std::fs::write(out.join("unviable.txt"), "f\n").unwrap();
        carry::remember_unviable(tmp.path(), ["d".to_owned(), "gone".to_owned()]).unwrap();
        assert_eq!(
            Counts::read(tmp.path()).unwrap().summary(),
            "4 caught, 1 missed, 2 unviable, 1 timeouts"
        );
    }
}
