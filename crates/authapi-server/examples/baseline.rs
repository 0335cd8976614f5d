//! The benchmark's baseline: a minimal axum server that answers every device request with the
//! same precomputed JSON bytes, with no auth, validation or store. `cargo xtask bench` compares
//! the stub server against it.
//!
//! cargo run --release -p authapi-server --example baseline -- BODY_FILE

use axum::Router;
use axum::http::header;
use axum::routing::get;

#[tokio::main]
async fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: baseline BODY_FILE");
        std::process::exit(2);
    };
    let body: &'static [u8] = match std::fs::read(&path) {
        Ok(bytes) => bytes.leak(),
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            std::process::exit(2);
        }
    };
    let app = Router::new().route(
        "/api/v1/device/{device_id}",
        get(move || async move { ([(header::CONTENT_TYPE, "application/json")], body) }),
    );
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen: {e}");
            std::process::exit(1);
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    println!("baseline listening on http://{addr}");
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
