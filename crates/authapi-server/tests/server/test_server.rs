//! `TestServer` as another crate's tests use it: started from the embedded data, a data file
//! or records built in code, refused with a message naming a bad record, fast to start, and
//! gone once dropped or stopped.
//!
//! Requests go out as raw HTTP: a dev-dependency on the client would also change the features
//! the benchmark's release build of the binary is made with.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use authapi_server::data::Kind;
use authapi_server::{Data, StartError, TestServer};
use authapi_types::{
    AccountId, AuthflowSummary, DeviceSummary, DeviceSummarySessionType, DeviceSummaryStatus,
    DeviceSummaryType, SessionSummary,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const REFERENCE_DEVICE: &str = "013xrzp12g3nqk8nyvk0xwzcb2gzp8z1";
const ACCOUNT_A: &str = "013xrzp12g3nqk8n505tp6wqnscpdy8q";
const NEW_DEVICE: &str = "013xrzp12g3nqk8nyvk0xwzcb2gzp8z9";

fn device(id: &str, account: &str) -> DeviceSummary {
    DeviceSummary {
        account_id: account.parse().unwrap(),
        domain_id: "013xrzp12g3nqk8nz2ccx5vt2j6f6hjz".parse().unwrap(),
        dynamic_client_details: None,
        first_seen: None,
        id: id.parse().unwrap(),
        last_seen: None,
        pool_id: "013xrzp12g3nqk8n6z7f3q8wqgbmh3n9".parse().unwrap(),
        session_type: DeviceSummarySessionType::Api,
        status: DeviceSummaryStatus::Active,
        title: "Made in a test".into(),
        type_: DeviceSummaryType::Device,
    }
}

/// The title of device `id` as the server at `addr` answers it to `token`, or the error code.
async fn title(addr: SocketAddr, token: &str, id: &str) -> Result<String, String> {
    let (_, json) = get(addr, token, &format!("/api/v1/device/{id}")).await;
    match json["summary"]["title"].as_str() {
        Some(title) => Ok(title.to_string()),
        None => Err(json["code"].as_str().unwrap_or_default().to_string()),
    }
}

fn not_found(result: Result<String, String>) -> bool {
    result.is_err_and(|code| code == "not_found")
}

#[tokio::test]
async fn the_default_data_is_the_embedded_data() {
    let stub = TestServer::start(Data::default()).await.unwrap();
    assert!(
        stub.url().starts_with("http://127.0.0.1:"),
        "{}",
        stub.url()
    );
    assert_eq!(stub.url(), format!("http://{}", stub.addr()));
    let found = title(stub.addr(), "dev-token", REFERENCE_DEVICE).await;
    assert_eq!(found.unwrap(), "Chrome on macOS");
}

#[tokio::test]
async fn records_built_in_code_are_served_alone_or_beside_a_data_set() {
    let account: AccountId = ACCOUNT_A.parse().unwrap();
    let alone = Data::empty()
        .token("mine", &account)
        .device(device(NEW_DEVICE, ACCOUNT_A));
    let stub = TestServer::start(alone).await.unwrap();
    assert_eq!(
        title(stub.addr(), "mine", NEW_DEVICE).await.unwrap(),
        "Made in a test"
    );
    assert!(not_found(
        title(stub.addr(), "mine", REFERENCE_DEVICE).await
    ));

    let beside = Data::embedded()
        .token_for("devices-too", &account, &[Kind::Device])
        .device(device(NEW_DEVICE, ACCOUNT_A));
    let stub = TestServer::start(beside).await.unwrap();
    for token in ["dev-token", "devices-too"] {
        assert_eq!(
            title(stub.addr(), token, NEW_DEVICE).await.unwrap(),
            "Made in a test"
        );
        assert_eq!(
            title(stub.addr(), token, REFERENCE_DEVICE).await.unwrap(),
            "Chrome on macOS"
        );
    }
}

/// The status and JSON body of `GET path` as the server at `addr` answers it to `token`.
async fn get(addr: SocketAddr, token: &str, path: &str) -> (u16, serde_json::Value) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8(answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    (status, serde_json::from_str(body).unwrap())
}

#[tokio::test]
async fn sessions_and_authflows_built_in_code_are_served() {
    let embedded: serde_json::Value =
        serde_norway::from_str(authapi_server::data::DEFAULT_DATA).unwrap();
    let session: SessionSummary = serde_json::from_value(embedded["sessions"][0].clone()).unwrap();
    let authflow: AuthflowSummary =
        serde_json::from_value(embedded["authflows"][0].clone()).unwrap();
    let data = Data::empty()
        .token("sessions", &session.account_id)
        .token("authflows", &authflow.account_id)
        .session(session.clone())
        .authflow(authflow.clone());
    let stub = TestServer::start(data).await.unwrap();
    for (token, kind, id) in [
        ("sessions", "session", session.id.as_str()),
        ("authflows", "authflow", authflow.id.as_str()),
    ] {
        let (status, body) = get(stub.addr(), token, &format!("/api/v1/{kind}/{id}")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["summary"]["id"], id);
    }
}

#[tokio::test]
async fn a_data_file_is_read_as_the_binary_reads_it() {
    let dir = std::env::temp_dir().join(format!("authapi-test-server-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("data.json");
    let data = serde_json::json!({
        "tokens": [{"token": "file-token", "account_id": ACCOUNT_A}],
        "devices": [serde_json::to_value(device(NEW_DEVICE, ACCOUNT_A)).unwrap()],
    });
    std::fs::write(&file, data.to_string()).unwrap();
    let stub = TestServer::start(Data::file(&file)).await.unwrap();
    assert_eq!(
        title(stub.addr(), "file-token", NEW_DEVICE).await.unwrap(),
        "Made in a test"
    );

    // The file plus records added in code.
    let more = Data::file(&file).device(device(REFERENCE_DEVICE, ACCOUNT_A));
    let stub = TestServer::start(more).await.unwrap();
    assert!(
        title(stub.addr(), "file-token", REFERENCE_DEVICE)
            .await
            .is_ok()
    );

    // A YAML file likewise.
    let yaml = dir.join("data.yaml");
    std::fs::write(
        &yaml,
        format!("tokens:\n  - token: yaml-token\n    account_id: {ACCOUNT_A}\n"),
    )
    .unwrap();
    let more = Data::file(&yaml).device(device(NEW_DEVICE, ACCOUNT_A));
    let stub = TestServer::start(more).await.unwrap();
    assert_eq!(
        title(stub.addr(), "yaml-token", NEW_DEVICE).await.unwrap(),
        "Made in a test"
    );

    let missing = dir.join("missing.yaml");
    let err = TestServer::start(Data::file(&missing)).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}: cannot read the file: ", missing.display())),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_bad_record_built_in_code_is_refused_by_name() {
    let duplicate = Data::default().device(device(REFERENCE_DEVICE, ACCOUNT_A));
    let err = TestServer::start(duplicate).await.unwrap_err();
    assert!(matches!(err, StartError::Data(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "embedded default data with records added in code: devices[5] (id {REFERENCE_DEVICE}): id is used by an earlier record too"
        )
    );
    let account: AccountId = ACCOUNT_A.parse().unwrap();
    let err = TestServer::start(Data::empty().token("bad token", &account))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "no data with records added in code: tokens[0].token: must be non-empty visible ASCII without spaces"
    );
}

#[tokio::test]
async fn dropped_or_stopped_the_port_closes() {
    let stub = TestServer::start(Data::default()).await.unwrap();
    let addr = stub.addr();
    drop(stub);
    // The serving task notices the drop the next time the runtime polls it.
    let deadline = Instant::now() + Duration::from_secs(5);
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        assert!(
            Instant::now() < deadline,
            "{addr} still open after the drop"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    let stub = TestServer::start(Data::default()).await.unwrap();
    let addr = stub.addr();
    stub.stop().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_waits_for_the_requests_in_flight() {
    let stub = TestServer::start(Data::default()).await.unwrap();
    let mut stream = tokio::net::TcpStream::connect(stub.addr()).await.unwrap();
    let delay = Duration::from_millis(600);
    let request = format!(
        "GET /api/v1/device/{REFERENCE_DEVICE} HTTP/1.1\r\nHost: test\r\n\
         Authorization: Bearer dev-token\r\nPrefer: delay={}\r\n\r\n",
        delay.as_millis()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let sent = Instant::now();
    // Time for the server to read the request, so that it is in flight when the stop comes.
    tokio::time::sleep(Duration::from_millis(200)).await;

    stub.stop().await;
    // The answer cannot be ready before its delay has passed since the request was sent.
    assert!(
        sent.elapsed() >= delay,
        "stop returned {:?} after the request, before its answer",
        sent.elapsed()
    );
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_string(&mut answer))
        .await
        .expect("the answer did not come")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.contains(REFERENCE_DEVICE), "{answer}");
}

#[tokio::test]
async fn it_starts_in_milliseconds() {
    let mut times = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let stub = TestServer::start(Data::default()).await.unwrap();
        times.push(started.elapsed());
        drop(stub);
    }
    times.sort();
    let median = times[times.len() / 2];
    eprintln!("TestServer::start on the embedded data: median {median:?} of 20");
    // Generous, for a loaded machine and a debug build; a typical start is far below it.
    assert!(
        median < Duration::from_millis(250),
        "median start {median:?}"
    );
}
