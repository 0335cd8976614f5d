//! The built `authapi` binary as a user runs it, against the stub server in-process: answers
//! on stdout, error answers on stderr with exit code 1, an unreachable server named in one
//! line, bad usage with exit code 2, and the token never shown.

use std::process::{Command, Output};

use authapi_server::{Data, TestServer};

const BIN: &str = env!("CARGO_BIN_EXE_authapi");
const DEVICE: &str = "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1";
const MISSING_DEVICE: &str = "013xrzp12g3nqk8nyvk0xwzcb2gzp8z2";
const TOKEN: &str = "dev-token";

/// Runs the binary with `args`, away from the async runtime that serves the stub, and with
/// none of its environment variables inherited.
async fn authapi(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_remove("AUTHAPI_URL")
        .env_remove("AUTHAPI_TOKEN");
    for (key, value) in env {
        command.env(key, value);
    }
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `json` without the whitespace between its tokens.
fn without_layout(json: &[u8]) -> Vec<u8> {
    let (mut out, mut in_string, mut escaped) = (Vec::new(), false, false);
    for &b in json {
        if in_string {
            out.push(b);
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if !b.is_ascii_whitespace() {
            in_string = b == b'"';
            out.push(b);
        }
    }
    out
}

/// The body the server sends for `path`, as curl would get it.
async fn raw_body(server: &TestServer, path: &str) -> Vec<u8> {
    let answer = reqwest::Client::new()
        .get(format!("{}{path}", server.url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    answer.bytes().await.unwrap().to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_is_printed_as_jq_prints_the_body() {
    let server = TestServer::start(Data::default()).await.unwrap();
    let url = server.url();
    let out = authapi(
        &[
            "--base-url",
            &url,
            "--token",
            TOKEN,
            "fetch-device",
            "--device-id",
            DEVICE,
        ],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let body = raw_body(&server, &format!("/api/v1/device/{DEVICE}")).await;
    // The same bytes as the server sent, laid out with two spaces as jq does.
    assert_eq!(text(&without_layout(&out.stdout)), text(&body));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("{\n  \"status\": \"success\",\n  \"summary\": {\n    \"account_id\": "),
        "{stdout}"
    );
    assert!(stdout.contains("\n      \"at\": 1234567890,\n"), "{stdout}");
    assert!(stdout.ends_with("\n  }\n}\n"), "{stdout}");
    if let Ok(jq) = std::process::Command::new("jq")
        .arg(".")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    {
        let mut jq = jq;
        use std::io::Write;
        jq.stdin.take().unwrap().write_all(&body).unwrap();
        let shown = jq.wait_with_output().unwrap();
        assert_eq!(stdout, text(&shown.stdout), "jq shows the body otherwise");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_gives_the_url_and_the_token() {
    let server = TestServer::start(Data::default()).await.unwrap();
    let out = authapi(
        &[
            "fetch-authflow",
            "--authflow-id",
            "013xrzp12g3nqk8nqprv12gz6v99a2v4",
        ],
        &[("AUTHAPI_URL", &server.url()), ("AUTHAPI_TOKEN", TOKEN)],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["id"], "013xrzp12g3nqk8nqprv12gz6v99a2v4");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_id_prints_the_not_found_body_on_stderr_and_exits_1() {
    let server = TestServer::start(Data::default()).await.unwrap();
    let url = server.url();
    let out = authapi(
        &[
            "--base-url",
            &url,
            "--token",
            TOKEN,
            "fetch-device",
            "--device-id",
            MISSING_DEVICE,
        ],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    let (first, body) = stderr.split_once('\n').unwrap();
    assert_eq!(first, "error: the server answered 404 Not Found");
    // The body ends its own line, and the message has no blank line after it.
    assert!(
        stderr.ends_with("}\n") && !stderr.ends_with("\n\n"),
        "{stderr:?}"
    );
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["status"], "error");
    assert_eq!(body["code"], "not_found");
    assert!(
        body["message"].as_str().unwrap().contains(MISSING_DEVICE),
        "{body}"
    );
    assert!(!stderr.contains(TOKEN), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_server_is_one_line_naming_the_url_and_exit_1() {
    let server = TestServer::start(Data::default()).await.unwrap();
    let url = server.url();
    server.stop().await;
    let out = authapi(
        &[
            "--base-url",
            &url,
            "--token",
            TOKEN,
            "fetch-device",
            "--device-id",
            DEVICE,
        ],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error: cannot reach {url}/api/v1/device/{DEVICE}: "
        )),
        "{stderr}"
    );
    assert!(
        stderr.to_lowercase().contains("connection refused"),
        "{stderr}"
    );
}

#[tokio::test]
async fn bad_usage_exits_2() {
    for args in [
        &["fetch-device", "--device-id", "not-a-pfid"][..],
        &["fetch-device"],
        &["fetch-device", "--device-id", DEVICE, "--colour", "blue"],
        &["no-such-command"],
        &[],
        &[
            "--base-url",
            "not a url",
            "fetch-device",
            "--device-id",
            DEVICE,
        ],
    ] {
        let out = authapi(args, &[]).await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let out = authapi(&["fetch-device", "--device-id", "not-a-pfid"], &[]).await;
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("invalid value 'not-a-pfid' for '--device-id <DEVICE_ID>'"),
        "{stderr}"
    );
}

#[tokio::test]
async fn help_on_every_level_shows_the_spec_summaries_and_never_the_token() {
    let secret = [("AUTHAPI_TOKEN", "s3cret-token-value")];
    let out = authapi(&["--help"], &secret).await;
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for line in [
        "fetch-device    Fetch device",
        "fetch-session   Fetch session",
        "fetch-authflow  Fetch authflow",
        "--base-url <URL>",
        "--token <TOKEN>",
    ] {
        assert!(help.contains(line), "{line:?} missing from:\n{help}");
    }
    for command in ["fetch-device", "fetch-session", "fetch-authflow"] {
        for flag in ["--help", "-h"] {
            let out = authapi(&[command, flag], &secret).await;
            assert_eq!(out.status.code(), Some(0), "{command} {flag}");
            let help = text(&out.stdout);
            let kind = command.trim_start_matches("fetch-");
            assert!(
                help.starts_with(&format!("Fetch {kind}\n")),
                "{command} {flag}:\n{help}"
            );
            assert!(help.contains(&format!("--{kind}-id <")), "{help}");
            assert!(!help.contains("s3cret"), "{help}");
        }
    }
}
