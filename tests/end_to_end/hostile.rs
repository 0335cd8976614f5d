//! Hostile and malformed requests against the real server: each gets its documented status and
//! JSON error body, and the server answers normally afterwards.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use authapi::*;
use authapi_server::serve::Limits;
use authapi_stubs::SCHEMAS;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const AUTH_A: &[u8] = b"Authorization: Bearer dev-token";

/// Asserts a JSON error answer with `status` and `code`.
fn assert_error(answer: &RawReply, status: u16, code: &str, what: &str) {
    assert_eq!(answer.status, status, "{what}: {answer:?}");
    assert_eq!(
        answer.header("content-type"),
        Some("application/json"),
        "{what}"
    );
    let body = answer.json();
    SCHEMAS
        .check_schema("Error", &body)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(body["code"], code, "{what}: {body}");
}

async fn still_serving(addr: SocketAddr) {
    let answer = raw(addr, &get(&format!("/api/v1/device/{DEVICE}"), &[AUTH_A])).await;
    assert_eq!(
        answer.status, 200,
        "the server stopped answering: {answer:?}"
    );
}

#[tokio::test]
async fn malformed_ids_are_400_invalid_value() {
    let server = start().await;
    let addr = server.addr();
    // The longest id a URI can carry: the HTTP layer takes URIs up to 65,534 bytes.
    let long = "0".repeat(65_534 - "/api/v1/device/".len());
    let cases = [
        ("013xrzp12g3nqk8nyvk0xwzcb2gzp8z", "31 characters"),
        ("013xrzp12g3nqk8nyvk0xwzcb2gzp8z1a", "33 characters"),
        ("013XRZP12G3NQK8NYVK0XWZCB2GZP8Z1", "upper case"),
        ("013xrzp12g3nqk8nyvk0xwzcb2gzp8zi", "letter i"),
        ("013xrzp12g3nqk8nyvk0xwzcb2gzp8zl", "letter l"),
        ("013xrzp12g3nqk8nyvk0xwzcb2gzp8zo", "letter o"),
        ("013xrzp12g3nqk8nyvk0xwzcb2gzp8zu", "letter u"),
        (
            "813xrzp12g3nqk8nyvk0xwzcb2gzp8z1",
            "first character above 7",
        ),
        ("013xrzp12g3nqk8nyvk0xwzcb2gzp8%C3%A9", "non-ASCII"),
        (
            "%E2%80%8B13xrzp12g3nqk8nyvk0xwzcb2gzp8z1",
            "zero-width space",
        ),
        (
            "013xrzp12g3nqk8n%2Fvk0xwzcb2gzp8z1",
            "percent-encoded slash",
        ),
        ("..", "dots"),
        ("%2e%2e", "percent-encoded dots"),
        ("%00", "NUL"),
        (long.as_str(), "nearly 64 KiB"),
    ];
    for (id, what) in cases {
        let answer = raw(addr, &get(&format!("/api/v1/device/{id}"), &[AUTH_A])).await;
        assert_error(&answer, 400, "invalid_value", what);
        let message = answer.json()["message"].as_str().unwrap().to_string();
        assert!(
            message.starts_with("path parameter device_id: "),
            "{what}: {message}"
        );
        assert!(
            message.len() < 400,
            "{what}: the message echoes too much: {} bytes",
            message.len()
        );
    }
    // A longer URI is refused by the HTTP layer itself, with 414 and no body.
    let answer = raw(
        addr,
        &get(
            &format!("/api/v1/device/{}", "0".repeat(64 * 1024)),
            &[AUTH_A],
        ),
    )
    .await;
    assert_eq!(answer.status, 414, "{answer:?}");

    // Not valid UTF-8 once decoded: the path itself is refused, still as JSON.
    let answer = raw(addr, &get("/api/v1/device/%FF%FE", &[AUTH_A])).await;
    assert_error(
        &answer,
        400,
        "invalid_value",
        "percent-encoded invalid UTF-8",
    );
    still_serving(addr).await;
}

#[tokio::test]
async fn paths_without_an_id_are_404() {
    let server = start().await;
    let addr = server.addr();
    for path in [
        "/api/v1/device/",
        "/api/v1/device",
        &format!("/api/v1/device/{DEVICE}/"),
        "/api/v1/device//x",
    ] {
        let answer = raw(addr, &get(path, &[AUTH_A])).await;
        assert_error(&answer, 404, "not_found", path);
    }
    still_serving(addr).await;
}

#[tokio::test]
async fn bad_authorization_headers_are_401() {
    let server = start().await;
    let addr = server.addr();
    let path = format!("/api/v1/device/{DEVICE}");
    let long = [b"Authorization: Bearer ".as_slice(), &[b'a'; 16 * 1024]].concat();
    let cases: [(&[u8], &str, &str); 7] = [
        (b"Authorization:", "bad_authtoken", "empty"),
        (
            b"Authorization: Bearer",
            "bad_authtoken",
            "Bearer without a token",
        ),
        (
            b"Authorization: Bearer ",
            "bad_authtoken",
            "Bearer and a space",
        ),
        (
            b"Authorization: Basic ZGV2LXRva2VuOg==",
            "bad_authtoken",
            "another scheme",
        ),
        (
            b"Authorization: Bearer \xff\xfe\x80",
            "bad_authtoken",
            "non-UTF-8 bytes",
        ),
        (&long, "bad_authtoken", "16 KiB token"),
        (
            b"X-Authorization: Bearer dev-token",
            "not_authenticated",
            "no Authorization header",
        ),
    ];
    for (header, code, what) in cases {
        let answer = raw(addr, &get(&path, &[header])).await;
        assert_error(&answer, 401, code, what);
    }
    still_serving(addr).await;
}

#[tokio::test]
async fn large_heads_bodies_and_other_methods() {
    let server = start().await;
    let addr = server.addr();
    let path = format!("/api/v1/device/{DEVICE}");

    // 32 KiB of headers in all is served.
    let filler: Vec<Vec<u8>> = (0..32)
        .map(|i| format!("X-Filler-{i}: {}", "f".repeat(1000)).into_bytes())
        .collect();
    let mut headers: Vec<&[u8]> = filler.iter().map(Vec::as_slice).collect();
    headers.push(AUTH_A);
    assert_eq!(raw(addr, &get(&path, &headers)).await.status, 200);

    // A head over the limit (128 KiB) is refused by the HTTP layer with 431.
    let huge = format!("X-Huge: {}", "h".repeat(200 * 1024)).into_bytes();
    assert_eq!(raw(addr, &get(&path, &[&huge, AUTH_A])).await.status, 431);

    // A body on a GET is ignored.
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer dev-token\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello there"
    );
    let answer = raw(addr, request.as_bytes()).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["summary"]["id"], DEVICE);

    // HEAD: the GET's status and headers, no body.
    let request = format!(
        "HEAD {path} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer dev-token\r\nConnection: close\r\n\r\n"
    );
    let answer = raw(addr, request.as_bytes()).await;
    assert_eq!(answer.status, 200);
    assert!(answer.body.is_empty());

    // OPTIONS and other methods: 405 with Allow and the JSON error body.
    for method in ["OPTIONS", "POST", "PUT", "DELETE", "PATCH"] {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        let answer = raw(addr, request.as_bytes()).await;
        assert_error(&answer, 405, "bad_request", method);
        assert_eq!(answer.header("allow"), Some("GET,HEAD"), "{method}");
    }
    still_serving(addr).await;
}

#[tokio::test]
async fn garbage_and_half_requests_do_not_hurt_the_server() {
    let server = start().await;
    let addr = server.addr();
    for garbage in [
        &b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"[..],
        b"NOT HTTP AT ALL\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
    ] {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut stream, garbage)
            .await
            .unwrap();
        let mut sink = Vec::new();
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut sink),
        )
        .await
        .expect("the server kept a garbage connection open");
    }
    // A client that opens a connection and says nothing does not block others.
    let _idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    still_serving(addr).await;
}

#[tokio::test]
async fn a_client_that_stalls_in_its_headers_is_cut_off() {
    let limits = Limits {
        header_read_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let server = start_with(limits).await;
    let addr = server.addr();
    let mut stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
    stalled
        .write_all(b"GET /api/v1/device/x HTTP/1.1\r\nHost: t\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stalled.read_to_end(&mut rest)).await;
    assert!(
        read.is_ok(),
        "the stalled connection was still open after 5 s"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "cut off only after {:?}",
        started.elapsed()
    );
    still_serving(addr).await;
}

#[tokio::test]
async fn a_client_that_stalls_in_a_later_head_is_cut_off_on_time() {
    // hyper starts a head's time when it starts waiting for it: at the connection's start,
    // then after each answer. The connection's timer, armed for the first head, must move on
    // to the second head's deadline, neither cutting it off early nor letting it stall on.
    let timeout = Duration::from_millis(400);
    let server = start_with(Limits {
        header_read_timeout: timeout,
        ..Limits::default()
    })
    .await;
    let addr = server.addr();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let connected = Instant::now();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let request = format!("GET /api/v1/device/{DEVICE} HTTP/1.1\r\nHost: t\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = [0u8; 4096];
    let n = stream.read(&mut answer).await.unwrap();
    assert!(
        answer[..n].starts_with(b"HTTP/1.1 401"),
        "{:?}",
        &answer[..n]
    );
    let answered = connected.elapsed();

    stream
        .write_all(b"GET /api/v1/device/x HTTP/1.1\r\nHost: t\r\n")
        .await
        .unwrap();
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest)).await;
    assert!(
        read.is_ok(),
        "the stalled connection was still open after 5 s"
    );
    let closed = connected.elapsed();
    assert!(
        closed >= answered + timeout - Duration::from_millis(20)
            && closed < answered + Duration::from_secs(3),
        "answered after {answered:?}, cut off after {closed:?}"
    );
    still_serving(addr).await;
}

#[tokio::test]
async fn the_header_count_limit_holds() {
    let filler: Vec<Vec<u8>> = (0..98)
        .map(|i| format!("X-Filler-{i}: f").into_bytes())
        .collect();
    let path = format!("/api/v1/device/{DEVICE}");
    // `get` adds Host and Connection: with Authorization, n fillers make n + 3 headers.
    let request = |n: usize| {
        let mut headers: Vec<&[u8]> = filler[..n].iter().map(Vec::as_slice).collect();
        headers.push(AUTH_A);
        get(&path, &headers)
    };
    let server = start().await;
    let addr = server.addr();
    assert_eq!(raw(addr, &request(97)).await.status, 200, "100 headers");
    assert_eq!(raw(addr, &request(98)).await.status, 431, "101 headers");
    let fewer = start_with(Limits {
        max_headers: 10,
        ..Limits::default()
    })
    .await;
    let addr = fewer.addr();
    assert_eq!(raw(addr, &request(7)).await.status, 200, "10 headers");
    assert_eq!(raw(addr, &request(8)).await.status, 431, "11 headers");
    still_serving(addr).await;
}

#[tokio::test]
async fn connections_over_the_limit_wait_for_a_free_slot() {
    let limits = Limits {
        max_connections: 2,
        ..Limits::default()
    };
    let server = start_with(limits).await;
    let addr = server.addr();
    // Two open connections take both slots.
    let first = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _second = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let request = get(&format!("/api/v1/device/{DEVICE}"), &[AUTH_A]);
    let waiting = tokio::spawn(async move { raw(addr, &request).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "a third connection was served while two held every slot"
    );

    drop(first);
    let answer = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the waiting request was not served once a slot was free")
        .unwrap();
    assert_eq!(answer.status, 200);
}
