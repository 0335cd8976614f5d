//! Project automation for the authapi workspace, as a library so that its tests can call the
//! generator in memory.

pub mod bench;
pub mod ci;
pub mod codegen;
pub mod conformance;
pub mod spec;

use std::path::{Path, PathBuf};

/// The workspace root: the parent of this crate's directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
