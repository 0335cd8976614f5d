//! The base a spec edit is compared with: a git revision (by default the merge base with
//! `main`, or HEAD on `main`), the spec and the crates' version as they were there.

use std::fmt;
use std::path::Path;
use std::process::Command;

use crate::codegen::SPEC_PATH;

/// The spec at the base revision.
pub struct Base {
    /// How the report names it: the ref as given and its short commit.
    pub label: String,
    /// How errors name the file: `REF:spec/openapi.yaml`, as git names it.
    pub shown: String,
    pub text: String,
    /// `[workspace.package] version` of Cargo.toml there, when it has one.
    pub crates_version: Option<String>,
}

/// Why the base cannot be read.
#[derive(Debug)]
pub struct BaseError(String);

impl fmt::Display for BaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Runs git in `root`; its trimmed stdout, or its first line of stderr.
fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    git_raw(root, args).map(|out| out.trim_end().to_string())
}

/// Runs git in `root`; its stdout as it is, or its first line of stderr.
fn git_raw(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("git failed")
            .trim()
            .to_string())
    }
}

/// Reads the base: `explicit` when given, else the merge base of HEAD with `main` (HEAD
/// itself when on `main`).
pub fn read(root: &Path, explicit: Option<&str>) -> Result<Base, BaseError> {
    let (name, commit) = match explicit {
        Some(name) => {
            let commit = git(root, &["rev-parse", "--verify", "--quiet", &format!("{name}^{{commit}}")])
                .map_err(|_| {
                    BaseError(format!(
                        "cannot read the base {name:?}: it is not a commit of this repository (a shallow clone may lack it; fetch it, or pass another --base)"
                    ))
                })?;
            (name.to_string(), commit)
        }
        None => default_base(root)?,
    };
    let short = commit.get(..7).unwrap_or(&commit).to_string();
    let text = git_raw(root, &["show", &format!("{commit}:{SPEC_PATH}")]).map_err(|e| {
        BaseError(format!(
            "cannot read {SPEC_PATH} at the base {name} ({short}): {e}"
        ))
    })?;
    let crates_version = git_raw(root, &["show", &format!("{commit}:Cargo.toml")])
        .ok()
        .and_then(|t| crates_version(&t));
    let label = if name == short || commit.starts_with(&name) {
        short.clone()
    } else {
        format!("{name} ({short})")
    };
    Ok(Base {
        label,
        shown: format!("{name}:{SPEC_PATH}"),
        text,
        crates_version,
    })
}

/// The merge base of HEAD with `main` (HEAD itself on `main`), by how reports name it and its
/// commit.
pub fn default_base(root: &Path) -> Result<(String, String), BaseError> {
    let head = git(root, &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]).map_err(|_| {
        BaseError("cannot read the base: this checkout has no commit (HEAD) yet".into())
    })?;
    let branch = git(root, &["rev-parse", "--abbrev-ref", "HEAD"]).unwrap_or_default();
    if branch == "main" {
        return Ok(("HEAD".into(), head));
    }
    for main in ["main", "origin/main"] {
        if let Ok(base) = git(root, &["merge-base", "HEAD", main]) {
            return Ok((format!("merge base with {main}"), base));
        }
    }
    Err(BaseError(
        "cannot find the merge base of HEAD and main (no branch main or origin/main here, or a shallow clone without their common history); pass --base REF".into(),
    ))
}

/// `version` of the `[workspace.package]` table of a Cargo.toml: the version of every crate
/// of this workspace. Lines rather than TOML are enough for this project's own manifest.
pub fn crates_version(manifest: &str) -> Option<String> {
    let mut in_table = false;
    for line in manifest.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.starts_with('[') {
            in_table = line == "[workspace.package]";
        } else if in_table
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "version"
        {
            return Some(value.trim().trim_matches('"').to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crates_version_is_the_workspace_packages() {
        let manifest = "[package]\nversion = \"9.9.9\"\n\n[workspace.package]\nedition = \"2024\"\nversion = \"0.1.0\" # all crates\n";
        assert_eq!(crates_version(manifest).as_deref(), Some("0.1.0"));
        assert_eq!(crates_version("[package]\nversion = \"1.0.0\"\n"), None);
    }
}
