//! `cargo xtask diff` as users and CI run it: the built binary in a git repository made for
//! the test, its exit status for each outcome, and the `ci` step on fresh and shallow clones.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use xtask::codegen::SPEC_PATH;
use xtask::util::TempDir;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=diff test",
            "-c",
            "user.email=diff@test.invalid",
        ])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "advice.detachedHead=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A repository on `main` whose one commit holds what the xtask needs to find its root and
/// the spec; the spec is this checkout's.
fn repository(tmp: &Path) -> PathBuf {
    let from = xtask::workspace_root().unwrap();
    let repo = tmp.join("repo");
    for file in ["Cargo.toml", "xtask/Cargo.toml", SPEC_PATH] {
        std::fs::create_dir_all(repo.join(file).parent().unwrap()).unwrap();
        std::fs::copy(from.join(file), repo.join(file)).unwrap();
    }
    git(&repo, &["init", "--quiet", "--initial-branch=main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "--quiet", "-m", "base"]);
    repo
}

fn diff_in(repo: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("diff")
        .args(args)
        .current_dir(repo)
        .env("CARGO_MANIFEST_DIR", repo.join("xtask"))
        .output()
        .unwrap()
}

fn edit_spec(repo: &Path, from: &str, to: &str) {
    let path = repo.join(SPEC_PATH);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn status(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const CITY: &str = "        city:\n          $ref: '#/components/schemas/City'\n";

#[test]
fn exit_status_says_whether_the_edit_breaks() {
    let tmp = TempDir::new("diff-exit").unwrap();
    let repo = repository(tmp.path());

    let clean = diff_in(&repo, &[]);
    assert_eq!(status(&clean), 0, "{}", stderr(&clean));
    assert_eq!(
        stdout(&clean),
        format!(
            "spec/openapi.yaml against HEAD ({}): no changes\nresult: nothing breaks\n",
            &git(&repo, &["rev-parse", "HEAD"])[..7]
        )
    );

    edit_spec(
        &repo,
        "Fetch one device of the token's account by its id.",
        "Fetch one device of the caller's account by its id.",
    );
    let docs = diff_in(&repo, &[]);
    assert_eq!(status(&docs), 0, "{}", stdout(&docs));
    assert!(stdout(&docs).contains("docs documentation-changed: description changed"));

    edit_spec(&repo, CITY, "");
    edit_spec(
        &repo,
        "[asn, at, city, country_code,",
        "[asn, at, country_code,",
    );
    let breaking = diff_in(&repo, &[]);
    assert_eq!(status(&breaking), 1, "{}", stdout(&breaking));
    let report = stdout(&breaking);
    assert!(
        report.contains(
            "BREAKING (wire and Rust) property-removed: required property `city` removed (response)"
        ),
        "{report}"
    );
    assert!(
        report.contains("result: breaking: bump info.version to 2.0.0"),
        "{report}"
    );

    let allowed = diff_in(&repo, &["--allow-breaking"]);
    assert_eq!(status(&allowed), 0);
    assert!(stdout(&allowed).ends_with("result: breaking, allowed by --allow-breaking\n"));

    let json = diff_in(&repo, &["--format", "json"]);
    assert_eq!(status(&json), 1);
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(value["verdict"], "breaking");
    assert_eq!(value["findings"][0]["rule"], "documentation-changed");
    assert_eq!(
        value["findings"][1]["pointer"],
        "#/components/schemas/InteractionDetails/properties/city"
    );

    let markdown = diff_in(&repo, &["--format=markdown"]);
    assert_eq!(status(&markdown), 1);
    assert!(stdout(&markdown).starts_with("### Spec diff: breaking\n"));

    // The major bump acknowledges the break.
    edit_spec(&repo, "  version: 1.0.0", "  version: 2.0.0");
    let acknowledged = diff_in(&repo, &[]);
    assert_eq!(status(&acknowledged), 0, "{}", stdout(&acknowledged));
    assert!(stdout(&acknowledged).contains("needs a major bump, to 2.0.0 (done)"));
}

#[test]
fn usage_errors_and_unreadable_specs_exit_2_and_say_why() {
    let tmp = TempDir::new("diff-errors").unwrap();
    let repo = repository(tmp.path());

    let unknown = diff_in(&repo, &["--base", "no-such-ref"]);
    assert_eq!(status(&unknown), 2);
    assert!(
        stderr(&unknown).contains(
            "cannot read the base \"no-such-ref\": it is not a commit of this repository"
        ),
        "{}",
        stderr(&unknown)
    );

    for args in [
        &["--format", "xml"][..],
        &["--base"][..],
        &["--verbose"][..],
    ] {
        let out = diff_in(&repo, args);
        assert_eq!(status(&out), 2, "{args:?}");
        assert!(stderr(&out).contains("usage: cargo xtask diff"), "{args:?}");
    }

    edit_spec(&repo, "  version: 1.0.0\n", "  version: [1.0.0\n");
    let malformed = diff_in(&repo, &[]);
    assert_eq!(status(&malformed), 2);
    assert!(
        stderr(&malformed).starts_with("error: cannot read the new spec: spec/openapi.yaml:"),
        "{}",
        stderr(&malformed)
    );

    // A base whose spec is malformed is named as the base.
    git(&repo, &["commit", "--quiet", "-am", "broken"]);
    std::fs::copy(
        xtask::workspace_root().unwrap().join(SPEC_PATH),
        repo.join(SPEC_PATH),
    )
    .unwrap();
    let broken_base = diff_in(&repo, &[]);
    assert_eq!(status(&broken_base), 2);
    assert!(
        stderr(&broken_base)
            .starts_with("error: cannot read the base spec: HEAD:spec/openapi.yaml:"),
        "{}",
        stderr(&broken_base)
    );
}

#[test]
fn a_branch_is_compared_with_its_merge_base_with_main() {
    let tmp = TempDir::new("diff-branch").unwrap();
    let repo = repository(tmp.path());
    let base = git(&repo, &["rev-parse", "--short=7", "HEAD"]);
    git(&repo, &["checkout", "--quiet", "-b", "feature"]);
    edit_spec(&repo, CITY, "");
    git(&repo, &["commit", "--quiet", "-am", "drop city"]);

    let out = diff_in(&repo, &[]);
    assert_eq!(status(&out), 1, "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with(&format!(
            "spec/openapi.yaml against merge base with main ({})",
            base.trim()
        )),
        "{}",
        stdout(&out)
    );
    assert!(xtask::diff::ci(&repo).is_err());

    let explicit = diff_in(&repo, &["--base", "HEAD"]);
    assert_eq!(status(&explicit), 0);
}

#[test]
fn ci_passes_on_fresh_and_shallow_clones() {
    let tmp = TempDir::new("diff-clones").unwrap();
    let repo = repository(tmp.path());
    git(&repo, &["checkout", "--quiet", "-b", "feature"]);
    edit_spec(&repo, "  version: 1.0.0", "  version: 1.0.1");
    git(&repo, &["commit", "--quiet", "-am", "patch"]);
    git(&repo, &["checkout", "--quiet", "main"]);
    let url = format!("file://{}", repo.display());

    // A fresh clone of main: the base is HEAD, and nothing changed.
    let fresh = tmp.path().join("fresh");
    git(
        tmp.path(),
        &["clone", "--quiet", "--depth", "1", &url, "fresh"],
    );
    xtask::diff::ci(&fresh).unwrap();

    // A shallow clone of the branch alone: no main to find a merge base with. Explicitly
    // asked, that is an error; in ci the working copy is compared with HEAD.
    let shallow = tmp.path().join("shallow");
    git(
        tmp.path(),
        &[
            "clone",
            "--quiet",
            "--depth",
            "1",
            "--single-branch",
            "--branch",
            "feature",
            &url,
            "shallow",
        ],
    );
    let out = diff_in(&shallow, &[]);
    assert_eq!(status(&out), 2);
    assert!(
        stderr(&out).contains("cannot find the merge base of HEAD and main"),
        "{}",
        stderr(&out)
    );
    xtask::diff::ci(&shallow).unwrap();
    edit_spec(&shallow, CITY, "");
    assert!(xtask::diff::ci(&shallow).is_err());

    // No commit at all: nothing to compare with, and ci says so and passes.
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(empty.join("spec")).unwrap();
    git(&empty, &["init", "--quiet"]);
    xtask::diff::ci(&empty).unwrap();
}
