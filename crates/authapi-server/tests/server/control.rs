//! The binary's run-time control as a test suite uses it: live data (`--watch`, SIGHUP), the
//! admin API (`--admin-token`) and browsers (`--cors`).

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use authapi_server::data::DEFAULT_DATA;

use crate::common::{Running, read_answer};

const DEVICE: &str = "/api/v1/device/013xrzp12g3nqk8nyvk0xwzcb2gzp8z1";
const ACCOUNT_A: &str = "013xrzp12g3nqk8n505tp6wqnscpdy8q";
const ACCOUNT_B: &str = "013xrzp12g3nqk8n6cyr5x0k8yb10h59";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("authapi-control-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn start(args: &[&str], log: &Path) -> (Running, String) {
    crate::common::start(args, Some("info"), log)
}

/// An answer: status, head (lower-cased header names) and body.
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

fn send(addr: &str, method: &str, path: &str, headers: &[&str], body: &str) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    Answer {
        status: head.split_whitespace().nth(1).unwrap().parse().unwrap(),
        head: head.to_string(),
        body: body.to_string(),
    }
}

fn device(addr: &str, token: &str) -> Answer {
    send(
        addr,
        "GET",
        DEVICE,
        &[&format!("Authorization: Bearer {token}")],
        "",
    )
}

/// Asks until `done` holds for the device's answer, for at most five seconds.
fn until(addr: &str, done: impl Fn(&Answer) -> bool) -> Answer {
    let start = Instant::now();
    loop {
        let answer = device(addr, "dev-token");
        if done(&answer) || start.elapsed() > Duration::from_secs(5) {
            return answer;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn account_of(answer: &Answer) -> String {
    answer.json()["summary"]["account_id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// GETs on one kept-alive connection until `stop`; each answer's status and account.
fn load(addr: String, stop: Arc<AtomicBool>) -> Vec<(u16, String)> {
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.set_nodelay(true).unwrap();
    let request =
        format!("GET {DEVICE} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer dev-token\r\n\r\n");
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut answers = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        stream.write_all(request.as_bytes()).unwrap();
        let (status, body) = read_answer(&mut reader);
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let account = body["summary"]["account_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        answers.push((status, account));
    }
    answers
}

/// The default data with every record and token of account A moved to account B: a request
/// that read its token from one version and its record from the other would get 404.
fn moved_to_b() -> String {
    DEFAULT_DATA.replace(ACCOUNT_A, ACCOUNT_B)
}

#[test]
fn watched_data_changes_the_next_answer_and_a_bad_file_keeps_the_old_data() {
    let dir = temp_dir("watch");
    let file = dir.join("data.yaml");
    std::fs::write(&file, DEFAULT_DATA).unwrap();
    let log = dir.join("server.log");
    let (_server, addr) = start(&["--data", file.to_str().unwrap(), "--watch", "-q"], &log);
    assert_eq!(account_of(&device(&addr, "dev-token")), ACCOUNT_A);

    // Rewrites under load: every answer is whole, from the old data or the new.
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (addr, stop) = (addr.clone(), Arc::clone(&stop));
            std::thread::spawn(move || load(addr, stop))
        })
        .collect();
    for i in 0..8 {
        std::thread::sleep(Duration::from_millis(300));
        let text = if i % 2 == 0 {
            moved_to_b()
        } else {
            DEFAULT_DATA.to_string()
        };
        std::fs::write(&file, text).unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let answers: Vec<(u16, String)> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert!(answers.len() > 100, "only {} answers", answers.len());
    let seen_b = answers
        .iter()
        .filter(|(_, account)| account == ACCOUNT_B)
        .count();
    for (status, account) in &answers {
        assert_eq!(*status, 200);
        assert!(account == ACCOUNT_A || account == ACCOUNT_B, "{account}");
    }
    assert!(seen_b > 0, "no answer came from the rewritten data");

    // The last version written is the one served, with no restart.
    std::fs::write(&file, moved_to_b()).unwrap();
    assert_eq!(
        account_of(&until(&addr, |a| account_of(a) == ACCOUNT_B)),
        ACCOUNT_B
    );

    // A broken file is logged, naming file, record and field; the data stays.
    let broken = moved_to_b().replacen("session_type: browser", "session_type: desktop", 1);
    assert_ne!(broken, moved_to_b());
    std::fs::write(&file, broken).unwrap();
    let start = Instant::now();
    let logged = loop {
        let text = std::fs::read_to_string(&log).unwrap();
        if text.contains("kept the data it had") || start.elapsed() > Duration::from_secs(5) {
            break text;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let expected = format!("{}: devices[0] (id ", file.display());
    assert!(
        logged.contains(&expected) && logged.contains("session_type: unknown variant `desktop`"),
        "{logged}"
    );
    assert_eq!(account_of(&device(&addr, "dev-token")), ACCOUNT_B);
}

#[test]
fn sighup_reloads_the_data_file() {
    let dir = temp_dir("hup");
    let file = dir.join("data.yaml");
    std::fs::write(&file, DEFAULT_DATA).unwrap();
    let (server, addr) = start(
        &["--data", file.to_str().unwrap(), "-q"],
        &dir.join("server.log"),
    );
    std::fs::write(&file, moved_to_b()).unwrap();
    std::thread::sleep(Duration::from_millis(400));
    // Without --watch, a change alone is not read.
    assert_eq!(account_of(&device(&addr, "dev-token")), ACCOUNT_A);
    let hup = Command::new("kill")
        .args(["-HUP", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    assert_eq!(
        account_of(&until(&addr, |a| account_of(a) == ACCOUNT_B)),
        ACCOUNT_B
    );
}

#[test]
fn the_admin_api_journals_replaces_and_resets_for_its_token_only() {
    let dir = temp_dir("admin");
    let (_server, addr) = start(
        &["--admin-token", "admin-secret", "-q"],
        &dir.join("server.log"),
    );
    let admin = "Authorization: Bearer admin-secret";

    for (headers, status, code) in [
        (vec![], 401, "not_authenticated"),
        (
            vec!["Authorization: Bearer dev-token-all"],
            401,
            "bad_authtoken",
        ),
        (
            vec!["Authorization: Bearer admin-secretx"],
            401,
            "bad_authtoken",
        ),
        // Credentials of another scheme are credentials, and not the admin token.
        (
            vec!["Authorization: Basic YWRtaW46YWRtaW4tc2VjcmV0"],
            401,
            "bad_authtoken",
        ),
    ] {
        let refused = send(&addr, "GET", "/__admin/requests", &headers, "");
        assert_eq!(
            (refused.status, refused.json()["code"].as_str()),
            (status, Some(code))
        );
        let challenge = match code {
            "bad_authtoken" => r#"Bearer realm="authapi admin", error="invalid_token""#,
            _ => r#"Bearer realm="authapi admin""#,
        };
        assert_eq!(refused.header("www-authenticate"), Some(challenge));
    }
    let refused = send(
        &addr,
        "POST",
        "/__admin/reset",
        &["Authorization: Bearer dev-token"],
        "",
    );
    assert_eq!(refused.status, 401);

    // The journal: API requests, newest last, with their scenario; never a token.
    assert_eq!(device(&addr, "dev-token").status, 200);
    let asked = send(
        &addr,
        "GET",
        DEVICE,
        &["Authorization: Bearer dev-token", "Prefer: code=404"],
        "",
    );
    assert_eq!(asked.status, 404);
    let journal = send(&addr, "GET", "/__admin/requests", &[admin], "");
    assert_eq!(journal.status, 200);
    assert!(!journal.body.contains("dev-token") && !journal.body.contains("admin-secret"));
    let requests = journal.json()["requests"].as_array().unwrap().clone();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[0]["method"], "GET");
    assert_eq!(requests[0]["path"], DEVICE);
    assert_eq!(requests[0]["status"], 200);
    assert_eq!(requests[0]["scenario"], serde_json::Value::Null);
    assert_eq!(requests[1]["status"], 404);
    assert_eq!(requests[1]["scenario"], "code=404");
    assert!(requests[1]["time"].as_str().unwrap().ends_with('Z'));
    let last = send(&addr, "GET", "/__admin/requests?limit=1", &[admin], "");
    assert_eq!(last.json()["requests"].as_array().unwrap().len(), 1);

    // A bad data set names record and field, and changes nothing.
    let bad = DEFAULT_DATA.replacen("session_type: browser", "session_type: desktop", 1);
    let refused = send(
        &addr,
        "PUT",
        "/__admin/data",
        &[admin, "Content-Type: application/yaml"],
        &bad,
    );
    assert_eq!(refused.status, 400);
    let message = refused.json()["message"].as_str().unwrap().to_string();
    assert!(
        message.starts_with("PUT /__admin/data: devices[0] (id "),
        "{message}"
    );
    assert!(
        message.contains("session_type: unknown variant `desktop`"),
        "{message}"
    );
    assert_eq!(account_of(&device(&addr, "dev-token")), ACCOUNT_A);

    let replaced = send(&addr, "PUT", "/__admin/data", &[admin], &moved_to_b());
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(
        replaced.json()["serving"],
        "5 devices, 4 sessions, 2 authflows and 4 tokens"
    );
    assert_eq!(account_of(&device(&addr, "dev-token")), ACCOUNT_B);

    let reset = send(&addr, "POST", "/__admin/reset", &[admin], "");
    assert_eq!(reset.status, 200);
    assert_eq!(account_of(&device(&addr, "dev-token")), ACCOUNT_A);
    let journal = send(&addr, "GET", "/__admin/requests", &[admin], "");
    assert_eq!(
        journal.json()["requests"].as_array().unwrap().len(),
        1,
        "{}",
        journal.body
    );

    // The admin routes are not part of the API's spec.
    let spec = send(&addr, "GET", "/openapi.json", &[], "");
    assert!(!spec.body.contains("__admin"));
}

#[test]
fn without_an_admin_token_there_is_no_admin_api() {
    let dir = temp_dir("no-admin");
    let (_server, addr) = start(&["-q"], &dir.join("server.log"));
    let answer = send(
        &addr,
        "GET",
        "/__admin/requests",
        &["Authorization: Bearer dev-token"],
        "",
    );
    assert_eq!(answer.status, 404);
}

#[test]
fn browsers_of_a_listed_origin_may_call() {
    let dir = temp_dir("cors");
    let (_server, addr) = start(
        &["--cors", "http://localhost:3000", "-q"],
        &dir.join("server.log"),
    );
    let preflight = send(
        &addr,
        "OPTIONS",
        DEVICE,
        &[
            "Origin: http://localhost:3000",
            "Access-Control-Request-Method: GET",
            "Access-Control-Request-Headers: authorization, prefer",
        ],
        "",
    );
    assert_eq!(preflight.status, 200);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    assert_eq!(
        preflight.header("access-control-allow-methods"),
        Some("GET")
    );
    assert_eq!(
        preflight.header("access-control-allow-headers"),
        Some("authorization, prefer")
    );

    let answer = send(
        &addr,
        "GET",
        DEVICE,
        &[
            "Origin: http://localhost:3000",
            "Authorization: Bearer dev-token",
        ],
        "",
    );
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    let refused = send(&addr, "GET", DEVICE, &["Origin: http://localhost:3000"], "");
    assert_eq!(refused.status, 401);
    assert_eq!(
        refused.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    assert_eq!(refused.header("access-control-expose-headers"), Some("*"));

    let other = send(
        &addr,
        "GET",
        DEVICE,
        &[
            "Origin: http://evil.example",
            "Authorization: Bearer dev-token",
        ],
        "",
    );
    assert_eq!(other.header("access-control-allow-origin"), None);
}

#[test]
fn strict_mode_ignores_what_requests_ask_for() {
    let dir = temp_dir("strict");
    let (_server, addr) = start(&["--no-scenarios", "-q"], &dir.join("server.log"));
    let answer = send(
        &addr,
        "GET",
        DEVICE,
        &["Authorization: Bearer dev-token", "Prefer: code=404"],
        "",
    );
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("preference-applied"), None);
    assert_eq!(account_of(&answer), ACCOUNT_A);
}

#[test]
fn a_star_lets_every_origin_call() {
    let dir = temp_dir("cors-any");
    let (_server, addr) = start(&["--cors", "*", "-q"], &dir.join("server.log"));
    let answer = send(
        &addr,
        "GET",
        DEVICE,
        &[
            "Origin: http://anywhere.example",
            "Authorization: Bearer dev-token",
        ],
        "",
    );
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
}
