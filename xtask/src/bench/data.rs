//! How the server scales with data: generated data sets of up to a million devices, their
//! start-up, memory and lookup throughput, each against the server on its embedded data.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::load::wrk;
use super::plan::{ACCOUNT, DEVICE, Plan, Summary, TOKEN, median};
use crate::util::ServerProcess;

/// Every data set of the plan, each against the server on its embedded data, and the figures
/// derived from them.
pub fn measure(release: &Path, out: &Path, plan: &Plan, summary: &mut Summary) -> Result<()> {
    let embedded = embedded_load(release, out)?;
    for &size in plan.data_sizes {
        eprintln!("bench: {size} devices");
        data_scaling(release, out, size, plan, &embedded, summary)?;
    }
    drop(embedded);
    let _ = std::fs::remove_file(out.join("embedded.log"));
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

/// Starts of the server on each data set, for the medians of its start-up and peak memory.
const STARTS: usize = 3;

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
    server: ServerProcess,
    script: PathBuf,
}

fn embedded_load(release: &Path, out: &Path) -> Result<Embedded> {
    let script = out.join("ids-embedded.lua");
    let ids: Vec<String> = EMBEDDED_DEVICES
        .iter()
        .map(|id| format!("\"{id}\""))
        .collect();
    std::fs::write(&script, ids_script(&ids))?;
    let server = ServerProcess::start(
        &release.join("authapi-server"),
        &["--port", "0"],
        Some(&out.join("embedded.log")),
        Some((&format!("/api/v1/device/{DEVICE}"), TOKEN)),
    )?;
    Ok(Embedded { server, script })
}

/// One data set of `size` devices: its file, start-up, memory before and after load, and
/// throughput in rounds alternating with `embedded`.
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
    let start = || {
        ServerProcess::start(
            &release.join("authapi-server"),
            &["--port", "0", "--data", data_arg],
            Some(&log),
            Some((&probe, TOKEN)),
        )
    };
    // Start-up and peak memory are medians of `STARTS` starts: how long the kernel takes to hand
    // a process its memory varies here by a factor of two between one start and the next.
    // The last server started stays for the throughput rounds.
    let (mut startups, mut peaks, mut last) = (Vec::new(), Vec::new(), None);
    for _ in 0..STARTS {
        // The one before stops first, so that two never hold the set's memory at once.
        drop(last.take());
        let server = start()?;
        startups.push(server.startup.as_secs_f64() * 1000.0);
        peaks.push(server.peak_rss_mib()?);
        last = Some(server);
    }
    let server = last.context("the data set's server never started")?;
    let rss = median(peaks);
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
    summary.insert(format!("data_{key}_startup_ms"), median(startups));
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
pub fn size_key(size: usize) -> String {
    match size {
        n if n >= 1_000_000 => format!("{}m", n / 1_000_000),
        n => format!("{}k", n / 1000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
