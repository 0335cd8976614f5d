//! `cargo xtask contract`: Specmatic, an independent contract-testing tool that API teams
//! bring, against the release-built stub server, so that the spec's paired examples and the
//! negative requests Specmatic generates from its schemas are known to work with it, not only
//! with our own tests. Specmatic checks each answer's status and schema, not the example's
//! values (its open-source edition has no such check); `tests/end_to_end/operations.rs` compares those.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::codegen::SPEC_PATH;
use crate::util::{ServerProcess, cargo, run_cmd, target_dir};

/// The npm package that ships Specmatic's jar, pinned so that a new release cannot break an
/// old commit.
const SPECMATIC_VERSION: &str = "2.55.1";

/// Specmatic 2.55.1's classes are Java 17 class files (version 61).
const MIN_JAVA: u32 = 17;

/// Debian's package for a Java runtime Specmatic can run on.
const JAVA_PACKAGE: &str = "openjdk-17-jre-headless";

/// The embedded data's token that reads every account, so that every example of the spec is
/// answered with one token, as Specmatic sends one.
const TOKEN: &str = "dev-token-all";

/// A whole run takes about 10 s here; this only stops a hung run.
const TIMEOUT: Duration = Duration::from_secs(300);

/// Where Specmatic is installed and runs: its reports (`build/reports`, `junit`) and log land
/// here, in the build directory, never in the source tree.
fn workdir(root: &Path) -> PathBuf {
    target_dir(root).join("contract")
}

pub fn run(root: &Path) -> Result<()> {
    let workdir = workdir(root);
    std::fs::create_dir_all(&workdir)
        .with_context(|| format!("cannot create {}", workdir.display()))?;
    let java = java()?;
    let jar = specmatic_jar(&workdir)?;
    let schemes = bearer_schemes(&root.join(SPEC_PATH))?;

    cargo(
        root,
        &["build", "--release", "--locked", "-p", "authapi-server"],
    )?;
    let binary = target_dir(root).join("release/authapi-server");
    let server = ServerProcess::start(&binary, &["--port", "0", "--quiet"], None, None)?;
    eprintln!(
        "contract: Specmatic {SPECMATIC_VERSION} against the stub server at {}",
        server.base_url
    );

    let log = workdir.join("specmatic.log");
    let mut cmd = Command::new(&java);
    cmd.current_dir(&workdir)
        .arg("-jar")
        .arg(&jar)
        .arg("test")
        .arg(root.join(SPEC_PATH))
        .arg(format!("--testBaseURL={}", server.base_url))
        .arg("--junitReportDir=junit")
        // Besides a test per named example, negative tests generated from the schemas (wrong
        // types, lengths and patterns in the path), each of which must get a documented 4xx.
        .env("SPECMATIC_GENERATIVE_TESTS", "true");
    // Specmatic sends the value of the environment variable named after a security scheme as
    // that scheme's credentials; without it, a random token (and every test gets 401).
    for scheme in &schemes {
        cmd.env(scheme, TOKEN);
    }
    let started = Instant::now();
    let (status, output) = run_with_timeout(cmd, &log, TIMEOUT)?;
    let elapsed = started.elapsed();
    drop(server);

    let report = Report::read(&output);
    let outcome = report.verdict(status);
    eprintln!(
        "contract: Specmatic ran in {:.1}s; its log is {}, its report {}",
        elapsed.as_secs_f64(),
        crate::shown(&log),
        crate::shown(&workdir.join("build/reports/specmatic/test/html/index.html"))
    );
    outcome?;
    eprintln!(
        "contract: all {} tests passed: {} positive (the spec's examples), {} negative (generated)",
        report.summary.map_or(0, |s| s.run),
        report.positive,
        report.negative
    );
    Ok(())
}

/// Runs Specmatic with its stdout and stderr, in order, into `log`, echoing each test's
/// result and the coverage table as they come; kills it after `timeout`.
fn run_with_timeout(
    mut cmd: Command,
    log: &Path,
    timeout: Duration,
) -> Result<(ExitStatus, Vec<String>)> {
    let mut file =
        std::fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
    let (reader, writer) = std::io::pipe().context("cannot make a pipe for Specmatic's output")?;
    cmd.stdout(writer.try_clone()?).stderr(writer);
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    // The pipe's write ends held by `cmd` must close, or the reader never sees the end.
    drop(cmd);
    let echo = std::thread::spawn(move || -> std::io::Result<Vec<String>> {
        let mut lines = Vec::new();
        let mut reader = BufReader::new(reader);
        let mut buf = Vec::new();
        while reader.read_until(b'\n', &mut buf)? > 0 {
            file.write_all(&buf)?;
            let line = String::from_utf8_lossy(&buf).trim_end().to_string();
            if scenario_result(&line).is_some() || line.starts_with('|') {
                eprintln!("{line}");
            }
            lines.push(line);
            buf.clear();
        }
        file.flush()?;
        Ok(lines)
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().context("cannot wait for Specmatic")? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "Specmatic did not finish within {} s and was killed; what it printed is in {}",
                timeout.as_secs(),
                crate::shown(log)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let lines = echo
        .join()
        .map_err(|_| anyhow::anyhow!("the thread reading Specmatic's output panicked"))?
        .with_context(|| format!("cannot write Specmatic's output to {}", log.display()))?;
    Ok((status, lines))
}

/// Specmatic's closing line: `Tests run: 24, Successes: 24, Failures: 0, WIP: 0, Errors: 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Summary {
    run: u64,
    successes: u64,
}

impl Summary {
    fn parse(line: &str) -> Option<Summary> {
        let mut parts = line.trim().strip_prefix("Tests run:")?.split(',');
        let run = parts.next()?.trim().parse().ok()?;
        let successes = parts.find_map(|part| {
            part.trim()
                .strip_prefix("Successes:")
                .and_then(|n| n.trim().parse().ok())
        })?;
        Some(Summary { run, successes })
    }
}

/// One test's result line: `+ve  Scenario: GET /api/v1/device/(device_id:Device_Id) -> 200
/// with the request from the example 'browser' has SUCCEEDED`. Returns the name (sign and
/// scenario) and whether it passed.
fn scenario_result(line: &str) -> Option<(&str, bool)> {
    let line = line.trim();
    if !line.contains("Scenario: ") || line.starts_with("Skipping") || line.starts_with('"') {
        return None;
    }
    let (name, result) = line.rsplit_once(" has ")?;
    match result {
        "SUCCEEDED" => Some((name, true)),
        other if other.chars().all(|c| c.is_ascii_uppercase()) => Some((name, false)),
        _ => None,
    }
}

/// The request line (`GET /api/v1/device/0000…`) Specmatic prints above a test's result, which
/// tells apart tests of the same name (several generated requests for one example).
fn request(before: &[String]) -> Option<String> {
    let mut next = None;
    for line in before
        .iter()
        .rev()
        .map(|l| l.trim())
        .take_while(|l| scenario_result(l).is_none())
    {
        if line.starts_with("Request to ") {
            return next.map(|request: &str| format!("request: {request}"));
        }
        next = Some(line);
    }
    None
}

/// The lines of the reason Specmatic prints below a failed test that say what differed
/// (`>> RESPONSE.STATUS`, `R0002: HTTP status mismatch`, `Specification expected status 200 but
/// response contained status 404`), without its links and repeated headings; at most 12. It
/// ends at the next test, or, after the last one, where the closing report begins.
fn reason(after: &[String]) -> Vec<String> {
    const ENDS: &[&str] = &[
        "----",
        "|",
        "Could not load report",
        "Unsuccessful Scenarios",
        "Tests run:",
    ];
    after
        .iter()
        .map(|l| l.trim())
        .take_while(|l| !ENDS.iter().any(|end| l.starts_with(end)) && scenario_result(l).is_none())
        .filter(|l| {
            !l.is_empty()
                && ![
                    "Reason:",
                    "Testing scenario ",
                    "API: ",
                    "Documentation: ",
                    "Summary: ",
                ]
                .iter()
                .any(|skip| l.starts_with(skip))
        })
        .take(12)
        .map(str::to_string)
        .collect()
}

/// What one Specmatic run printed, read.
#[derive(Debug, Default)]
struct Report {
    summary: Option<Summary>,
    /// Specmatic marks tests that expect a success `+ve`, those that expect a 4xx `-ve`.
    positive: usize,
    negative: usize,
    /// Each failed test's name, and the lines of Specmatic's reason that say what differed.
    failed: Vec<(String, Vec<String>)>,
}

impl Report {
    fn read(lines: &[String]) -> Report {
        let mut report = Report {
            summary: lines.iter().rev().find_map(|l| Summary::parse(l)),
            ..Report::default()
        };
        for (i, line) in lines.iter().enumerate() {
            let Some((name, passed)) = scenario_result(line) else {
                continue;
            };
            if name.starts_with("-ve") {
                report.negative += 1;
            } else {
                report.positive += 1;
            }
            if !passed {
                let mut details: Vec<String> = request(&lines[..i]).into_iter().collect();
                details.extend(reason(&lines[i + 1..]));
                report.failed.push((name.to_string(), details));
            }
        }
        report
    }

    /// Passes only when Specmatic exited with success after running both kinds of tests and
    /// every one of them passed.
    fn verdict(&self, status: ExitStatus) -> Result<()> {
        let Some(summary) = self.summary else {
            bail!("Specmatic exited with {status} without printing its `Tests run:` summary");
        };
        if !self.failed.is_empty() || summary.successes != summary.run {
            let failed =
                (summary.run.saturating_sub(summary.successes) as usize).max(self.failed.len());
            let mut message = format!("Specmatic: {failed} of {} tests did not pass", summary.run);
            for (name, reason) in &self.failed {
                message.push_str("\n  ");
                message.push_str(name);
                for line in reason {
                    message.push_str("\n      ");
                    message.push_str(line);
                }
            }
            bail!(message);
        }
        if summary.run == 0 || self.positive == 0 {
            bail!("Specmatic ran no test of the spec's examples");
        }
        if self.negative == 0 {
            bail!(
                "Specmatic generated no negative test although SPECMATIC_GENERATIVE_TESTS=true; \
                 has this version renamed the setting?"
            );
        }
        if !status.success() {
            bail!("Specmatic exited with {status} although all its tests passed");
        }
        Ok(())
    }
}

/// The names of the spec's HTTP bearer security schemes, as Specmatic reads credentials from
/// environment variables of those names.
fn bearer_schemes(spec: &Path) -> Result<Vec<String>> {
    let spec = crate::spec::load(spec, &crate::shown(spec))?;
    let schemes = spec
        .api
        .components
        .iter()
        .flat_map(|c| c.security_schemes.iter());
    let names: Vec<String> = schemes
        .filter(|(_, scheme)| {
            matches!(
                scheme.as_item(),
                Some(openapiv3::SecurityScheme::HTTP { scheme, .. })
                    if scheme.eq_ignore_ascii_case("bearer")
            )
        })
        .map(|(name, _)| name.clone())
        .collect();
    if names.is_empty() {
        bail!(
            "{}: no http bearer scheme in components.securitySchemes, so Specmatic has no \
             scheme to send {TOKEN} with",
            spec.shown
        );
    }
    Ok(names)
}

/// A `java` of version `MIN_JAVA` or newer, installed with apt-get when there is none.
fn java() -> Result<PathBuf> {
    let mut seen = Vec::new();
    if let Some(java) = find_java(&mut seen) {
        return Ok(java);
    }
    let found = if seen.is_empty() {
        "no `java` runs (looked in JAVA_HOME, on PATH and under /usr/lib/jvm)".to_string()
    } else {
        seen.join(", ")
    };
    if !is_root() {
        bail!(
            "Specmatic needs Java {MIN_JAVA} or newer and {found}; installing {JAVA_PACKAGE} \
             with apt-get needs root: run `sudo apt-get install -y {JAVA_PACKAGE}` (or set \
             JAVA_HOME to a Java {MIN_JAVA}+ runtime), then run this again"
        );
    }
    eprintln!("contract: {found}; installing {JAVA_PACKAGE} with apt-get");
    let started = Instant::now();
    let apt = |args: &[&str]| {
        run_cmd(
            Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )
        .with_context(|| {
            format!(
                "cannot install {JAVA_PACKAGE} with apt-get; install a Java {MIN_JAVA}+ runtime \
                 by hand (or set JAVA_HOME to one)"
            )
        })
    };
    apt(&["update", "-qq"])?;
    apt(&[
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
        JAVA_PACKAGE,
    ])?;
    eprintln!(
        "contract: installed {JAVA_PACKAGE} in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let mut seen = Vec::new();
    find_java(&mut seen).with_context(|| {
        format!(
            "{JAVA_PACKAGE} is installed, yet no Java {MIN_JAVA}+ is found: {}",
            seen.join(", ")
        )
    })
}

/// The first `java` of a fit version among `$JAVA_HOME/bin/java`, `java` on PATH and Debian's
/// runtimes under /usr/lib/jvm (where apt-get puts one even when PATH's `java` is an older
/// one); each one tried and unfit is described in `seen`.
fn find_java(seen: &mut Vec<String>) -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(home) = std::env::var_os("JAVA_HOME").filter(|h| !h.is_empty()) {
        candidates.push(PathBuf::from(home).join("bin/java"));
    }
    candidates.push(PathBuf::from("java"));
    if let Ok(dirs) = std::fs::read_dir("/usr/lib/jvm") {
        let mut runtimes: Vec<PathBuf> = dirs
            .filter_map(|d| Some(d.ok()?.path().join("bin/java")))
            .filter(|java| java.is_file())
            .collect();
        runtimes.sort();
        runtimes.reverse();
        candidates.extend(runtimes);
    }
    for java in candidates {
        let Ok(output) = Command::new(&java).arg("-version").output() else {
            continue;
        };
        // `java -version` writes to stderr.
        let text = String::from_utf8_lossy(&output.stderr);
        match java_major(&text) {
            Some(major) if major >= MIN_JAVA && output.status.success() => return Some(java),
            Some(major) => seen.push(format!("{} is Java {major}", java.display())),
            None => seen.push(format!(
                "{} -version printed no version: {:?}",
                java.display(),
                text.lines().next().unwrap_or_default()
            )),
        }
    }
    None
}

/// The major version in `java -version`'s first line: `openjdk version "17.0.15" 2025-04-15`
/// is 17, `java version "1.8.0_392"` is 8, `openjdk version "21" 2023-09-19` is 21.
fn java_major(text: &str) -> Option<u32> {
    let version = text.lines().next()?.split('"').nth(1)?;
    let mut parts = version.split(['.', '_', '-', '+']);
    match parts.next()?.parse().ok()? {
        1 => parts.next()?.parse().ok(),
        major => Some(major),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Specmatic's jar from the pinned npm package, installed under `workdir` (not globally) when
/// missing or of another version. The package is a Node wrapper whose `specmatic` command only
/// runs `java -jar specmatic.jar` with the same arguments, as a child it does not stop when it
/// is killed; running the jar directly lets the timeout stop Specmatic itself, with the
/// `java` chosen here.
fn specmatic_jar(workdir: &Path) -> Result<PathBuf> {
    let package = workdir.join("node_modules/specmatic");
    let jar = package.join("specmatic.jar");
    if installed_version(&package).as_deref() == Some(SPECMATIC_VERSION) && is_jar(&jar) {
        return Ok(jar);
    }
    eprintln!(
        "contract: installing specmatic@{SPECMATIC_VERSION} from npm into {}",
        crate::shown(workdir)
    );
    let started = Instant::now();
    run_cmd(
        Command::new("npm")
            .arg("install")
            .arg("--prefix")
            .arg(workdir)
            // The jar is in the package itself; no install script needs to run.
            .args([
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                "--save-exact",
            ])
            .arg(format!("specmatic@{SPECMATIC_VERSION}")),
    )
    .context(
        "cannot install Specmatic with npm; it needs Node.js's npm on PATH (Debian: \
         `apt-get install -y npm`)",
    )?;
    eprintln!(
        "contract: installed specmatic@{SPECMATIC_VERSION} in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    match installed_version(&package) {
        Some(v) if v == SPECMATIC_VERSION => {}
        other => bail!(
            "npm installed specmatic {} into {}, not {SPECMATIC_VERSION}",
            other.as_deref().unwrap_or("(no version)"),
            crate::shown(&package)
        ),
    }
    if !is_jar(&jar) {
        bail!(
            "the specmatic {SPECMATIC_VERSION} npm package has no jar at {}",
            crate::shown(&jar)
        );
    }
    Ok(jar)
}

fn installed_version(package: &Path) -> Option<String> {
    let text = std::fs::read_to_string(package.join("package.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(json.get("version")?.as_str()?.to_string())
}

/// Whether `path` starts as a zip archive does, so that a truncated download is not taken for
/// a jar.
fn is_jar(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == *b"PK\x03\x04"
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn java_versions_old_and_new_are_read() {
        assert_eq!(
            java_major("openjdk version \"17.0.15\" 2025-04-15\nOpenJDK Runtime"),
            Some(17)
        );
        assert_eq!(java_major("java version \"1.8.0_392\""), Some(8));
        assert_eq!(java_major("openjdk version \"21\" 2023-09-19"), Some(21));
        assert_eq!(java_major("openjdk version \"11.0.2-ea\""), Some(11));
        assert_eq!(java_major("bash: java: command not found"), None);
    }

    #[test]
    fn the_summary_line_is_read() {
        assert_eq!(
            Summary::parse("Tests run: 24, Successes: 23, Failures: 1, WIP: 0, Errors: 0"),
            Some(Summary {
                run: 24,
                successes: 23
            })
        );
        assert_eq!(Summary::parse("Tests run: 4"), None);
        assert_eq!(Summary::parse("Executed at 2026-11-23T17:15:10"), None);
    }

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    const PASSED: &str = "\
+ve  Scenario: GET /api/v1/device/(device_id:Device_Id) -> 200 with the request from the example 'browser' has SUCCEEDED
  Skipping Scenario: GET /api/v1/device/(device_id:Device_Id) -> 401 (responseContentType application/json)
-ve  Scenario: GET /api/v1/device/(device_id:Device_Id) -> 4xx with the request from the example 'browser' where REQUEST.PARAMETERS.PATH.device_id is mutated from string to number has SUCCEEDED
Tests run: 2, Successes: 2, Failures: 0, WIP: 0, Errors: 0";

    #[test]
    fn a_run_where_every_test_passed_passes() {
        let report = Report::read(&lines(PASSED));
        assert_eq!((report.positive, report.negative), (1, 1));
        report.verdict(ExitStatus::from_raw(0)).unwrap();
        let message = report
            .verdict(ExitStatus::from_raw(1 << 8))
            .unwrap_err()
            .to_string();
        assert!(message.contains("exited with"), "{message}");
    }

    #[test]
    fn a_failed_test_is_named() {
        let text = "\
+ve  Scenario: GET /api/v1/session/(session_id:Session_Id) -> 200 with the request from the example 'old' has SUCCEEDED
--------------------
  Request to http://127.0.0.1:45319 at 2026-11-23 5:29:39.210
    GET /api/v1/session/00000000000000000000000000000000
    Authorization: Bearer dev-token-all

  Response at 2026-11-23 5:29:39.211
    404 Not Found

Scenario: GET /api/v1/session/(session_id:Session_Id) -> 200 with the request from the example 'new' has FAILED
Reason:
Testing scenario \"Fetch session. Response: Success\"
API: GET /api/v1/session/(session_id:Session_Id) -> 200

  >> RESPONSE.STATUS

      R0002: HTTP status mismatch
      Documentation: https://docs.specmatic.io/rules#r0002
      Summary: The HTTP status code does not match the expected status code defined in the specification

      Specification expected status 200 but response contained status 404

--------------------
Unsuccessful Scenarios:
  \"Scenario: GET /api/v1/session/(session_id:Session_Id) -> 200 with the request from the example 'new' FAILED\"
-ve  Scenario: GET /api/v1/session/(session_id:Session_Id) -> 4xx with the request from the example 'new' where REQUEST.PARAMETERS.PATH.session_id is mutated from string to number has SUCCEEDED
Tests run: 3, Successes: 2, Failures: 1, WIP: 0, Errors: 0";
        let report = Report::read(&lines(text));
        assert_eq!(report.failed.len(), 1, "{report:?}");
        let message = report
            .verdict(ExitStatus::from_raw(1 << 8))
            .unwrap_err()
            .to_string();
        assert!(message.contains("1 of 3 tests did not pass"), "{message}");
        assert!(
            message.contains("-> 200 with the request from the example 'new'"),
            "{message}"
        );
        assert_eq!(
            report.failed[0].1,
            [
                "request: GET /api/v1/session/00000000000000000000000000000000",
                ">> RESPONSE.STATUS",
                "R0002: HTTP status mismatch",
                "Specification expected status 200 but response contained status 404"
            ],
            "{message}"
        );
    }

    #[test]
    fn the_reason_of_the_last_test_stops_at_the_closing_report() {
        let text = "\
-ve  Scenario: GET /api/v1/authflow/(authflow_id:Authflow_Id) -> 4xx with the request from the example 'new' where REQUEST.PARAMETERS.PATH.authflow_id is mutated from string to number has FAILED
Reason:
  >> RESPONSE.STATUS

      Specification expected status 4xx but response contained status 200



Could not load report configuration, coverage will be calculated but no coverage threshold will be enforced

|---------|
| SPECMATIC API COVERAGE SUMMARY |
Unsuccessful Scenarios:
Tests run: 1, Successes: 0, Failures: 1, WIP: 0, Errors: 0";
        let report = Report::read(&lines(text));
        assert_eq!(
            report.failed[0].1,
            [
                ">> RESPONSE.STATUS",
                "Specification expected status 4xx but response contained status 200"
            ]
        );
    }

    #[test]
    fn a_run_without_negative_tests_or_a_summary_fails() {
        let text = PASSED.replace("-ve  Scenario", "+ve  Scenario");
        let message = Report::read(&lines(&text))
            .verdict(ExitStatus::from_raw(0))
            .unwrap_err()
            .to_string();
        assert!(message.contains("SPECMATIC_GENERATIVE_TESTS"), "{message}");
        let message = Report::read(&lines("Specmatic Version: v2.55.1"))
            .verdict(ExitStatus::from_raw(1 << 8))
            .unwrap_err()
            .to_string();
        assert!(message.contains("`Tests run:` summary"), "{message}");
    }

    fn scratch_log(name: &str) -> PathBuf {
        let dir = target_dir(&crate::workspace_root().unwrap()).join("contract-tests");
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(format!("{name}-{}.log", std::process::id()))
    }

    #[test]
    fn both_output_streams_are_kept_in_order() {
        let log = scratch_log("streams");
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo one; echo two >&2; echo three"]);
        let (status, lines) = run_with_timeout(cmd, &log, Duration::from_secs(30)).unwrap();
        assert!(status.success());
        assert_eq!(lines, ["one", "two", "three"]);
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "one\ntwo\nthree\n");
        let _ = std::fs::remove_file(log);
    }

    #[test]
    fn a_run_past_its_time_is_killed() {
        let log = scratch_log("timeout");
        let mut cmd = Command::new("sh");
        // `exec`, so that the process killed is the one holding the output pipe.
        cmd.args(["-c", "echo started; exec sleep 60"]);
        let started = Instant::now();
        let message = run_with_timeout(cmd, &log, Duration::from_millis(300))
            .unwrap_err()
            .to_string();
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(message.contains("did not finish within"), "{message}");
        let _ = std::fs::remove_file(log);
    }

    #[test]
    fn the_spec_names_its_bearer_scheme() {
        let root = crate::workspace_root().unwrap();
        assert_eq!(
            bearer_schemes(&root.join(SPEC_PATH)).unwrap(),
            ["bearerAuth"]
        );
    }
}
