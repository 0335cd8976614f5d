//! The stub server under load as users run it (access log on), beside the `--quiet` server
//! and a bare axum baseline measured in the same run; whether its access log holds a line for
//! every request answered; its footprint; and the wrk runs every throughput figure comes from.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::plan::{DEVICE, Plan, Summary, TOKEN, median};
use crate::util::ServerProcess;

const CONNECTIONS: &str = "64";
const THREADS: &str = "2";

/// Installs wrk from Debian when it is missing: the bench cannot run without it.
pub fn ensure_wrk() -> Result<()> {
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
pub struct Load {
    pub rps: f64,
    pub p99_ms: f64,
    pub requests: u64,
}

/// One wrk run of `seconds` against `url` with a bearer `token`, asking for the paths
/// `script` picks when given. With the valid token, any non-2xx answer fails it.
pub fn wrk(url: &str, token: &str, seconds: u32, script: Option<&Path>) -> Result<Load> {
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

/// The default server, the `--quiet` server and the baseline in alternating rounds; then the
/// default server's access log, after a graceful stop, against the requests it answered.
pub fn server_vs_baseline(
    release: &Path,
    out: &Path,
    plan: &Plan,
    summary: &mut Summary,
) -> Result<()> {
    let path = format!("/api/v1/device/{DEVICE}");
    let binary = release.join("authapi-server");
    let log = out.join("access.log");
    let server = ServerProcess::start(&binary, &["--port", "0"], Some(&log), Some((&path, TOKEN)))?;
    let quiet_log = out.join("quiet.log");
    let quiet = ServerProcess::start(
        &binary,
        &["--port", "0", "--quiet"],
        Some(&quiet_log),
        Some((&path, TOKEN)),
    )?;
    let body_file = out.join("device.json");
    std::fs::write(&body_file, http_body(&server.base_url, &path)?)?;
    let baseline = ServerProcess::start(
        &release.join("examples/baseline"),
        &[body_file.to_str().context("path is not UTF-8")?],
        None,
        Some((&path, TOKEN)),
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

/// Start-up to the first 200 and peak memory on the embedded data, medians of 5 starts, and
/// the start-up of the server in-process (`TestServer`).
pub fn footprint(release: &Path, out: &Path, summary: &mut Summary) -> Result<()> {
    let path = format!("/api/v1/device/{DEVICE}");
    let mut startups = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..5 {
        let server = ServerProcess::start(
            &release.join("authapi-server"),
            &["--port", "0"],
            Some(&out.join("footprint.log")),
            Some((&path, TOKEN)),
        )?;
        startups.push(server.startup.as_secs_f64() * 1000.0);
        rss.push(server.peak_rss_mib()?);
    }
    let _ = std::fs::remove_file(out.join("footprint.log"));
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

/// Fails when the access log lost, dropped or could not explain a request line; run after the
/// figures are written, so that they are kept either way.
pub fn check_access_log(summary: &Summary) -> Result<()> {
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
}
