//! The Markdown table `cargo xtask bench` prints (and BENCHMARKS.md quotes): one list of rows,
//! each naming its figures by their summary.json keys, so that adding a figure is one line.

use super::data::size_key;
use super::plan::{Plan, Summary};

/// One row of the table. In `format`, each `{N}` is the next figure of `keys`, written with N
/// decimals.
struct Row {
    label: String,
    format: &'static str,
    keys: Vec<String>,
    target: &'static str,
}

fn row(label: impl Into<String>, format: &'static str, keys: &[&str], target: &'static str) -> Row {
    Row {
        label: label.into(),
        format,
        keys: keys.iter().map(|k| k.to_string()).collect(),
        target,
    }
}

/// The rows of a run of `plan`, in the order the table shows them.
fn rows(plan: &Plan) -> Vec<Row> {
    let mut rows = vec![
        row(
            "server / baseline throughput, default configuration (access log to a file)",
            "{2}",
            &["server_vs_baseline_throughput_ratio"],
            "≥ 0.90",
        ),
        row(
            "server / baseline throughput, --quiet",
            "{2}",
            &["quiet_vs_baseline_throughput_ratio"],
            "≥ 0.95",
        ),
        row(
            "throughput, GET device (rps): server / quiet / baseline",
            "{0} / {0} / {0}",
            &["server_rps", "quiet_rps", "baseline_rps"],
            "",
        ),
        row(
            "p99 latency (ms): server / quiet / baseline",
            "{2} / {2} / {2}",
            &["server_p99_ms", "quiet_p99_ms", "baseline_p99_ms"],
            "",
        ),
        row(
            "p99 / baseline p99: server / quiet",
            "{2} / {2}",
            &[
                "server_vs_baseline_p99_ratio",
                "quiet_vs_baseline_p99_ratio",
            ],
            "≤ 1.5",
        ),
        row(
            "access log: request lines / requests answered (lost)",
            "{0} / {0} ({0})",
            &[
                "access_log_lines",
                "access_log_requests_answered",
                "access_log_lines_lost",
            ],
            "0 lost",
        ),
        row(
            "server throughput, bad token → 401 (rps)",
            "{0}",
            &["server_401_rps"],
            "",
        ),
        row(
            "server peak RSS, embedded data (MiB)",
            "{1}",
            &["server_rss_mib"],
            "≤ 20",
        ),
        row(
            "server start to first 200 (ms)",
            "{1}",
            &["server_startup_ms"],
            "≤ 100",
        ),
        row(
            "TestServer (in-process) start to first 200 (ms)",
            "{2}",
            &["test_server_startup_ms"],
            "≤ 10",
        ),
    ];
    for &size in plan.data_sizes {
        let key = size_key(size);
        let keys = [
            "startup_ms",
            "rss_mib",
            "rss_after_load_mib",
            "rps",
            "vs_embedded_ratio",
        ]
        .map(|figure| format!("data_{key}_{figure}"));
        rows.push(Row {
            label: format!(
                "{size} devices: start (ms) / peak RSS (MiB) / RSS after load (MiB) / rps / rps ÷ embedded data's"
            ),
            format: "{0} / {1} / {1} / {0} / {2}",
            keys: keys.to_vec(),
            target: if size == 1_000_000 {
                "≤ 3000 ms, ≤ 1024 MiB, ≥ 0.90"
            } else {
                ""
            },
        });
    }
    if let ([smallest, ..], [.., largest]) = (plan.data_sizes, plan.data_sizes) {
        rows.push(row(
            format!("{largest} devices rps ÷ {smallest} devices rps"),
            "{2}",
            &["data_largest_vs_smallest_ratio"],
            "",
        ));
    }
    rows.extend([
        row(
            "memory per loaded record (bytes)",
            "{0}",
            &["data_bytes_per_record"],
            "",
        ),
        row("codegen, real spec (ms)", "{0}", &["codegen_ms"], "≤ 300"),
        row(
            "codegen, 30 operations (ms)",
            "{0}",
            &["codegen_30ops_ms"],
            "",
        ),
        row(
            "codegen, 300 operations (ms)",
            "{0}",
            &["codegen_300ops_ms"],
            "linear",
        ),
        row(
            "codegen, 300 operations, no format cache (ms)",
            "{0}",
            &["codegen_300ops_cold_ms"],
            "",
        ),
        row(
            "edit loop: codegen + build (s)",
            "{1}",
            &["edit_loop_s"],
            "",
        ),
    ]);
    rows
}

/// The table of `summary`, a run of `plan`. A row none of whose figures the run measured (the
/// edit loop of a quick run) is left out; a single missing figure shows as NaN.
pub fn table(summary: &Summary, plan: &Plan) -> String {
    let mut lines = vec![
        "| figure | value | target |".to_string(),
        "| --- | ---: | --- |".to_string(),
    ];
    for row in rows(plan) {
        if !row.keys.iter().any(|k| summary.contains_key(k)) {
            continue;
        }
        let figures = row
            .keys
            .iter()
            .map(|k| summary.get(k).copied().unwrap_or(f64::NAN));
        lines.push(format!(
            "| {} | {} | {} |",
            row.label,
            render(row.format, figures),
            row.target
        ));
    }
    lines.join("\n")
}

/// `format` with each `{N}` replaced by the next of `figures` written with N decimals.
fn render(format: &str, mut figures: impl Iterator<Item = f64>) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some((decimals, tail)) = after
            .split_once('}')
            .and_then(|(n, tail)| Some((n.parse::<usize>().ok()?, tail)))
        else {
            // Not a placeholder: keep the brace as text.
            out.push('{');
            rest = after;
            continue;
        };
        let figure = figures.next().unwrap_or(f64::NAN);
        out.push_str(&format!("{figure:.decimals$}"));
        rest = tail;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::plan::{FULL, QUICK};

    #[test]
    fn every_row_has_a_figure_for_each_placeholder() {
        for plan in [FULL, QUICK] {
            for row in rows(&plan) {
                let placeholders = render(row.format, std::iter::empty())
                    .matches("NaN")
                    .count();
                assert_eq!(placeholders, row.keys.len(), "{}", row.label);
            }
        }
    }

    #[test]
    fn figures_are_written_with_the_decimals_of_their_placeholder() {
        let figures = [5019629.4, 5019097.0, 0.0].into_iter();
        assert_eq!(render("{0} / {0} ({0})", figures), "5019629 / 5019097 (0)");
        assert_eq!(render("{2} / {1}", [0.899, 6.66].into_iter()), "0.90 / 6.7");
    }

    #[test]
    fn rows_the_run_did_not_measure_are_left_out() {
        let summary: Summary = [("codegen_ms", 53.2), ("server_rps", 99315.4)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let table = table(&summary, &QUICK);
        assert!(
            table.contains("| codegen, real spec (ms) | 53 | ≤ 300 |"),
            "{table}"
        );
        assert!(
            table.contains(
                "| throughput, GET device (rps): server / quiet / baseline | 99315 / NaN / NaN |  |"
            ),
            "{table}"
        );
        assert!(!table.contains("edit loop"), "{table}");
        assert_eq!(table.lines().count(), 4, "{table}");
    }
}
