//! Model types of the authapi API.
#[allow(clippy::all)]
mod generated;
pub use generated::*;
