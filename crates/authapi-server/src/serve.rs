//! Serves the app over HTTP/1.1 with limits, so that a slow, broken or hostile client cannot
//! exhaust the server, records each request in the access log, and stops gracefully.

use std::cell::RefCell;
use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::future::RouteFuture;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::access_log::{AccessLog, Entry};

/// hyper's own limit on the number of headers. Asking hyper for any number, even this one,
/// makes it fill an array of that many header slots for every request (about 1 700 of the
/// 23 000 instructions the server spends on a request), so the number is only passed on when it
/// differs.
const HYPER_MAX_HEADERS: usize = 100;

/// What one client may take of the server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Bytes of a request's line and headers together; more is answered 431.
    pub max_head_bytes: usize,
    /// Number of headers of a request; more is answered 431.
    pub max_headers: usize,
    /// Time a client has to send a request's headers, counted from when the server starts
    /// waiting for them: the connection's start, then the end of each answer.
    pub header_read_timeout: Duration,
    /// Time in-flight requests get to finish after a stop is asked for.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            max_head_bytes: 128 * 1024,
            max_headers: 100,
            header_read_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    serve_inner(listener, app, limits, None, shutdown).await;
}

/// Like [`serve`], recording one line per request answered in `access_log`.
pub async fn serve_with_access_log(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    access_log: AccessLog,
    shutdown: impl Future<Output = ()>,
) {
    serve_inner(listener, app, limits, Some(access_log), shutdown).await;
}

async fn serve_inner(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    access_log: Option<AccessLog>,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = http1::Builder::new();
    http.max_buf_size(limits.max_head_bytes)
        .header_read_timeout(limits.header_read_timeout);
    // An answer is a head and a body of about a kilobyte. Queued as two buffers, hyper writes
    // them with a vectored write; copying the body after the head and writing once costs the
    // kernel less: 4 to 7% more answers per second on this machine.
    http.writev(false);
    if limits.max_headers != HYPER_MAX_HEADERS {
        http.max_headers(limits.max_headers);
    }
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);

    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            () = &mut shutdown => break,
        };
        let Ok(slot) = slot else { break };
        let stream = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let stream = match stream {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tracing::warn!(error = %e, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        // Each connection gets its own header-read timer (see `HeadTimer`).
        let mut http = http.clone();
        http.timer(HeadTimer::default());
        let service = App {
            app: RefCell::new(app.clone()),
            access_log: access_log.clone().map(Arc::new),
        };
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away mid-request is routine, not an error of the server.
            let _ = connection.await;
            drop(slot);
        });
    }

    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections were still busy when the shutdown grace period ended");
    }
}

/// The app as hyper calls it, with the access log around it: one per connection, so that
/// a request touches no reference count that other connections' requests write too.
struct App {
    app: RefCell<Router>,
    access_log: Option<Arc<AccessLog>>,
}

impl hyper::service::Service<Request<Incoming>> for App {
    type Response = Response;
    type Error = Infallible;
    type Future = Logged;

    fn call(&self, request: Request<Incoming>) -> Logged {
        let entry = self
            .access_log
            .as_ref()
            .map(|log| AccessLog::begin(log, request.method(), request.uri()));
        // A router is always ready (its `poll_ready` returns at once), so it is called
        // straight away, without the readiness dance of a general tower service. Its `call`
        // only reads it; the cell stands in for the `&mut` that `Service::call` asks for.
        let inner = tower_service::Service::call(&mut *self.app.borrow_mut(), request);
        Logged { inner, entry }
    }
}

/// A request being answered; its access log line is recorded when the answer is ready.
struct Logged {
    inner: RouteFuture<Infallible>,
    entry: Option<Entry>,
}

impl Future for Logged {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        // The generated handlers guard themselves; this guards the routes around them (the
        // admin API, the served spec), so that no panic closes a connection without an answer.
        let answer =
            std::panic::catch_unwind(AssertUnwindSafe(|| Pin::new(&mut this.inner).poll(cx)))
                .unwrap_or_else(|_| {
                    Poll::Ready(Ok(authapi_stubs::runtime::panicked().into_response()))
                });
        let answer = ready!(answer);
        if let (Some(entry), Ok(response)) = (this.entry.take(), &answer) {
            entry.finish(response.status());
        }
        Poll::Ready(answer)
    }
}

/// The header-read timer of one connection. hyper asks for a new timer before every request
/// head and drops it after; with tokio's timer each of those registers an entry in the
/// runtime's timer wheel and removes it again, under the wheel's lock. Here the connection
/// keeps one tokio timer, and a request's deadline only moves a number: the tokio timer is
/// re-armed when it fires before the latest deadline, at most once per timeout period. The
/// limit is the same, and so is the moment a slow client is cut off.
#[derive(Clone, Default)]
struct HeadTimer {
    alarm: Arc<Mutex<Alarm>>,
}

struct Alarm {
    /// The connection's tokio timer, made on first use.
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    /// When `sleep` fires.
    armed_for: Instant,
}

impl Default for Alarm {
    fn default() -> Self {
        Self {
            sleep: None,
            armed_for: Instant::now(),
        }
    }
}

impl hyper::rt::Timer for HeadTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HeadSleep {
            deadline,
            alarm: self.alarm.clone(),
        })
    }
}

/// One request head's deadline.
struct HeadSleep {
    deadline: Instant,
    alarm: Arc<Mutex<Alarm>>,
}

impl hyper::rt::Sleep for HeadSleep {}

impl Future for HeadSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let deadline = self.deadline;
        // Only this connection's task polls its alarm, so the lock is never contended.
        let mut alarm = self.alarm.lock().unwrap_or_else(PoisonError::into_inner);
        let alarm = &mut *alarm;
        let fresh = alarm.sleep.is_none();
        let sleep = alarm
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline.into())));
        if fresh {
            alarm.armed_for = deadline;
        } else if alarm.armed_for > deadline {
            sleep.as_mut().reset(deadline.into());
            alarm.armed_for = deadline;
        }
        loop {
            ready!(sleep.as_mut().poll(cx));
            // It fired: at this deadline (time is up), or at an earlier one (move it on).
            if alarm.armed_for >= deadline {
                return Poll::Ready(());
            }
            sleep.as_mut().reset(deadline.into());
            alarm.armed_for = deadline;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// The raw answer to `GET path` on a connection of its own.
    async fn get_raw(addr: std::net::SocketAddr, path: &str) -> String {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    }

    async fn boom() -> &'static str {
        panic!("deliberate failure in a route")
    }

    #[tokio::test]
    async fn a_route_that_panics_is_answered_500_unexpected_and_serving_goes_on() {
        let app = Router::new()
            .route("/boom", get(boom))
            .route("/fine", get(|| async { "fine" }));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(serve(listener, app, Limits::default(), async move {
            let _ = stopped.await;
        }));

        let answer = get_raw(addr, "/boom").await;
        assert!(answer.starts_with("HTTP/1.1 500"), "{answer}");
        assert!(answer.contains(r#""code":"unexpected""#), "{answer}");
        assert!(
            !answer.contains("deliberate"),
            "the panic's text leaked: {answer}"
        );
        let answer = get_raw(addr, "/fine").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("fine"), "{answer}");

        stop.send(()).unwrap();
        serving.await.unwrap();
    }

    #[tokio::test]
    async fn a_head_timer_sleeps_for_its_duration() {
        let timer = HeadTimer::default();
        let started = Instant::now();
        hyper::rt::Timer::sleep(&timer, Duration::from_millis(150)).await;
        assert!(started.elapsed() >= Duration::from_millis(150));
    }

    #[tokio::test]
    async fn a_head_timer_armed_for_later_fires_at_an_earlier_deadline() {
        let timer = HeadTimer::default();
        let now = Instant::now();
        // Armed for a deadline far off, by a head that was polled once and dropped.
        let far = hyper::rt::Timer::sleep_until(&timer, now + Duration::from_secs(30));
        let waker = std::task::Waker::noop();
        let mut far = far;
        assert!(
            far.as_mut()
                .poll(&mut Context::from_waker(waker))
                .is_pending()
        );
        drop(far);
        // A head with an earlier deadline must not wait for the far one.
        let near = hyper::rt::Timer::sleep_until(&timer, now + Duration::from_millis(100));
        tokio::time::timeout(Duration::from_secs(5), near)
            .await
            .expect("the earlier deadline waited for the later one");
        assert!(now.elapsed() >= Duration::from_millis(100));
    }
}
