//! Load without loss: 64 connections send 20 000 mixed requests, valid and invalid, and every
//! single answer is the right one. Bounded in count and time; loopback only.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use authapi::*;

const CONNECTIONS: usize = 64;
const REQUESTS: usize = 20_000;
const DEADLINE: Duration = Duration::from_secs(120);

/// (path, token, expected status, expected code or id in the body): for every operation of
/// the spec, each example and each way to get it wrong, then the account and permission
/// checks.
fn mix() -> Vec<(String, &'static str, u16, String)> {
    let mut mix = Vec::new();
    for op in operations() {
        for example in &op.examples {
            mix.push((op.path(&example.id), TOKEN_ALL, 200, example.id.clone()));
        }
        let known = op.path(&op.examples[0].id);
        mix.extend([
            (known, "wrong-token", 401, "bad_authtoken".into()),
            (op.path("not-an-id"), TOKEN_ALL, 400, "invalid_value".into()),
            (
                op.path(&op.unknown_id()),
                TOKEN_ALL,
                404,
                "not_found".into(),
            ),
        ]);
    }
    let session = format!("/api/v1/session/{SESSION}");
    mix.extend([
        (session.clone(), TOKEN_B, 200, SESSION.into()),
        (session.clone(), TOKEN_A, 404, "not_found".into()),
        (session, TOKEN_DEVICES_ONLY, 403, "not_permitted".into()),
    ]);
    mix
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_under_load_is_right() {
    let server = start().await;
    let url = server.url();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    let mix = Arc::new(mix());
    let started = Instant::now();

    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (http, url, next, mix) = (http.clone(), url.clone(), next.clone(), mix.clone());
            tokio::spawn(async move {
                let mut wrong = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= REQUESTS {
                        return wrong;
                    }
                    let (path, token, status, marker) = &mix[n % mix.len()];
                    let status = *status;
                    let answer = http.get(format!("{url}{path}")).bearer_auth(token).send().await;
                    let outcome = match answer {
                        Err(e) => Err(format!("request {n} {path}: {e}")),
                        Ok(answer) => {
                            let got = answer.status().as_u16();
                            let body = answer.text().await.unwrap_or_default();
                            if got == status && body.contains(&format!("\"{marker}\"")) {
                                Ok(())
                            } else {
                                Err(format!("request {n} {path}: expected {status} {marker}, got {got} {body}"))
                            }
                        }
                    };
                    if let Err(e) = outcome {
                        wrong.push(e);
                    }
                }
            })
        })
        .collect();

    let all = tokio::time::timeout(DEADLINE, futures_join(workers))
        .await
        .expect("the load test ran past its deadline");
    let wrong: Vec<String> = all.into_iter().flatten().collect();
    let elapsed = started.elapsed();
    eprintln!(
        "{REQUESTS} requests on {CONNECTIONS} connections in {:.2}s ({:.0} per second), {} wrong",
        elapsed.as_secs_f64(),
        REQUESTS as f64 / elapsed.as_secs_f64(),
        wrong.len()
    );
    assert!(
        wrong.is_empty(),
        "{} wrong answers, first: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(5)]
    );
}

async fn futures_join(handles: Vec<tokio::task::JoinHandle<Vec<String>>>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.expect("a load worker panicked"));
    }
    out
}
