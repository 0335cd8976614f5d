//! What xtask's commands share: running cargo and other tools, the Python tools' virtualenv,
//! the build directory, and a server process that stops with its owner.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Where CI keeps its Python tools, inside the build directory so `cargo clean` removes it.
const VENV: &str = "ci-venv";

/// PyPI packages CI installs, pinned so that a new release cannot break an old commit.
const PYTHON_PACKAGES: &[&str] = &[
    "openapi-spec-validator==0.9.0",
    "openapi-schema-validator==0.9.0",
    "PyYAML==6.0.3",
    "schemathesis==4.32.5",
];

/// The build directory cargo uses for this workspace: `CARGO_TARGET_DIR` (relative to the
/// workspace) when set, as cargo reads it, else `target`.
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

/// Runs cargo with `args` in the workspace at `root`.
pub fn cargo(root: &Path, args: &[&str]) -> Result<()> {
    run_cmd(cargo_command(root).args(args))
}

/// A cargo command in the workspace at `root`: the cargo that runs xtask (`CARGO`) when there
/// is one, so that both are the same toolchain.
pub fn cargo_command(root: &Path) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root);
    cmd
}

pub fn run_cmd(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} exited with {status}");
    }
    Ok(())
}

/// Makes (once) a virtualenv with the pinned Python tools and returns its interpreter.
pub fn venv(root: &Path) -> Result<std::path::PathBuf> {
    let dir = target_dir(root).join(VENV);
    let python = dir.join("bin/python");
    let stamp = dir.join("installed.txt");
    let wanted = PYTHON_PACKAGES.join("\n");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(python);
    }
    eprintln!(
        "installing the pinned Python tools into {}",
        crate::shown(&dir)
    );
    run_cmd(Command::new("python3").args(["-m", "venv"]).arg(&dir))
        .context("cannot make a Python virtualenv; install python3 with its venv module")?;
    run_cmd(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(PYTHON_PACKAGES),
    )?;
    std::fs::write(&stamp, wanted)?;
    Ok(python)
}

/// A server process started by xtask, stopped when dropped.
pub struct ServerProcess {
    child: Child,
    pub base_url: String,
    /// From spawning to its first 200 answer to the probe.
    pub startup: Duration,
    /// Requests answered while waiting for it to start (they are in its access log).
    pub answered: u64,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ServerProcess {
    /// Starts `binary` with `args` and none of the server's settings from this environment,
    /// its stderr (the access log) into `log` (or inherited), reads the URL from the first line
    /// it prints, then waits for its first 200 answer to `probe` (a path, asked with `token`)
    /// and times that.
    pub fn start(
        binary: &Path,
        args: &[&str],
        log: Option<&Path>,
        probe: Option<(&str, &str)>,
    ) -> Result<ServerProcess> {
        let stderr = match log {
            Some(path) => Stdio::from(
                std::fs::File::create(path)
                    .with_context(|| format!("cannot create {}", path.display()))?,
            ),
            None => Stdio::inherit(),
        };
        let started = Instant::now();
        let mut child = Command::new(binary)
            .args(args)
            .env_remove("RUST_LOG")
            .env_remove("AUTHAPI_LISTEN")
            .env_remove("AUTHAPI_DATA")
            .env_remove("AUTHAPI_TOKENS")
            .env_remove("AUTHAPI_CHECK_RESPONSES")
            .env_remove("AUTHAPI_LOG_FORMAT")
            .env_remove("AUTHAPI_QUIET")
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let mut first = String::new();
        let stdout = child.stdout.take().context("no stdout")?;
        // Keep reading in the background so that the server never blocks on a full pipe.
        let mut reader = BufReader::new(stdout);
        reader.read_line(&mut first)?;
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let base_url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .with_context(|| {
                format!(
                    "{} did not say where it listens: {first:?}",
                    binary.display()
                )
            })?
            .to_string();
        let mut server = ServerProcess {
            child,
            base_url,
            startup: Duration::ZERO,
            answered: 0,
        };
        let Some((probe, token)) = probe else {
            server.startup = started.elapsed();
            return Ok(server);
        };
        let deadline = started + Duration::from_secs(60);
        loop {
            let status = http_status(&server.base_url, probe, token);
            server.answered += u64::from(status.is_some());
            if status == Some(200) {
                break;
            }
            if Instant::now() > deadline {
                bail!("{} never answered 200 to {probe}", binary.display());
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        server.startup = started.elapsed();
        Ok(server)
    }

    /// Stops the server with SIGTERM, as a user or a supervisor would, and waits (up to 30 s)
    /// for it to exit.
    pub fn terminate(mut self) -> Result<()> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status()?;
        if !sent.success() {
            bail!("cannot send SIGTERM to {pid}");
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait()? {
                if !status.success() {
                    bail!("the server exited with {status} after SIGTERM");
                }
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the server did not stop within 30 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Peak resident memory so far, in MiB.
    pub fn peak_rss_mib(&self) -> Result<f64> {
        self.memory_mib("VmHWM:")
    }

    /// Resident memory now, in MiB.
    pub fn rss_mib(&self) -> Result<f64> {
        self.memory_mib("VmRSS:")
    }

    fn memory_mib(&self, field: &str) -> Result<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .with_context(|| format!("no {field} in /proc status"))?;
        Ok(kib / 1024.0)
    }
}

/// The status of one GET with a bearer `token`, or None when the server does not answer yet.
pub fn http_status(base_url: &str, path: &str, token: &str) -> Option<u16> {
    let addr = base_url.strip_prefix("http://")?;
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer.split_whitespace().nth(1)?.parse().ok()
}

/// A unique directory under the system's temp directory, removed when dropped: where tests
/// and on-request checks build copies of the workspace.
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates `xtask-<name>-<pid>-<nanos>` under the temp directory.
    pub fn new(name: &str) -> std::io::Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!("xtask-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(TempDir(dir))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
