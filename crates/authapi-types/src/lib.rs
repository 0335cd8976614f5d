//! Model types of the authapi API.
// Formatted by the generator, not by rustfmt, so that output is byte-stable.
#[rustfmt::skip]
#[allow(clippy::all)]
mod generated;
pub use generated::*;
