//! What the tests of the built binary share: starting it on a free port, killing it when the
//! test ends, and reading answers off a kept-alive connection.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_authapi-server");

/// Kills the server when the test ends, however it ends.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary on a free port with `args` and `RUST_LOG` (unset when `None`), its
/// stderr (where the log goes) in `log`; returns it and the address it listens on.
pub fn start(args: &[&str], rust_log: Option<&str>, log: &std::path::Path) -> (Running, String) {
    let mut command = Command::new(BIN);
    command
        .args(["--port", "0"])
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("AUTHAPI_TOKENS")
        .env_remove("AUTHAPI_DATA")
        .env_remove("AUTHAPI_LISTEN")
        .env_remove("AUTHAPI_LOG_FORMAT")
        .env_remove("AUTHAPI_QUIET")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap());
    if let Some(filter) = rust_log {
        command.env("RUST_LOG", filter);
    }
    let mut server = Running(command.spawn().unwrap());
    let addr = listening_on(&mut server);
    (server, addr)
}

/// The address the server says it listens on, from the first line of its stdout.
pub fn listening_on(server: &mut Running) -> String {
    listening_on_and(server, |_| ()).0
}

/// The address the server says it listens on, and what `then` reads of its stdout after it.
pub fn listening_on_and<T>(
    server: &mut Running,
    then: impl FnOnce(&mut BufReader<ChildStdout>) -> T,
) -> (String, T) {
    let mut lines = BufReader::new(server.0.stdout.take().unwrap());
    let mut first = String::new();
    lines.read_line(&mut first).unwrap();
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    (addr, then(&mut lines))
}

/// Reads one answer off a kept-alive connection: its status and body.
pub fn read_answer(reader: &mut BufReader<TcpStream>) -> (u16, Vec<u8>) {
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        if header == "\r\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (status, body)
}
