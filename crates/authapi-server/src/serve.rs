//! Serves the app over HTTP/1.1 with limits, so that a slow, broken or hostile client cannot
//! exhaust the server, records each request in the access log, and stops gracefully.

use std::cell::RefCell;
use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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
use tokio::task::JoinHandle;

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
    /// waiting for them: the connection's start, then each answer's being ready (a client slow
    /// to read an answer spends its time too). A connection past it is closed.
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
    // The header-read limit is kept beside each connection, not by hyper (see `HeadWatch`).
    http.max_buf_size(limits.max_head_bytes)
        .header_read_timeout(None);
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
        let watch = Arc::new(HeadWatch::new());
        let service = App {
            app: RefCell::new(app.clone()),
            access_log: access_log.clone().map(Arc::new),
            watch: watch.clone(),
        };
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        let connection = tokio::spawn(async move {
            // A client that goes away mid-request is routine, not an error of the server.
            let _ = connection.await;
            drop(slot);
        });
        tokio::spawn(watch_heads(watch, limits.header_read_timeout, connection));
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
    watch: Arc<HeadWatch>,
}

impl hyper::service::Service<Request<Incoming>> for App {
    type Response = Response;
    type Error = Infallible;
    type Future = Logged;

    fn call(&self, request: Request<Incoming>) -> Logged {
        self.watch.head_read();
        let entry = self
            .access_log
            .as_ref()
            .map(|log| AccessLog::begin(log, request.method(), request.uri()));
        // A router is always ready (its `poll_ready` returns at once), so it is called
        // straight away, without the readiness dance of a general tower service. Its `call`
        // only reads it; the cell stands in for the `&mut` that `Service::call` asks for.
        let inner = tower_service::Service::call(&mut *self.app.borrow_mut(), request);
        Logged {
            inner,
            entry,
            watch: self.watch.clone(),
        }
    }
}

/// A request being answered; its access log line is recorded when the answer is ready.
struct Logged {
    inner: RouteFuture<Infallible>,
    entry: Option<Entry>,
    watch: Arc<HeadWatch>,
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
        let now = Instant::now();
        this.watch.answered_at(now);
        if let (Some(entry), Ok(response)) = (this.entry.take(), &answer) {
            entry.finish(response.status(), now);
        }
        Poll::Ready(answer)
    }
}

/// The header-read limit of one connection, kept by a task beside the connection rather than
/// by hyper. hyper's own limit asks its timer for a new sleep before every request head and
/// polls it: an allocation, clock reads and a timer registration per request, about 870 of the
/// 19 000 instructions the server spent on one. Here a request costs a flag when its head is
/// read and a clock read when it is answered; the watcher wakes once per timeout period, and
/// ends the connection when its client has kept it waiting for a head too long.
struct HeadWatch {
    /// When the connection started waiting for a head, in nanoseconds since `epoch`, or
    /// `ANSWERING` between a head read and its answer.
    waiting_since: AtomicU64,
    epoch: Instant,
}

/// `waiting_since` of a connection between a head read and its answer.
const ANSWERING: u64 = u64::MAX;
/// The latest wait a connection can record, one short of `ANSWERING`: 584 years after its
/// start.
const LATEST: u64 = 0xFFFF_FFFF_FFFF_FFFE;
/// The longest header-read limit kept: a hundred years of 365 days.
const CENTURY: Duration = Duration::from_secs(3_153_600_000);

impl HeadWatch {
    /// A connection waiting for its first head from now.
    fn new() -> Self {
        Self {
            waiting_since: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    fn head_read(&self) {
        self.waiting_since.store(ANSWERING, Ordering::Relaxed);
    }

    fn answered_at(&self, now: Instant) {
        let since = now.saturating_duration_since(self.epoch).as_nanos();
        let since = u64::try_from(since).unwrap_or(LATEST);
        self.waiting_since.store(since, Ordering::Relaxed);
    }

    /// When to look at the connection again, seen at `now`; `None` when its head is due, and
    /// the connection is to be ended. A timeout past a century (`Duration::MAX`, say, for no
    /// limit) counts as a century, so that no deadline overflows the clock.
    fn next_look(&self, timeout: Duration, now: Instant) -> Option<Instant> {
        let timeout = timeout.min(CENTURY);
        match self.waiting_since.load(Ordering::Relaxed) {
            // A request being answered has no head deadline; look again a period on.
            ANSWERING => Some(now + timeout),
            since => {
                let due = self.epoch + Duration::from_nanos(since) + timeout;
                (due > now).then_some(due)
            }
        }
    }
}

/// Ends `connection` (its task, which closes the socket) once its client has kept it waiting
/// for a head longer than `timeout`: from its start, then from each answer. Returns when the
/// connection ends by itself.
async fn watch_heads(watch: Arc<HeadWatch>, timeout: Duration, mut connection: JoinHandle<()>) {
    // Set to each look before it is awaited.
    let sleep = tokio::time::sleep(Duration::ZERO);
    tokio::pin!(sleep);
    while let Some(look) = watch.next_look(timeout, Instant::now()) {
        sleep.as_mut().reset(look.into());
        tokio::select! {
            _ = &mut connection => return,
            () = &mut sleep => {}
        }
    }
    connection.abort();
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

    #[test]
    fn a_head_is_due_a_timeout_after_the_wait_began_and_an_answer_has_no_deadline() {
        let timeout = Duration::from_secs(10);
        let watch = HeadWatch::new();
        let start = watch.epoch;
        let later = |ms| start + Duration::from_millis(ms);
        // The first head: due ten seconds after the connection's start, and cut off then.
        assert_eq!(watch.next_look(timeout, start), Some(start + timeout));
        assert_eq!(
            watch.next_look(timeout, later(9_999)),
            Some(start + timeout)
        );
        assert_eq!(watch.next_look(timeout, start + timeout), None);
        // While a request is answered: a look one period on, however long it takes.
        watch.head_read();
        for at in [later(1), later(60_000)] {
            assert_eq!(watch.next_look(timeout, at), Some(at + timeout));
        }
        // The next head: due ten seconds after its answer.
        watch.answered_at(later(60_000));
        assert_eq!(watch.next_look(timeout, later(60_001)), Some(later(70_000)));
        assert_eq!(watch.next_look(timeout, later(70_000)), None);
        assert_eq!(LATEST, ANSWERING - 1);
        // No limit to speak of: a century on, and no overflow.
        assert_eq!(
            watch.next_look(Duration::MAX, later(70_000)),
            Some(later(60_000) + CENTURY)
        );
        watch.head_read();
        assert_eq!(
            watch.next_look(Duration::MAX, later(1)),
            Some(later(1) + CENTURY)
        );
        // An answer stamped before the watch began counts from its start.
        watch.answered_at(start - Duration::from_millis(5));
        assert_eq!(watch.next_look(timeout, start), Some(start + timeout));
    }

    /// A connection's task that lives until it is ended, and the moment it was ended.
    fn connection_task() -> (JoinHandle<()>, tokio::sync::oneshot::Receiver<()>) {
        let (alive, ended) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _alive = alive;
            std::future::pending::<()>().await;
        });
        (task, ended)
    }

    #[tokio::test]
    async fn a_connection_kept_waiting_for_its_first_head_is_ended_on_time() {
        let timeout = Duration::from_millis(150);
        let started = Instant::now();
        let watch = Arc::new(HeadWatch::new());
        let (task, ended) = connection_task();
        let watching = tokio::spawn(watch_heads(watch, timeout, task));
        let _ = ended.await;
        let waited = started.elapsed();
        assert!(
            waited >= timeout && waited < Duration::from_secs(2),
            "ended after {waited:?}"
        );
        watching.await.unwrap();
    }

    #[tokio::test]
    async fn a_request_being_answered_has_no_head_deadline_and_the_next_head_has_its_own() {
        let timeout = Duration::from_millis(100);
        let watch = Arc::new(HeadWatch::new());
        watch.head_read();
        let (task, mut ended) = connection_task();
        let watching = tokio::spawn(watch_heads(watch.clone(), timeout, task));
        // Answering for three periods: the connection lives on.
        tokio::time::sleep(timeout * 3).await;
        assert_eq!(
            ended.try_recv(),
            Err(tokio::sync::oneshot::error::TryRecvError::Empty)
        );
        let answered = Instant::now();
        watch.answered_at(answered);
        let _ = ended.await;
        let waited = answered.elapsed();
        assert!(
            waited >= timeout && waited < Duration::from_secs(2),
            "ended {waited:?} after the answer"
        );
        watching.await.unwrap();
    }

    #[tokio::test]
    async fn the_watch_ends_with_its_connection() {
        let watch = Arc::new(HeadWatch::new());
        let connection = tokio::spawn(async {});
        tokio::time::timeout(
            Duration::from_secs(5),
            watch_heads(watch, Duration::from_secs(60), connection),
        )
        .await
        .expect("the watch outlived its connection");
    }
}
