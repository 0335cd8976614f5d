//! The server's own tests: the `authapi-server` binary as a user runs it (`cli`, `control`)
//! and `TestServer` in-process (`test_server`). One test binary, so that a change to the
//! server or the stubs runtime relinks one executable rather than one per file.

mod cli;
mod common;
mod control;
mod test_server;
