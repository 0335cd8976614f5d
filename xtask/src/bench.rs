//! `cargo xtask bench [--quick]`: the stub server against a bare axum baseline measured in the
//! same run, its footprint, how it scales with data, and how fast codegen is. Prints a Markdown
//! table and writes the same figures to `target/bench/summary.json`.
//!
//! The server runs as users start it: access log on, written (stderr) to a file under
//! `target/bench/`; the `--quiet` server is measured beside it. After the load, the default
//! server is stopped with SIGTERM and its log must hold a line for every request answered.
//!
//! Load goes to 127.0.0.1 only, every run is bounded in time, and every process started here
//! is stopped when its measurement ends.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::ci;
use crate::codegen::{self, SPEC_PATH};
use crate::spec;

const DEVICE: &str = "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1";
const TOKEN: &str = "dev-token";
const ACCOUNT: &str = "013xrzp12g3nqk8n505tp6wqnscpdy8q";
const CONNECTIONS: &str = "64";
const THREADS: &str = "2";

/// How long and how often each load measurement runs.
struct Plan {
    rounds: usize,
    seconds: u32,
    data_sizes: &'static [usize],
    codegen_runs: usize,
    edit_loop: bool,
}

const FULL: Plan = Plan {
    rounds: 5,
    seconds: 5,
    data_sizes: &[1_000, 100_000, 1_000_000],
    codegen_runs: 5,
    edit_loop: true,
};

const QUICK: Plan = Plan {
    rounds: 2,
    seconds: 2,
    data_sizes: &[1_000, 100_000],
    codegen_runs: 2,
    edit_loop: false,
};

/// The figures, by the flat keys of summary.json.
type Summary = BTreeMap<String, f64>;

pub fn run(root: &Path, quick: bool) -> Result<()> {
    let plan = if quick { QUICK } else { FULL };
    let out = root.join("target/bench");
    std::fs::create_dir_all(&out)?;
    ensure_wrk()?;
    ci::cargo(
        root,
        &[
            "build",
            "--release",
            "--locked",
            "-p",
            "authapi-server",
            "--bin",
            "authapi-server",
            "--example",
            "baseline",
            "--example",
            "test_server_startup",
        ],
    )?;
    let release = root.join("target/release");
    let mut summary = Summary::new();

    eprintln!("bench: server against baseline");
    server_vs_baseline(&release, &out, &plan, &mut summary)?;
    eprintln!("bench: footprint");
    footprint(&release, &out, &mut summary)?;
    let embedded = embedded_load(&release, &out)?;
    for &size in plan.data_sizes {
        eprintln!("bench: {size} devices");
        data_scaling(&release, &out, size, &plan, &embedded, &mut summary)?;
    }
    drop(embedded);
    let _ = std::fs::remove_file(out.join("embedded.log"));
    let _ = std::fs::remove_file(out.join("footprint.log"));
    if let ([smallest, ..], [.., largest]) = (plan.data_sizes, plan.data_sizes) {
        // Both against the embedded data's throughput; their quotient is what data size alone
        // costs, records of the same shape on both sides.
        let ratio = |size: usize| summary[&format!("data_{}_vs_embedded_ratio", size_key(size))];
        summary.insert(
            "data_largest_vs_smallest_ratio".into(),
            ratio(*largest) / ratio(*smallest),
        );
    }
    if let [.., smaller, larger] = plan.data_sizes {
        // What one more record costs once loaded, from the two largest data sets.
        let (a, b) = (size_key(*smaller), size_key(*larger));
        let grown = summary[&format!("data_{b}_rss_after_load_mib")]
            - summary[&format!("data_{a}_rss_after_load_mib")];
        summary.insert(
            "data_bytes_per_record".into(),
            grown * 1024.0 * 1024.0 / (larger - smaller) as f64,
        );
    }
    eprintln!("bench: codegen");
    codegen_speed(root, &plan, &mut summary)?;
    if plan.edit_loop {
        eprintln!("bench: edit loop");
        edit_loop(root, &mut summary)?;
    }

    let json = serde_json::to_string_pretty(&summary)? + "\n";
    let summary_path = out.join("summary.json");
    std::fs::write(&summary_path, json)
        .with_context(|| format!("cannot write {}", summary_path.display()))?;
    println!("{}", table(&summary, &plan));
    eprintln!("bench: figures written to {}", crate::shown(&summary_path));
    // The figures are kept either way; a lost or dropped request line fails the run.
    let lost = summary["access_log_lines_lost"];
    let dropped = summary["access_log_dropped_notices"];
    let extra = summary["access_log_lines_unexplained"];
    if lost > 0.0 || dropped > 0.0 || extra > 0.0 {
        bail!(
            "the access log lost {lost} request lines, reported {dropped} drops and has {extra} lines more than requests answered"
        );
    }
    Ok(())
}

fn ensure_wrk() -> Result<()> {
    if Command::new("wrk").arg("--version").output().is_ok() {
        return Ok(());
    }
    eprintln!("bench: installing wrk");
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "wrk"])
            .status()
    };
    if !install().is_ok_and(|s| s.success()) {
        let _ = Command::new("apt-get").args(["update", "-qq"]).status();
        if !install().is_ok_and(|s| s.success()) {
            bail!(
                "wrk is not installed and `apt-get install wrk` failed; install wrk and run again"
            );
        }
    }
    Ok(())
}

/// A server process, stopped when dropped.
struct Server {
    child: Child,
    base_url: String,
    startup: Duration,
    /// Requests answered while waiting for it to start (they are in its access log).
    answered: u64,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `binary` in its default configuration, its stderr (the access log) into `log`
    /// (or inherited), waits for its first 200 answer to `probe`, and times that.
    fn start(binary: &Path, args: &[&str], log: Option<&Path>, probe: &str) -> Result<Server> {
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
            .env_remove("AUTHAPI_DATA")
            .env_remove("AUTHAPI_TOKENS")
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
        let mut server = Server {
            child,
            base_url,
            startup: Duration::ZERO,
            answered: 0,
        };
        let deadline = started + Duration::from_secs(60);
        loop {
            let status = http_status(&server.base_url, probe);
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
    fn terminate(mut self) -> Result<()> {
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
    fn peak_rss_mib(&self) -> Result<f64> {
        self.memory_mib("VmHWM:")
    }

    /// Resident memory now, in MiB.
    fn rss_mib(&self) -> Result<f64> {
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

/// The status of one GET, or None when the server does not answer yet.
fn http_status(base_url: &str, path: &str) -> Option<u16> {
    let addr = base_url.strip_prefix("http://")?;
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer.split_whitespace().nth(1)?.parse().ok()
}

/// The body of one GET.
fn http_body(base_url: &str, path: &str) -> Result<Vec<u8>> {
    let addr = base_url.strip_prefix("http://").context("base URL")?;
    let mut stream = TcpStream::connect(addr)?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("no HTTP head")?;
    Ok(answer[split + 4..].to_vec())
}

/// Requests per second, 99th-percentile latency and answers counted of one wrk run.
struct Load {
    rps: f64,
    p99_ms: f64,
    requests: u64,
}

fn wrk(url: &str, token: &str, seconds: u32, script: Option<&Path>) -> Result<Load> {
    let mut cmd = Command::new("wrk");
    cmd.args([
        "-t",
        THREADS,
        "-c",
        CONNECTIONS,
        "-d",
        &format!("{seconds}s"),
        "--latency",
    ])
    .args(["-H", &format!("Authorization: Bearer {token}")]);
    if let Some(script) = script {
        cmd.arg("-s").arg(script);
    }
    let out = cmd.arg(url).output().context("cannot run wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() || text.contains("Non-2xx") && token == TOKEN {
        bail!("wrk on {url} failed or saw errors:\n{text}");
    }
    let rps = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .with_context(|| format!("no Requests/sec in wrk output:\n{text}"))?;
    let p99_ms = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .and_then(|v| duration_ms(v.trim()))
        .with_context(|| format!("no 99% latency in wrk output:\n{text}"))?;
    let requests = text
        .lines()
        .find_map(|l| l.trim().split_once(" requests in "))
        .and_then(|(n, _)| n.trim().parse().ok())
        .with_context(|| format!("no request count in wrk output:\n{text}"))?;
    Ok(Load {
        rps,
        p99_ms,
        requests,
    })
}

/// wrk's "812.00us", "1.23ms" or "2.00s" in milliseconds.
fn duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let value: f64 = text[..split].parse().ok()?;
    match &text[split..] {
        "us" => Some(value / 1000.0),
        "ms" => Some(value),
        "s" => Some(value * 1000.0),
        "m" => Some(value * 60_000.0),
        _ => None,
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn server_vs_baseline(
    release: &Path,
    out: &Path,
    plan: &Plan,
    summary: &mut Summary,
) -> Result<()> {
    let path = format!("/api/v1/device/{DEVICE}");
    let binary = release.join("authapi-server");
    let log = out.join("access.log");
    let server = Server::start(&binary, &["--port", "0"], Some(&log), &path)?;
    let quiet_log = out.join("quiet.log");
    let quiet = Server::start(
        &binary,
        &["--port", "0", "--quiet"],
        Some(&quiet_log),
        &path,
    )?;
    let body_file = out.join("device.json");
    std::fs::write(&body_file, http_body(&server.base_url, &path)?)?;
    let baseline = Server::start(
        &release.join("examples/baseline"),
        &[body_file.to_str().context("path is not UTF-8")?],
        None,
        &path,
    )?;
    // Requests the default server answered, as wrk and the probes counted them, and the wrk
    // runs against it (each may leave up to CONNECTIONS answers wrk did not count).
    let mut answered = server.answered + 1;
    let mut runs = 0;

    let run = |base_url: &str, token: &str| -> Result<Load> {
        wrk(&format!("{base_url}{path}"), token, plan.seconds, None)
    };
    let (mut server_loads, mut quiet_loads, mut base_loads) = (Vec::new(), Vec::new(), Vec::new());
    let (mut server_ratios, mut quiet_ratios, mut unauth_rps) =
        (Vec::new(), Vec::new(), Vec::new());
    // Alternating rounds: server, baseline, quiet server, baseline. Each server run is compared
    // with the baseline run right after it, so that drift in the machine's speed cancels out.
    for _ in 0..plan.rounds {
        let s = run(&server.base_url, TOKEN)?;
        let b1 = run(&baseline.base_url, TOKEN)?;
        let q = run(&quiet.base_url, TOKEN)?;
        let b2 = run(&baseline.base_url, TOKEN)?;
        let u = run(&server.base_url, "not-a-known-token")?;
        answered += s.requests + u.requests;
        runs += 2;
        server_ratios.push(s.rps / b1.rps);
        quiet_ratios.push(q.rps / b2.rps);
        unauth_rps.push(u.rps);
        server_loads.push(s);
        quiet_loads.push(q);
        base_loads.extend([b1, b2]);
    }
    let rps = |loads: &[Load]| median(loads.iter().map(|l| l.rps).collect());
    let p99 = |loads: &[Load]| median(loads.iter().map(|l| l.p99_ms).collect());
    summary.insert("server_rps".into(), rps(&server_loads));
    summary.insert("quiet_rps".into(), rps(&quiet_loads));
    summary.insert("baseline_rps".into(), rps(&base_loads));
    summary.insert(
        "server_vs_baseline_throughput_ratio".into(),
        median(server_ratios),
    );
    summary.insert(
        "quiet_vs_baseline_throughput_ratio".into(),
        median(quiet_ratios),
    );
    let (server_p99, quiet_p99, base_p99) =
        (p99(&server_loads), p99(&quiet_loads), p99(&base_loads));
    summary.insert("server_p99_ms".into(), server_p99);
    summary.insert("quiet_p99_ms".into(), quiet_p99);
    summary.insert("baseline_p99_ms".into(), base_p99);
    summary.insert("server_vs_baseline_p99_ratio".into(), server_p99 / base_p99);
    summary.insert("quiet_vs_baseline_p99_ratio".into(), quiet_p99 / base_p99);
    summary.insert("server_401_rps".into(), median(unauth_rps));
    summary.insert("server_rss_after_load_mib".into(), server.peak_rss_mib()?);

    // Every request answered must have its line once the server has stopped gracefully.
    server.terminate()?;
    let (lines, dropped) = request_lines(&log)?;
    let most = answered + runs * CONNECTIONS.parse::<u64>()?;
    summary.insert("access_log_requests_answered".into(), answered as f64);
    summary.insert("access_log_lines".into(), lines as f64);
    summary.insert(
        "access_log_lines_lost".into(),
        answered.saturating_sub(lines) as f64,
    );
    summary.insert("access_log_dropped_notices".into(), dropped as f64);
    // More lines than answers, even counting every request in flight when wrk stopped.
    summary.insert(
        "access_log_lines_unexplained".into(),
        lines.saturating_sub(most) as f64,
    );
    if lines < answered || lines > most || dropped > 0 {
        eprintln!(
            "bench: WARNING: the access log holds {lines} request lines for {answered}..{most} requests answered, and {dropped} notices of dropped lines ({})",
            log.display()
        );
    }
    // The logs are large (about 100 bytes a request) and have served their purpose.
    let _ = std::fs::remove_file(&log);
    let _ = std::fs::remove_file(&quiet_log);
    Ok(())
}

/// The request lines of an access log in the text format, and its notices of dropped lines.
fn request_lines(log: &Path) -> Result<(u64, u64)> {
    let file =
        std::fs::File::open(log).with_context(|| format!("cannot read {}", log.display()))?;
    let (mut lines, mut dropped) = (0, 0);
    for line in BufReader::new(file).lines() {
        let line = line?;
        if line.contains(" request method=") {
            lines += 1;
        } else if line.contains(" access log: ") && line.contains("dropped") {
            dropped += 1;
        }
    }
    Ok((lines, dropped))
}

fn footprint(release: &Path, out: &Path, summary: &mut Summary) -> Result<()> {
    let path = format!("/api/v1/device/{DEVICE}");
    let mut startups = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..5 {
        let server = Server::start(
            &release.join("authapi-server"),
            &["--port", "0"],
            Some(&out.join("footprint.log")),
            &path,
        )?;
        startups.push(server.startup.as_secs_f64() * 1000.0);
        rss.push(server.peak_rss_mib()?);
    }
    summary.insert("server_startup_ms".into(), median(startups));
    summary.insert("server_rss_mib".into(), median(rss));
    // The server in-process, as other crates' tests start it: the example prints its median.
    let example = release.join("examples/test_server_startup");
    let output = Command::new(&example)
        .output()
        .with_context(|| format!("cannot run {}", example.display()))?;
    let printed = String::from_utf8_lossy(&output.stdout);
    let ms: f64 = printed.trim().parse().map_err(|_| {
        anyhow::anyhow!(
            "{} printed {printed:?}, not a number of milliseconds: {}",
            example.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )
    })?;
    summary.insert("test_server_startup_ms".into(), ms);
    Ok(())
}

/// A valid PFID for device number `n`: fixed prefix, then `n` in Crockford base32.
fn device_id(n: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let mut tail = [b'0'; 16];
    let mut rest = n;
    for slot in tail.iter_mut().rev() {
        *slot = ALPHABET[rest % 32];
        rest /= 32;
    }
    format!("013xrzp12g3nqk8n{}", String::from_utf8_lossy(&tail))
}

/// Writes a data file of `size` devices of one account, and a wrk script that asks for 1000
/// of them at random.
fn write_dataset(out: &Path, size: usize) -> Result<(PathBuf, PathBuf)> {
    let data = out.join(format!("data-{size}.json"));
    let script = out.join(format!("ids-{size}.lua"));
    if !data.exists() {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&data)?);
        write!(
            file,
            r#"{{"tokens":[{{"token":"{TOKEN}","account_id":"{ACCOUNT}"}}],"devices":["#
        )?;
        for n in 0..size {
            let sep = if n == 0 { "" } else { "," };
            write!(
                file,
                r#"{sep}{{"account_id":"{ACCOUNT}","domain_id":"013xrzp12g3nqk8nz2ccx5vt2j6f6hjz","dynamic_client_details":null,"first_seen":null,"id":"{}","last_seen":null,"pool_id":"013xrzp12g3nqk8n6z7f3q8wqgbmh3n9","session_type":"browser","status":"active","title":"Device {n}","type":"device"}}"#,
                device_id(n)
            )?;
        }
        writeln!(file, "]}}")?;
        file.flush()?;
    }
    let step = (size / 1000).max(1);
    let ids: Vec<String> = (0..size)
        .step_by(step)
        .take(1000)
        .map(|n| format!("\"{}\"", device_id(n)))
        .collect();
    std::fs::write(&script, ids_script(&ids))?;
    Ok((data, script))
}

/// The devices of the embedded data that `TOKEN` may read.
const EMBEDDED_DEVICES: [&str; 4] = [
    "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1",
    "013xrzp12g3nqk8n7m2ywq4cgsfhbt0a",
    "013xrzp12g3nqk8nm9s346q3d25vt4f5",
    "013xrzp12g3nqk8nv37e3s3e28jt97kb",
];

/// A wrk script that asks for `ids` at random.
fn ids_script(ids: &[String]) -> String {
    format!(
        "local ids = {{{}}}\nrequest = function()\n  return wrk.format(nil, \"/api/v1/device/\" .. ids[math.random(#ids)])\nend\n",
        ids.join(",")
    )
}

/// The server on its embedded data, and a script asking for its devices at random: what the
/// data sets' throughput is compared with.
struct Embedded {
    server: Server,
    script: PathBuf,
}

fn embedded_load(release: &Path, out: &Path) -> Result<Embedded> {
    let script = out.join("ids-embedded.lua");
    let ids: Vec<String> = EMBEDDED_DEVICES
        .iter()
        .map(|id| format!("\"{id}\""))
        .collect();
    std::fs::write(&script, ids_script(&ids))?;
    let server = Server::start(
        &release.join("authapi-server"),
        &["--port", "0"],
        Some(&out.join("embedded.log")),
        &format!("/api/v1/device/{DEVICE}"),
    )?;
    Ok(Embedded { server, script })
}

fn data_scaling(
    release: &Path,
    out: &Path,
    size: usize,
    plan: &Plan,
    embedded: &Embedded,
    summary: &mut Summary,
) -> Result<()> {
    let (data, script) = write_dataset(out, size)?;
    let probe = format!("/api/v1/device/{}", device_id(size - 1));
    let data_arg = data.to_str().context("path is not UTF-8")?;
    let log = out.join(format!("data-{size}.log"));
    let server = Server::start(
        &release.join("authapi-server"),
        &["--port", "0", "--data", data_arg],
        Some(&log),
        &probe,
    )?;
    let rss = server.peak_rss_mib()?;
    let rss_after_load = server.rss_mib()?;
    let mut rps = Vec::new();
    let mut ratios = Vec::new();
    // Alternating rounds against the server on its embedded data, same load shape.
    for _ in 0..plan.rounds {
        let with_data = wrk(
            &format!("{}/", server.base_url),
            TOKEN,
            plan.seconds,
            Some(&script),
        )?;
        let reference = wrk(
            &format!("{}/", embedded.server.base_url),
            TOKEN,
            plan.seconds,
            Some(&embedded.script),
        )?;
        ratios.push(with_data.rps / reference.rps);
        rps.push(with_data.rps);
    }
    let key = size_key(size);
    summary.insert(
        format!("data_{key}_startup_ms"),
        server.startup.as_secs_f64() * 1000.0,
    );
    summary.insert(format!("data_{key}_rss_mib"), rss);
    summary.insert(format!("data_{key}_rss_after_load_mib"), rss_after_load);
    summary.insert(format!("data_{key}_rps"), median(rps));
    summary.insert(format!("data_{key}_vs_embedded_ratio"), median(ratios));
    summary.insert(
        format!("data_{key}_file_mib"),
        std::fs::metadata(&data)?.len() as f64 / (1024.0 * 1024.0),
    );
    drop(server);
    let _ = std::fs::remove_file(&log);
    Ok(())
}

/// `1k`, `100k`, `1m`: how summary keys name a data set size.
fn size_key(size: usize) -> String {
    match size {
        n if n >= 1_000_000 => format!("{}m", n / 1_000_000),
        n => format!("{}k", n / 1000),
    }
}

/// The real spec with its operations and schemas repeated `copies` times under new names.
fn synthetic_spec(real: &Value, copies: usize) -> Value {
    let mut out = real.clone();
    let mut paths = serde_json::Map::new();
    let mut schemas = serde_json::Map::new();
    for k in 0..copies {
        let prefix = format!("#/components/schemas/C{k}_");
        let rename = |text: &str| text.replace("#/components/schemas/", &prefix);
        let copy: Value = serde_json::from_str(&rename(&real.to_string())).unwrap_or(Value::Null);
        for (path, item) in copy["paths"].as_object().into_iter().flatten() {
            let mut item = item.clone();
            if let Some(ops) = item.as_object_mut() {
                for op in ops.values_mut() {
                    if let Some(id) = op["operationId"].as_str() {
                        op["operationId"] = json!(format!("{id}_{k}"));
                    }
                }
            }
            paths.insert(path.replacen("/api/v1/", &format!("/api/v{k}/"), 1), item);
        }
        for (name, schema) in real["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let renamed: Value =
                serde_json::from_str(&rename(&schema.to_string())).unwrap_or(Value::Null);
            schemas.insert(format!("C{k}_{name}"), renamed);
        }
    }
    out["paths"] = Value::Object(paths);
    out["components"]["schemas"] = Value::Object(schemas);
    let responses = out["components"]["responses"]
        .to_string()
        .replace("#/components/schemas/", "#/components/schemas/C0_");
    out["components"]["responses"] = serde_json::from_str(&responses).unwrap_or(Value::Null);
    out
}

fn codegen_speed(root: &Path, plan: &Plan, summary: &mut Summary) -> Result<()> {
    let text = std::fs::read_to_string(root.join(SPEC_PATH))?;
    let real = spec::parse(SPEC_PATH, text)?;
    let specs = [
        ("codegen_ms", real.json.clone()),
        ("codegen_30ops_ms", synthetic_spec(&real.json, 10)),
        ("codegen_300ops_ms", synthetic_spec(&real.json, 100)),
    ];
    for (key, json) in specs {
        let parsed = spec::parse(SPEC_PATH, serde_json::to_string(&json)?)?;
        let mut times = Vec::new();
        for _ in 0..plan.codegen_runs {
            let started = Instant::now();
            codegen::generate(&parsed, SPEC_PATH)?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        summary.insert(key.into(), median(times));
    }
    Ok(())
}

/// Restores the spec when the edit-loop measurement ends, however it ends.
struct Restore<'a> {
    path: PathBuf,
    text: &'a str,
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        let _ = std::fs::write(&self.path, self.text);
    }
}

fn edit_loop(root: &Path, summary: &mut Summary) -> Result<()> {
    let spec_path = root.join(SPEC_PATH);
    let original = std::fs::read_to_string(&spec_path)?;
    let edited = original.replacen(
        "description: A valid device ID",
        "description: A valid device ID, edited",
        1,
    );
    let cycle = || -> Result<f64> {
        let started = Instant::now();
        ci::cargo(root, &["xtask", "codegen"])?;
        ci::cargo(root, &["build", "--workspace", "--quiet"])?;
        Ok(started.elapsed().as_secs_f64())
    };
    // Warm the build so that only the edit's own cost is timed.
    ci::cargo(root, &["build", "--workspace", "--quiet"])?;
    let seconds = {
        let _restore = Restore {
            path: spec_path.clone(),
            text: &original,
        };
        std::fs::write(&spec_path, &edited)?;
        cycle()?
    };
    // Back to the checked-in generated code.
    ci::cargo(root, &["xtask", "codegen"])?;
    summary.insert("edit_loop_s".into(), seconds);
    Ok(())
}

fn table(s: &Summary, plan: &Plan) -> String {
    let get = |k: &str| s.get(k).copied().unwrap_or(f64::NAN);
    let mut rows = vec![
        "| figure | value | target |".to_string(),
        "| --- | ---: | --- |".to_string(),
    ];
    let mut row = |name: &str, value: String, target: &str| {
        rows.push(format!("| {name} | {value} | {target} |"))
    };
    row(
        "server / baseline throughput, default configuration (access log to a file)",
        format!("{:.2}", get("server_vs_baseline_throughput_ratio")),
        "≥ 0.90",
    );
    row(
        "server / baseline throughput, --quiet",
        format!("{:.2}", get("quiet_vs_baseline_throughput_ratio")),
        "≥ 0.95",
    );
    row(
        "throughput, GET device (rps): server / quiet / baseline",
        format!(
            "{:.0} / {:.0} / {:.0}",
            get("server_rps"),
            get("quiet_rps"),
            get("baseline_rps")
        ),
        "",
    );
    row(
        "p99 latency (ms): server / quiet / baseline",
        format!(
            "{:.2} / {:.2} / {:.2}",
            get("server_p99_ms"),
            get("quiet_p99_ms"),
            get("baseline_p99_ms")
        ),
        "",
    );
    row(
        "p99 / baseline p99: server / quiet",
        format!(
            "{:.2} / {:.2}",
            get("server_vs_baseline_p99_ratio"),
            get("quiet_vs_baseline_p99_ratio")
        ),
        "≤ 1.5",
    );
    row(
        "access log: request lines / requests answered (lost)",
        format!(
            "{:.0} / {:.0} ({:.0})",
            get("access_log_lines"),
            get("access_log_requests_answered"),
            get("access_log_lines_lost")
        ),
        "0 lost",
    );
    row(
        "server throughput, bad token → 401 (rps)",
        format!("{:.0}", get("server_401_rps")),
        "",
    );
    row(
        "server peak RSS, embedded data (MiB)",
        format!("{:.1}", get("server_rss_mib")),
        "≤ 20",
    );
    row(
        "server start to first 200 (ms)",
        format!("{:.1}", get("server_startup_ms")),
        "≤ 100",
    );
    row(
        "TestServer (in-process) start to first 200 (ms)",
        format!("{:.2}", get("test_server_startup_ms")),
        "≤ 10",
    );
    for size in plan.data_sizes {
        let key = size_key(*size);
        let target = if *size == 1_000_000 {
            "≤ 3000 ms, ≤ 1024 MiB, ≥ 0.90"
        } else {
            ""
        };
        row(
            &format!(
                "{size} devices: start (ms) / peak RSS (MiB) / RSS after load (MiB) / rps / rps ÷ embedded data's"
            ),
            format!(
                "{:.0} / {:.1} / {:.1} / {:.0} / {:.2}",
                get(&format!("data_{key}_startup_ms")),
                get(&format!("data_{key}_rss_mib")),
                get(&format!("data_{key}_rss_after_load_mib")),
                get(&format!("data_{key}_rps")),
                get(&format!("data_{key}_vs_embedded_ratio"))
            ),
            target,
        );
    }
    if let ([smallest, ..], [.., largest]) = (plan.data_sizes, plan.data_sizes) {
        row(
            &format!("{largest} devices rps ÷ {smallest} devices rps"),
            format!("{:.2}", get("data_largest_vs_smallest_ratio")),
            "",
        );
    }
    row(
        "memory per loaded record (bytes)",
        format!("{:.0}", get("data_bytes_per_record")),
        "",
    );
    row(
        "codegen, real spec (ms)",
        format!("{:.0}", get("codegen_ms")),
        "≤ 300",
    );
    row(
        "codegen, 30 operations (ms)",
        format!("{:.0}", get("codegen_30ops_ms")),
        "",
    );
    row(
        "codegen, 300 operations (ms)",
        format!("{:.0}", get("codegen_300ops_ms")),
        "linear",
    );
    if s.contains_key("edit_loop_s") {
        row(
            "edit loop: codegen + build (s)",
            format!("{:.1}", get("edit_loop_s")),
            "",
        );
    }
    rows.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_durations_read_in_milliseconds() {
        assert_eq!(duration_ms("812.00us"), Some(0.812));
        assert_eq!(duration_ms("1.50ms"), Some(1.5));
        assert_eq!(duration_ms("2.00s"), Some(2000.0));
        assert_eq!(duration_ms("fast"), None);
    }

    #[test]
    fn generated_device_ids_are_valid_and_distinct() {
        let pattern = |id: &str| {
            id.len() == 32
                && id.starts_with(|c: char| ('0'..='7').contains(&c))
                && id
                    .chars()
                    .all(|c| "0123456789abcdefghjkmnpqrstvwxyz".contains(c))
        };
        for n in [0, 1, 31, 32, 999_999] {
            assert!(pattern(&device_id(n)), "{}", device_id(n));
        }
        assert_ne!(device_id(1), device_id(32));
    }

    #[test]
    fn synthetic_specs_generate_with_every_operation() {
        let root = crate::workspace_root().unwrap();
        let text = std::fs::read_to_string(root.join(SPEC_PATH)).unwrap();
        let real = spec::parse(SPEC_PATH, text).unwrap();
        let ten = synthetic_spec(&real.json, 10);
        assert_eq!(ten["paths"].as_object().unwrap().len(), 30);
        let parsed = spec::parse(SPEC_PATH, serde_json::to_string(&ten).unwrap()).unwrap();
        let outputs = codegen::generate(&parsed, SPEC_PATH).unwrap();
        assert!(outputs[2].contents.contains("fn fetch_device_9("));
    }
}
