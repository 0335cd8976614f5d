//! The `authapi-server` binary as a user runs it: start-up line, bad data files, a taken port.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{BIN, Running, read_answer};

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

/// Runs the binary with `args`, expecting it to stop by itself (as it does on a usage or data
/// error): its exit code and stderr. One still serving after a bound is killed and reported
/// as exit code -1, so that a server that wrongly accepts its arguments fails the test instead
/// of hanging it.
fn run_to_end(args: &[&str]) -> (i32, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("AUTHAPI_TOKENS")
        .env_remove("AUTHAPI_DATA")
        .env_remove("AUTHAPI_LISTEN")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code().unwrap_or(-1);
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            break -1;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
    (code, stderr)
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
        .stderr(Stdio::null())
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
        first.contains("5 devices, 4 sessions, 2 authflows and 5 tokens"),
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
    // It never served, so it does not say it stopped.
    assert!(!stderr.contains("authapi-server stopped"), "{stderr}");
}

#[test]
fn a_bad_token_argument_is_a_usage_error() {
    let (code, stderr) = run_to_end(&["--token", "no-account-here"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("expected TOKEN:ACCOUNT_ID"), "{stderr}");
}

#[test]
fn bad_tokens_and_origins_are_usage_errors_that_say_what_is_expected() {
    let token_rule = "the token must be non-empty visible ASCII without spaces";
    let admin_rule = "the admin token must be non-empty visible ASCII without spaces";
    let not_origin = "is not an origin; expected scheme://host[:port]";
    for (args, expected) in [
        (&["--token", ":acc_1"][..], token_rule),
        (&["--token", "a b:acc_1"], token_rule),
        (
            &["--token", "tok:not an id"],
            "account id \"not an id\" is not valid",
        ),
        (&["--admin-token", ""], admin_rule),
        (&["--admin-token", "a\tb"], admin_rule),
        (&["--cors", "localhost:3000"], not_origin),
        (&["--cors", "://localhost"], not_origin),
        (&["--cors", "http://"], not_origin),
        (&["--cors", "http://localhost:3000/"], not_origin),
        (&["--cors", "http://a\u{1}b"], "cannot be sent in a header"),
    ] {
        let (code, stderr) = run_to_end(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

/// Starts the binary with `args`, its stderr (where the log goes) in `log`; returns it and
/// the address it listens on.
fn start_logging_to(args: &[&str], log: &std::path::Path) -> (Running, String) {
    crate::common::start(args, None, log)
}

/// Sends `count` GETs of `path` on one kept-alive connection and returns their statuses.
fn keep_alive_gets(addr: &str, path: &str, token: &str, count: usize) -> Vec<u16> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // One write per request and no Nagle delay, or each request waits for a delayed ACK.
    stream.set_nodelay(true).unwrap();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\r\n");
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut statuses = Vec::new();
    for _ in 0..count {
        stream.write_all(request.as_bytes()).unwrap();
        statuses.push(read_answer(&mut reader).0);
    }
    statuses
}

/// SIGTERM, then the exit status must be success.
fn stop(mut server: Running) {
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

fn temp_log(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("authapi-cli-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn after_a_graceful_stop_the_access_log_holds_exactly_one_line_per_request() {
    let log = temp_log("exact.log");
    let (server, addr) = start_logging_to(&[], &log);
    const SECRET: &str = "a-secret-token-that-must-not-be-logged";
    // 8 connections at once, 4 different answers, 4000 requests in all.
    let cases: [(&str, &str, u16); 4] = [
        (
            "/api/v1/device/013xrzp12g3nqk8nyvk0xwzcb2gzp8z1",
            "dev-token",
            200,
        ),
        (
            "/api/v1/device/013xrzp12g3nqk8nyvk0xwzcb2gzp8z1",
            SECRET,
            401,
        ),
        ("/api/v1/device/not-a-device-id", "dev-token", 400),
        ("/api/v1/nothing/here", "dev-token", 404),
    ];
    let per_connection = 500;
    let threads: Vec<_> = (0..8)
        .map(|n| {
            let addr = addr.clone();
            let (path, token, status) = cases[n % cases.len()];
            std::thread::spawn(move || {
                let statuses = keep_alive_gets(&addr, path, token, per_connection);
                assert!(
                    statuses.iter().all(|&s| s == status),
                    "{path}: {statuses:?}"
                );
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    stop(server);

    let text = std::fs::read_to_string(&log).unwrap();
    let requests: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" request method="))
        .collect();
    assert_eq!(requests.len(), 8 * per_connection);
    for (path, _, status) in cases {
        let expected = format!(" request method=GET path={path} status={status} latency_us=");
        let count = requests.iter().filter(|l| l.contains(&expected)).count();
        assert_eq!(count, 2 * per_connection, "{expected}");
    }
    assert!(!text.contains(SECRET) && !text.contains("dev-token"));
    assert!(!text.contains("dropped"), "{text}");
    // The server's last word comes after the last request line.
    let last = text.lines().last().unwrap_or_default();
    assert!(last.ends_with("authapi-server stopped"), "{last}");
    let _ = std::fs::remove_file(&log);
}

#[test]
fn json_log_lines_have_stable_field_names() {
    let log = temp_log("json.log");
    let (server, addr) = start_logging_to(&["--log-format", "json"], &log);
    let statuses = keep_alive_gets(&addr, "/api/v1/device/x%22y", "dev-token", 3);
    assert_eq!(statuses, [400, 400, 400]);
    stop(server);

    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let requests: Vec<_> = lines.iter().filter(|l| l["msg"] == "request").collect();
    assert_eq!(requests.len(), 3, "{text}");
    for line in requests {
        let keys: Vec<&str> = line
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 6, "{line}");
        for key in ["ts", "msg", "method", "path", "status", "latency_us"] {
            assert!(keys.contains(&key), "{key} in {line}");
        }
        assert_eq!(line["method"], "GET");
        assert_eq!(line["path"], "/api/v1/device/x%22y");
        assert_eq!(line["status"], 400);
        assert!(line["latency_us"].is_u64());
    }
    let stopped = lines.last().unwrap();
    assert_eq!(stopped["msg"], "authapi-server stopped", "{stopped}");
    assert_eq!(stopped["level"], "INFO");
    let _ = std::fs::remove_file(&log);
}

#[test]
fn quiet_writes_no_access_log() {
    let log = temp_log("quiet.log");
    let (server, addr) = start_logging_to(&["--quiet"], &log);
    let statuses = keep_alive_gets(
        &addr,
        "/api/v1/device/013xrzp12g3nqk8nyvk0xwzcb2gzp8z1",
        "dev-token",
        2,
    );
    assert_eq!(statuses, [200, 200]);
    stop(server);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("request"), "{text}");
    assert!(text.contains("authapi-server stopped"), "{text}");
    let _ = std::fs::remove_file(&log);
}

#[test]
fn a_stderr_nobody_reads_holds_up_neither_requests_nor_the_stop() {
    let child = Command::new(BIN)
        .args(["--port", "0"])
        .env_remove("RUST_LOG")
        .env_remove("AUTHAPI_QUIET")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Running(child);
    // Kept open and never read: once the pipe's buffer is full, writes to it wait.
    let _stderr = server.0.stderr.take().unwrap();
    let addr = &crate::common::listening_on(&mut server);

    // About 130 bytes of log a request: four times what a pipe holds.
    let started = std::time::Instant::now();
    let statuses = keep_alive_gets(
        addr,
        "/api/v1/device/013xrzp12g3nqk8nyvk0xwzcb2gzp8z1",
        "dev-token",
        2000,
    );
    assert!(statuses.iter().all(|&s| s == 200));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );

    let pid = server.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let stopping = std::time::Instant::now();
    let status = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            stopping.elapsed() < Duration::from_secs(30),
            "still running 30 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
}

/// The schema `--print-data-schema` prints, compiled.
fn data_schema() -> jsonschema::Validator {
    let out = Command::new(BIN)
        .arg("--print-data-schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn yaml(text: &str) -> serde_json::Value {
    serde_norway::from_str(text).unwrap()
}

#[test]
fn the_printed_data_schema_takes_the_data_files_and_refuses_mistakes() {
    let schema = data_schema();
    let default = yaml(authapi_server::data::DEFAULT_DATA);
    let errors: Vec<String> = schema
        .iter_errors(&default)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "default.yaml: {errors:?}");
    let grants = yaml(
        "tokens:\n  - {token: a, accounts: all}\n  - {token: b, accounts: [013xrzp12g3nqk8n505tp6wqnscpdy8q], kinds: [session]}\n",
    );
    assert!(schema.is_valid(&grants));
    for (mistake, text) in [
        ("unknown list", "device: []\n"),
        (
            "unknown kind",
            "tokens: [{token: a, account_id: x, kinds: [devices]}]\n",
        ),
        (
            "accounts neither a list nor all",
            "tokens: [{token: a, accounts: some}]\n",
        ),
        ("a record without its fields", "devices: [{id: x}]\n"),
    ] {
        assert!(!schema.is_valid(&yaml(text)), "{mistake} passed: {text}");
    }
}

/// The request the start-up message offers to try, for the data of `data` (a JSON data file)
/// and the extra `args`: the server, its address and the offered command.
fn offered_request(name: &str, data: &str, args: &[&str]) -> (Running, String, String) {
    let dir = std::env::temp_dir().join(format!("authapi-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("data.json");
    std::fs::write(&file, data).unwrap();
    let child = Command::new(BIN)
        .args(["--port", "0", "-q", "--data", file.to_str().unwrap()])
        .args(args)
        .env_remove("AUTHAPI_TOKENS")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Running(child);
    let (addr, offered) = crate::common::listening_on_and(&mut server, |lines| {
        let mut offered = String::new();
        lines.read_line(&mut offered).unwrap();
        offered
    });
    std::fs::remove_dir_all(&dir).unwrap();
    let offered = offered
        .trim_end()
        .strip_prefix("try: ")
        .unwrap_or_else(|| panic!("no `try:` line: {offered:?}"))
        .to_string();
    (server, addr, offered)
}

const ACCOUNT_A: &str = "013xrzp12g3nqk8n505tp6wqnscpdy8q";
const ACCOUNT_B: &str = "013xrzp12g3nqk8n6cyr5x0k8yb10h59";
const DEVICE_OF_A: &str = r#"{"account_id": "013xrzp12g3nqk8n505tp6wqnscpdy8q",
    "domain_id": "013xrzp12g3nqk8nz2ccx5vt2j6f6hjz", "dynamic_client_details": null,
    "first_seen": null, "id": "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1", "last_seen": null,
    "pool_id": "013xrzp12g3nqk8n6z7f3q8wqgbmh3n9", "session_type": "browser",
    "status": "active", "title": "t", "type": "device"}"#;

#[test]
fn the_request_offered_at_start_uses_a_token_that_reads_its_record() {
    // The first token reads devices, but of another account: the offer skips it.
    let data = format!(
        r#"{{"tokens": [{{"token": "reads-b", "account_id": "{ACCOUNT_B}"}},
            {{"token": "reads-a", "account_id": "{ACCOUNT_A}"}}],
           "devices": [{DEVICE_OF_A}]}}"#
    );
    let (_server, addr, offered) = offered_request("offer", &data, &[]);
    let path = "/api/v1/device/013xrzp12g3nqk8nyvk0xwzcb2gzp8z1";
    assert_eq!(
        offered,
        format!("curl -H 'Authorization: Bearer reads-a' http://{addr}{path}")
    );
    let answer = http_get(&addr, path, "reads-a");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");

    // A token given with --token counts too.
    let data = format!(r#"{{"devices": [{DEVICE_OF_A}]}}"#);
    let token = format!("cli-token:{ACCOUNT_A}");
    let (_server, addr, offered) = offered_request("offer-cli", &data, &["--token", &token]);
    assert_eq!(
        offered,
        format!("curl -H 'Authorization: Bearer cli-token' http://{addr}{path}")
    );

    // With no token that reads a record, the offer is the spec, which needs none.
    let data = format!(
        r#"{{"tokens": [{{"token": "reads-b", "account_id": "{ACCOUNT_B}"}}],
           "devices": [{DEVICE_OF_A}]}}"#
    );
    let (_server, addr, offered) = offered_request("offer-none", &data, &[]);
    assert_eq!(offered, format!("curl http://{addr}/openapi.json"));
}
