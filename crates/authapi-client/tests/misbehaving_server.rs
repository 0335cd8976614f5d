//! The client against a server that misbehaves on purpose: every failure is a typed error that
//! says what happened, never a panic or a hang.

use std::time::{Duration, Instant};

use authapi_client::types::DeviceId;
use authapi_client::{ClientBuilder, Error};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TIMEOUT: Duration = Duration::from_millis(500);

/// What the server does with a request for a given device id.
async fn misbehave(id: &str, stream: &mut tokio::net::TcpStream) {
    let reply = |status: &str, content_type: &str, body: &str| {
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let text = match id {
        // 200 whose JSON does not match Device_Response.
        "000000000000000000000000000000a1" => reply("200 OK", "application/json", r#"{"status":"success"}"#),
        // Promises 1000 bytes, sends 10, hangs up.
        "000000000000000000000000000000a2" => {
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"status\":".into()
        }
        "000000000000000000000000000000a3" => reply("200 OK", "text/html", "<html>hello</html>"),
        "000000000000000000000000000000a4" => reply("404 Not Found", "text/plain", "no such thing"),
        "000000000000000000000000000000a5" => reply("503 Service Unavailable", "application/json", r#"{"retry":true}"#),
        "000000000000000000000000000000a6" => reply("418 I'm a teapot", "application/json", "{}"),
        // Hangs up after the status line.
        "000000000000000000000000000000a7" => "HTTP/1.1 200 OK\r\n".into(),
        "000000000000000000000000000000a8" => {
            tokio::time::sleep(TIMEOUT * 4).await;
            reply("200 OK", "application/json", "{}")
        }
        // 404 with JSON that is not the error schema.
        _ => reply("404 Not Found", "application/json", r#"{"error":"nope"}"#),
    };
    let _ = stream.write_all(text.as_bytes()).await;
}

async fn start() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut head = vec![0u8; 4096];
                let n = stream.read(&mut head).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&head[..n]).into_owned();
                let id = head
                    .split_whitespace()
                    .nth(1)
                    .and_then(|p| p.rsplit('/').next())
                    .unwrap_or("");
                misbehave(id, &mut stream).await;
            });
        }
    });
    url
}

async fn fetch(url: &str, id: &str) -> Error {
    let client = ClientBuilder::new(url)
        .bearer("t")
        .timeout(TIMEOUT)
        .build()
        .unwrap();
    let id: DeviceId = id.parse().unwrap();
    let started = Instant::now();
    let result = client.fetch_device(&id).await;
    assert!(
        started.elapsed() < TIMEOUT * 3,
        "the client hung for {:?}",
        started.elapsed()
    );
    result.expect_err("a misbehaving server must not yield a device")
}

#[tokio::test]
async fn a_body_that_breaks_the_schema_is_an_invalid_payload_with_the_body() {
    let url = start().await;
    match fetch(&url, "000000000000000000000000000000a1").await {
        Error::InvalidResponsePayload(body, e) => {
            assert_eq!(&body[..], br#"{"status":"success"}"#);
            assert!(e.to_string().contains("missing field `summary`"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    match fetch(&url, "000000000000000000000000000000a9").await {
        Error::InvalidResponsePayload(body, _) => assert_eq!(&body[..], br#"{"error":"nope"}"#),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_truncated_or_cut_answer_is_a_transport_error() {
    let url = start().await;
    match fetch(&url, "000000000000000000000000000000a2").await {
        Error::ResponseBodyError(e) => assert!(e.is_body() || e.is_decode(), "{e:?}"),
        other => panic!("{other:?}"),
    }
    match fetch(&url, "000000000000000000000000000000a7").await {
        Error::CommunicationError(e) => assert!(e.is_request(), "{e:?}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_answer_that_is_not_json_names_its_status_and_type() {
    let url = start().await;
    let error = fetch(&url, "000000000000000000000000000000a3").await;
    assert_eq!(
        error.to_string(),
        r#"Error: HTTP 200 OK: the answer is "text/html", not application/json"#
    );
    let error = fetch(&url, "000000000000000000000000000000a4").await;
    assert!(error.to_string().contains("HTTP 404 Not Found"), "{error}");
}

#[tokio::test]
async fn statuses_the_spec_does_not_list_keep_their_response() {
    let url = start().await;
    for (id, status) in [
        ("000000000000000000000000000000a5", 503),
        ("000000000000000000000000000000a6", 418),
    ] {
        match fetch(&url, id).await {
            Error::UnexpectedResponse(response) => {
                assert_eq!(response.status().as_u16(), status);
                assert!(!response.text().await.unwrap().is_empty());
            }
            other => panic!("{id}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_slow_server_times_out() {
    let url = start().await;
    match fetch(&url, "000000000000000000000000000000a8").await {
        Error::CommunicationError(e) => assert!(e.is_timeout(), "{e:?}"),
        other => panic!("{other:?}"),
    }
}
