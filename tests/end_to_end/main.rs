//! The end-to-end tests of the root package: the stub server in-process on a loopback port,
//! driven through the generated client, its mocks and raw HTTP. One test binary, so that a
//! change to a crate they use relinks one executable rather than one per file.

mod client;
mod error_bodies;
mod guards;
mod hostile;
mod load;
mod mocks;
mod operations;
mod scenarios;
mod spec_examples;
