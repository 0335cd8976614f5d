//! The `authapi-server` binary as a user runs it: start-up line, bad data files, a taken port.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_authapi-server");

/// Kills the server when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn http_get(addr: &str, path: &str, token: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

fn run_to_end(args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("AUTHAPI_TOKENS")
        .env_remove("AUTHAPI_DATA")
        .env_remove("AUTHAPI_LISTEN")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn starts_on_a_free_port_and_serves_the_reference_device() {
    let child = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--token",
            "extra-token:013xrzp12g3nqk8n505tp6wqnscpdy8q",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Running(child);
    let mut stdout = BufReader::new(server.0.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(
        first.starts_with("authapi-server listening on http://127.0.0.1:"),
        "{first}"
    );
    assert!(
        first.contains("5 devices, 4 sessions, 2 authflows and 4 tokens"),
        "{first}"
    );
    let addr = first
        .split("http://")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();

    let answer = http_get(
        addr,
        "/api/v1/device/013xrzp12g3nqk8nyvk0xwzcb2gzp8z1",
        "extra-token",
    );
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(
        answer.contains(r#""id":"013xrzp12g3nqk8nyvk0xwzcb2gzp8z1""#),
        "{answer}"
    );

    // Closing the server's stdout must not stop it.
    drop(stdout);
    let answer = http_get(
        addr,
        "/api/v1/device/013xrzp12g3nqk8nyvk0xwzcb2gzp8z1",
        "extra-token",
    );
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");

    // SIGTERM is a graceful stop with exit code 0.
    let pid = server.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = server.0.wait().unwrap();
    assert!(status.success(), "{status}");
}

#[test]
fn a_bad_data_file_stops_the_server_naming_file_record_and_field() {
    let dir = std::env::temp_dir().join(format!("authapi-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.json");
    let record = r#"{"devices": [{"account_id": "013xrzp12g3nqk8n505tp6wqnscpdy8q",
        "domain_id": "013xrzp12g3nqk8nz2ccx5vt2j6f6hjz", "dynamic_client_details": null,
        "first_seen": null, "id": "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1", "last_seen": null,
        "pool_id": "013xrzp12g3nqk8n6z7f3q8wqgbmh3n9", "session_type": "desktop",
        "status": "active", "title": "t", "type": "device"}]}"#;
    std::fs::write(&file, record).unwrap();

    let (code, stderr) = run_to_end(&["--data", file.to_str().unwrap(), "--port", "0"]);
    assert_eq!(code, 2, "{stderr}");
    let expected = format!(
        "error: {}: devices[0] (id 013xrzp12g3nqk8nyvk0xwzcb2gzp8z1): session_type: unknown variant `desktop`",
        file.display()
    );
    assert!(stderr.starts_with(&expected), "{stderr}");

    let (code, stderr) = run_to_end(&["--data", dir.join("missing.yaml").to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("missing.yaml: cannot read the file"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, stderr) = run_to_end(&["--listen", &addr]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("error: cannot listen on {addr}: ")),
        "{stderr}"
    );
    assert!(stderr.contains("--listen or --port"), "{stderr}");
}

#[test]
fn a_bad_token_argument_is_a_usage_error() {
    let (code, stderr) = run_to_end(&["--token", "no-account-here"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("expected TOKEN:ACCOUNT_ID"), "{stderr}");
}
