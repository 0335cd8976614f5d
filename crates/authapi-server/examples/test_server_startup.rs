//! The start-up time of `TestServer` on the embedded data, from the call to the first 200 on a
//! fresh connection, as the median of many starts; `cargo xtask bench` reports it beside the
//! binary's. Prints the median in milliseconds.

use std::time::Instant;

use authapi_server::{Data, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const STARTS: usize = 50;
const REQUEST: &[u8] = b"GET /api/v1/device/013xrzp12g3nqk8nyvk0xwzcb2gzp8z1 HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer dev-token\r\nConnection: close\r\n\r\n";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut times = Vec::with_capacity(STARTS);
    for _ in 0..STARTS {
        let started = Instant::now();
        let stub = TestServer::start(Data::default()).await?;
        let mut stream = tokio::net::TcpStream::connect(stub.addr()).await?;
        stream.write_all(REQUEST).await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        let elapsed = started.elapsed();
        if !answer.starts_with(b"HTTP/1.1 200 ") {
            return Err(format!(
                "the first answer was not 200: {}",
                String::from_utf8_lossy(&answer)
            )
            .into());
        }
        times.push(elapsed.as_secs_f64() * 1000.0);
        stub.stop().await;
    }
    times.sort_by(f64::total_cmp);
    println!("{:.3}", times[times.len() / 2]);
    Ok(())
}
