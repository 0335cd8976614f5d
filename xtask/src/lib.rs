//! Project automation for the authapi workspace, as a library so that its tests can call the
//! generator in memory.

pub mod bench;
pub mod ci;
pub mod codegen;
pub mod conformance;
pub mod contract;
pub mod diff;
pub mod mutants;
mod quiet;
pub mod spec;
pub mod util;

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The workspace this run works on (see `find_root`), from the process's environment.
pub fn workspace_root() -> Result<PathBuf> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    find_root(std::env::var_os("CARGO_MANIFEST_DIR").as_deref(), &cwd)
}

/// The workspace root, found when the xtask runs rather than when it was built: cargo reuses
/// one built xtask for every checkout that shares a target directory.
///
/// `manifest_dir` is `CARGO_MANIFEST_DIR` as `cargo run` (so `cargo xtask`) sets it: this
/// checkout's `xtask` directory. Without it, or when it is not an xtask directory (inherited
/// from some other cargo command), the root is the nearest ancestor of `cwd` that holds xtask.
pub fn find_root(manifest_dir: Option<&OsStr>, cwd: &Path) -> Result<PathBuf> {
    let from_cargo = manifest_dir
        .map(Path::new)
        .filter(|dir| dir.is_absolute() && dir.file_name() == Some(OsStr::new("xtask")))
        .and_then(Path::parent)
        .filter(|root| holds_xtask(root));
    if let Some(root) = from_cargo {
        return Ok(root.to_path_buf());
    }
    if let Some(root) = cwd.ancestors().find(|dir| holds_xtask(dir)) {
        return Ok(root.to_path_buf());
    }
    let ignored = match manifest_dir {
        Some(dir) if !dir.is_empty() => format!(
            " (CARGO_MANIFEST_DIR={} is not the xtask directory of such a workspace)",
            Path::new(dir).display()
        ),
        _ => String::new(),
    };
    bail!(
        "cannot find the authapi workspace: neither {} nor any directory above it has a \
         Cargo.toml whose [workspace] holds xtask{ignored}; run `cargo xtask` inside the checkout",
        cwd.display()
    )
}

/// Whether `dir/Cargo.toml` has a `[workspace]` table that names `"xtask"`. Reading lines
/// rather than TOML is enough: the manifest looked for is this project's own, which lists
/// its members as quoted strings, and other manifests only need to be told apart from it.
fn holds_xtask(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("Cargo.toml")) else {
        return false;
    };
    let mut in_workspace = false;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.starts_with('[') {
            in_workspace = line == "[workspace]";
        } else if in_workspace && line.contains("\"xtask\"") {
            return true;
        }
    }
    false
}

/// How output names `path`: relative to the current directory, so that it is plain which
/// checkout a command read or wrote.
pub fn shown(path: &Path) -> String {
    match std::env::current_dir() {
        Ok(cwd) => relative_to(path, &cwd).display().to_string(),
        Err(_) => path.display().to_string(),
    }
}

/// `path` as seen from `base` (`crates/a` below it, `../b` beside it), or `path` itself when
/// the two share nothing but the filesystem root, where a chain of `..` says less.
pub fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let path_parts: Vec<Component> = path.components().collect();
    let base_parts: Vec<Component> = base.components().collect();
    let common = path_parts
        .iter()
        .zip(&base_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let shares_a_directory = path_parts[..common]
        .iter()
        .any(|c| matches!(c, Component::Normal(_)));
    if !shares_a_directory {
        return path.to_path_buf();
    }
    let mut relative: PathBuf = base_parts[common..].iter().map(|_| "..").collect();
    relative.extend(&path_parts[common..]);
    if relative.as_os_str().is_empty() {
        relative.push(".");
    }
    relative
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::TempDir;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A workspace holding xtask, with a member package that is itself a workspace (one
    /// without xtask, so the search must go past it).
    fn fake_workspace(tmp: &Path) -> PathBuf {
        let root = tmp.join("checkout");
        write(
            &root.join("Cargo.toml"),
            "[workspace]\nmembers = [\n  \"crates/*\", # libraries\n  \"xtask\",\n]\n\n[workspace.package]\nversion = \"0.1.0\"\n",
        );
        write(
            &root.join("xtask/Cargo.toml"),
            "[package]\nname = \"xtask\"\n",
        );
        write(
            &root.join("crates/lib/Cargo.toml"),
            "[package]\nname = \"helper\"\n\n[workspace]\nmembers = []\n\n[dependencies]\ntools = { package = \"xtask\", path = \"../../xtask\" }\n",
        );
        std::fs::create_dir_all(root.join("crates/lib/src")).unwrap();
        root
    }

    #[test]
    fn cargo_run_names_the_checkout_wherever_the_command_runs() {
        let tmp = TempDir::new("root-env").unwrap();
        let root = fake_workspace(tmp.path());
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        let xtask_dir = root.join("xtask");
        assert_eq!(
            find_root(Some(xtask_dir.as_os_str()), &elsewhere).unwrap(),
            root
        );
    }

    #[test]
    fn without_cargo_the_nearest_workspace_holding_xtask_above_the_cwd_is_the_root() {
        let tmp = TempDir::new("root-cwd").unwrap();
        let root = fake_workspace(tmp.path());
        for cwd in [
            root.clone(),
            root.join("xtask"),
            root.join("crates/lib/src"),
        ] {
            assert_eq!(
                find_root(None, &cwd).unwrap(),
                root,
                "from {}",
                cwd.display()
            );
            assert_eq!(find_root(Some(OsStr::new("")), &cwd).unwrap(), root);
        }
    }

    #[test]
    fn a_manifest_dir_that_is_not_an_xtask_directory_is_passed_over() {
        let tmp = TempDir::new("root-other").unwrap();
        let root = fake_workspace(tmp.path());
        let cwd = root.join("crates/lib");
        for other in [
            root.join("crates/lib"),
            tmp.path().join("xtask"),
            root.clone(),
        ] {
            assert_eq!(
                find_root(Some(other.as_os_str()), &cwd).unwrap(),
                root,
                "CARGO_MANIFEST_DIR={}",
                other.display()
            );
        }
    }

    #[test]
    fn outside_any_checkout_the_error_names_where_it_looked() {
        let tmp = TempDir::new("root-none").unwrap();
        let cwd = tmp.path().join("empty");
        std::fs::create_dir_all(&cwd).unwrap();
        let stray = tmp.path().join("xtask");
        let message = find_root(Some(stray.as_os_str()), &cwd)
            .unwrap_err()
            .to_string();
        assert!(message.contains(&cwd.display().to_string()), "{message}");
        assert!(
            message.contains(&format!("CARGO_MANIFEST_DIR={}", stray.display())),
            "{message}"
        );
    }

    #[test]
    fn paths_are_shown_from_the_current_directory() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(
            relative_to(&p("/w/a/crates/x.rs"), &p("/w/a")),
            p("crates/x.rs")
        );
        assert_eq!(
            relative_to(&p("/w/a/spec/o.yaml"), &p("/w/a/xtask")),
            p("../spec/o.yaml")
        );
        assert_eq!(
            relative_to(&p("/w/b/spec/o.yaml"), &p("/w/a")),
            p("../b/spec/o.yaml")
        );
        assert_eq!(relative_to(&p("/w/a"), &p("/w/a")), p("."));
        assert_eq!(
            relative_to(&p("/tmp/b/x.rs"), &p("/home/me")),
            p("/tmp/b/x.rs")
        );
    }
}
