//! What a bench run measures and for how long, the figures it collects, and the records every
//! measurement asks for: shared by the measurements so that none of them depends on another.

use std::collections::BTreeMap;

/// The reference device of the embedded data, readable with `TOKEN`.
pub const DEVICE: &str = "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1";
/// The embedded data's token for account `ACCOUNT`, also given to the generated data sets.
pub const TOKEN: &str = "dev-token";
pub const ACCOUNT: &str = "013xrzp12g3nqk8n505tp6wqnscpdy8q";

/// How long and how often each measurement runs.
pub struct Plan {
    pub rounds: usize,
    pub seconds: u32,
    pub data_sizes: &'static [usize],
    pub codegen_runs: usize,
    pub edit_loop: bool,
}

pub const FULL: Plan = Plan {
    rounds: 5,
    seconds: 5,
    data_sizes: &[1_000, 100_000, 1_000_000],
    codegen_runs: 5,
    edit_loop: true,
};

pub const QUICK: Plan = Plan {
    rounds: 2,
    seconds: 2,
    data_sizes: &[1_000, 100_000],
    codegen_runs: 2,
    edit_loop: false,
};

/// The figures, by the flat keys of summary.json.
pub type Summary = BTreeMap<String, f64>;

/// The median of `values`; NaN for none, so that a figure never measured shows as such.
pub fn median(mut values: Vec<f64>) -> f64 {
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
