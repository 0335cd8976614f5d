//! The access log exists so that every request served leaves one line (method, path, status,
//! latency; never a header, so never a token) at almost no cost to the request: a request
//! appends its line to a buffer of its worker thread, which no other worker writes, and a
//! thread of its own gathers the buffers and writes them out in few large writes, each one's
//! lines merged in time order. A request never waits for the output; a line that cannot be kept is counted and
//! reported, never dropped silently.

use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering, fence};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::{Method, StatusCode, Uri};
use thread_local::ThreadLocal;

/// How long the writer lets lines gather before it writes them, so that under load one write
/// carries many lines; also about the longest a line waits before it is written.
const LINGER: Duration = Duration::from_millis(20);

/// Bytes of lines waiting for the writer beyond which a new line is counted as dropped instead
/// of kept: the bound on the log's memory when its output cannot keep up (a slow terminal, a
/// full pipe).
pub const DEFAULT_MAX_PENDING: usize = 8 << 20;

/// The longest stretch of a path a line repeats; a longer path is cut and marked with `...`.
const MAX_PATH: usize = 1024;

/// The longest path an [`Entry`] copies without allocating (an API path is 49 bytes).
const INLINE_PATH: usize = 96;

/// The longest stretch of a method a line repeats (extension methods can be long).
const MAX_METHOD: usize = 32;

/// How access lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// `2026-01-02T03:04:05.678901Z request method=GET path=/… status=200 latency_us=41`
    #[default]
    Text,
    /// `{"ts":"2026-01-02T03:04:05.678901Z","msg":"request","method":"GET","path":"/…","status":200,"latency_us":41}`
    Json,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            other => Err(format!(
                "unknown log format {other:?}; expected text or json"
            )),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Text => "text",
            Format::Json => "json",
        })
    }
}

/// Where requests record their lines. Cheap to clone; every clone feeds the same writer.
#[derive(Clone)]
pub struct AccessLog {
    shared: Arc<Shared>,
}

/// The thread that writes the lines out. [`AccessLogWriter::finish`] writes what is left and
/// stops it; dropping it does the same.
pub struct AccessLogWriter {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    /// Closed by the writer thread when it ends.
    done: mpsc::Receiver<()>,
}

/// How long [`AccessLogWriter::finish`] waits for the output to take the last lines.
pub const FINISH_TIMEOUT: Duration = Duration::from_secs(10);

/// What a log did over its life.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Request lines written to the output.
    pub written: u64,
    /// Request lines dropped: the buffer was full, or the output failed.
    pub dropped: u64,
    /// The output took nothing for the whole of the finish timeout; anything more written to
    /// it would wait as long.
    pub stuck: bool,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    format: Format,
    /// Bytes of lines one worker thread keeps waiting for the writer.
    max_pending: usize,
    /// Pending bytes of one thread at which the writer is woken before its linger ends.
    early_wake: usize,
    /// How long the writer lets lines gather ([`LINGER`]).
    linger: Duration,
    /// Each worker thread's lines. A request appends to its own thread's buffer, so that no
    /// cache line is written by every core at every request; the writer empties them all.
    locals: ThreadLocal<Mutex<Local>>,
    /// The writer waits for a first line: the thread that appends one wakes it.
    writer_idle: AtomicBool,
    /// No more lines are coming (also `State::closed`, read here without the lock).
    closed: AtomicBool,
}

#[derive(Default)]
struct State {
    /// Request lines the writer is writing.
    writing_lines: u64,
    /// Lines dropped and not yet reported in the output.
    unreported: u64,
    totals: Totals,
    /// A thread's buffer passed the early-wake mark: the writer stops lingering.
    hurry: bool,
    /// No more lines are coming: the writer writes what is left and stops.
    closed: bool,
}

/// One worker thread's lines waiting for the writer.
#[derive(Default)]
struct Local {
    pending: Lines,
    /// Request lines in `pending`.
    lines: u64,
    /// Lines dropped since the writer's last visit (the buffer was full).
    dropped: u64,
    /// The current second, formatted once for all the lines written in it.
    second: Second,
    /// The wall clock at a recent instant, so that a line's time is read from the monotonic
    /// clock the latency needs anyway.
    anchor: Option<(Instant, Duration)>,
}

/// Lines one after the other, and where each ends with its time: the writer merges several
/// threads' lines in time order without looking for their ends or reading their times.
#[derive(Default)]
struct Lines {
    bytes: Vec<u8>,
    /// Each line's time (microseconds since the epoch) and the end of its bytes.
    ends: Vec<(u64, usize)>,
}

impl Lines {
    fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }
}

/// How often the wall clock is read again, to follow changes of the system time.
const ANCHOR_AGE: Duration = Duration::from_secs(1);

/// Reads the wall clock again, for the instant `end`: its time since the epoch.
fn renew(anchor: &mut Option<(Instant, Duration)>, end: Instant) -> Duration {
    let wall = since_epoch(SystemTime::now());
    *anchor = Some((end, wall));
    wall
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves the state whole (appends and swaps
        // of a Vec), so the log keeps working.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_local(local: &Mutex<Local>) -> MutexGuard<'_, Local> {
        local.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether any thread has lines, or dropped lines, for the writer.
    fn anything_pending(&self) -> bool {
        self.locals.iter().any(|local| {
            let local = Self::lock_local(local);
            !local.pending.is_empty() || local.dropped > 0
        })
    }
}

impl AccessLog {
    /// Starts a writer thread that writes lines of `format` to `output`.
    pub fn start(
        output: impl Write + Send + 'static,
        format: Format,
    ) -> io::Result<(AccessLog, AccessLogWriter)> {
        Self::with_max_pending(output, format, DEFAULT_MAX_PENDING)
    }

    /// Like [`AccessLog::start`], keeping at most `max_pending` bytes of lines that wait for
    /// the writer.
    pub fn with_max_pending(
        output: impl Write + Send + 'static,
        format: Format,
        max_pending: usize,
    ) -> io::Result<(AccessLog, AccessLogWriter)> {
        Self::with_limits(output, format, max_pending, LINGER)
    }

    /// Like [`AccessLog::with_max_pending`], the writer letting lines gather for `linger`.
    fn with_limits(
        output: impl Write + Send + 'static,
        format: Format,
        max_pending: usize,
        linger: Duration,
    ) -> io::Result<(AccessLog, AccessLogWriter)> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            format,
            max_pending,
            early_wake: max_pending / 8,
            linger,
            locals: ThreadLocal::new(),
            writer_idle: AtomicBool::new(false),
            closed: AtomicBool::new(false),
        });
        let (ended, done) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("access-log".into())
            .spawn({
                let shared = shared.clone();
                move || {
                    write_lines(&shared, output);
                    drop(ended);
                }
            })?;
        Ok((
            AccessLog {
                shared: shared.clone(),
            },
            AccessLogWriter {
                shared,
                thread: Some(thread),
                done,
            },
        ))
    }

    /// Takes note of a request as it arrives; [`Entry::finish`] records its line. The entry
    /// shares `log` (one per connection): counting references on a log shared by every
    /// connection would make each request write a counter that all cores write.
    pub fn begin(log: &Arc<AccessLog>, method: &Method, uri: &Uri) -> Entry {
        Entry {
            log: Arc::clone(log),
            method: method.clone(),
            path: PathCopy::new(uri.path()),
            started: Instant::now(),
        }
    }

    /// Records the line of one request answered just now.
    pub fn record(&self, method: &str, path: &str, status: StatusCode, latency: Duration) {
        let (path, was_cut) = cut(path, MAX_PATH);
        self.record_at(
            method,
            (path.as_bytes(), was_cut),
            status,
            latency,
            Instant::now(),
        );
    }

    /// Records the line of one request answered at `end`; `path` is at most [`MAX_PATH`]
    /// bytes, and whether it was cut.
    fn record_at(
        &self,
        method: &str,
        path: (&[u8], bool),
        status: StatusCode,
        latency: Duration,
        end: Instant,
    ) {
        let (method, method_cut) = cut(method, MAX_METHOD);
        let method = (method.as_bytes(), method_cut);
        // Escaping can triple a byte; the rest of a line is well under 128 bytes.
        let longest = 3 * (method.0.len() + path.0.len()) + 128;
        let shared = &*self.shared;
        let mut local = Shared::lock_local(shared.locals.get_or_default());
        if shared.closed.load(Ordering::SeqCst) {
            // The writer has taken its last lines: this one is counted, never kept, and the
            // count goes out in the last line, of the lines dropped in all.
            drop(local);
            shared.lock().totals.dropped += 1;
            return;
        }
        let before = local.pending.bytes.len();
        if before + longest > shared.max_pending {
            local.dropped += 1;
            return;
        }
        let Local {
            pending: Lines { bytes: line, ends },
            second,
            anchor,
            ..
        } = &mut *local;
        let now = match *anchor {
            Some((at, wall)) => match end.saturating_duration_since(at) {
                since if since < ANCHOR_AGE => wall + since,
                _ => renew(anchor, end),
            },
            None => renew(anchor, end),
        };
        let latency_us = latency.as_micros().min(u64::MAX as u128) as u64;
        match shared.format {
            Format::Text => {
                second.timestamp(line, now);
                line.extend_from_slice(b" request method=");
                escaped(line, method);
                line.extend_from_slice(b" path=");
                escaped(line, path);
                line.extend_from_slice(b" status=");
                line.extend_from_slice(status.as_str().as_bytes());
                line.extend_from_slice(b" latency_us=");
                decimal(line, latency_us);
                line.push(b'\n');
            }
            Format::Json => {
                line.extend_from_slice(b"{\"ts\":\"");
                second.timestamp(line, now);
                line.extend_from_slice(b"\",\"msg\":\"request\",\"method\":\"");
                escaped(line, method);
                line.extend_from_slice(b"\",\"path\":\"");
                escaped(line, path);
                line.extend_from_slice(b"\",\"status\":");
                line.extend_from_slice(status.as_str().as_bytes());
                line.extend_from_slice(b",\"latency_us\":");
                decimal(line, latency_us);
                line.extend_from_slice(b"}\n");
            }
        }
        let time = now.as_micros().min(u128::from(u64::MAX)) as u64;
        ends.push((time, line.len()));
        local.lines += 1;
        let hurry = crossed(shared.early_wake, before, local.pending.bytes.len());
        drop(local);
        // Waking the writer is a system call, so it happens once per batch at most: when the
        // writer waits for a first line, or when a buffer fills faster than it lingers. The
        // fence pairs with the writer's: either it sees this line before it sleeps, or this
        // thread sees it idle.
        fence(Ordering::SeqCst);
        if hurry || shared.writer_idle.load(Ordering::SeqCst) {
            let mut state = shared.lock();
            state.hurry |= hurry;
            shared.writer_idle.store(false, Ordering::SeqCst);
            drop(state);
            shared.wake.notify_one();
        }
    }

    /// What the log did so far (lines still waiting for the writer are in neither figure).
    pub fn totals(&self) -> Totals {
        let mut totals = self.shared.lock().totals;
        for local in self.shared.locals.iter() {
            totals.dropped += Shared::lock_local(local).dropped;
        }
        totals
    }
}

impl AccessLogWriter {
    /// Writes every line recorded so far, and a last notice if any line was dropped, then
    /// stops the writer. Lines recorded after this are counted as dropped: call it once no
    /// more requests are served. An output that takes nothing for [`FINISH_TIMEOUT`] (a pipe
    /// nobody reads) does not hold the stop up: the lines it did not take are counted as
    /// dropped.
    pub fn finish(self) -> Totals {
        self.finish_within(FINISH_TIMEOUT)
    }

    /// Like [`AccessLogWriter::finish`], waiting at most `timeout` for the output.
    pub fn finish_within(mut self, timeout: Duration) -> Totals {
        self.stop(timeout)
    }

    fn stop(&mut self, timeout: Duration) -> Totals {
        let mut state = self.shared.lock();
        state.closed = true;
        self.shared.closed.store(true, Ordering::SeqCst);
        drop(state);
        self.shared.wake.notify_one();
        let Some(thread) = self.thread.take() else {
            return self.shared.lock().totals;
        };
        match self.done.recv_timeout(timeout) {
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // The writer is stuck in a write; it is left to the process's end.
                let mut state = self.shared.lock();
                let mut stuck = state.writing_lines;
                for local in self.shared.locals.iter() {
                    let mut local = Shared::lock_local(local);
                    stuck += std::mem::take(&mut local.lines);
                    local.pending.clear();
                }
                state.totals.dropped += stuck;
                state.writing_lines = 0;
                state.totals.stuck = true;
                state.totals
            }
            // The writer does not panic on bad output; if it did, the totals still tell.
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                let _ = thread.join();
                self.shared.lock().totals
            }
        }
    }
}

impl Drop for AccessLogWriter {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.stop(FINISH_TIMEOUT);
        }
    }
}

/// A request on its way: its line is recorded by [`Entry::finish`].
pub struct Entry {
    log: Arc<AccessLog>,
    method: Method,
    path: PathCopy,
    started: Instant,
}

/// A copy of a request's path (never its query). Holding on to the request's own bytes until
/// the answer is ready would keep hyper from reusing its read buffer for the next request, so
/// short paths (all of the API's) are copied inline, longer ones to the heap.
enum PathCopy {
    Inline { len: u8, bytes: [u8; INLINE_PATH] },
    Heap(String, bool),
}

impl PathCopy {
    fn new(path: &str) -> Self {
        if path.len() <= INLINE_PATH {
            let mut bytes = [0; INLINE_PATH];
            bytes[..path.len()].copy_from_slice(path.as_bytes());
            PathCopy::Inline {
                len: path.len() as u8,
                bytes,
            }
        } else {
            // The log keeps at most MAX_PATH bytes of it, and marks it cut when longer.
            let (kept, was_cut) = cut(path, MAX_PATH);
            PathCopy::Heap(kept.to_string(), was_cut)
        }
    }

    /// The path's bytes, and whether it was cut.
    fn as_bytes(&self) -> (&[u8], bool) {
        match self {
            PathCopy::Inline { len, bytes } => (&bytes[..usize::from(*len)], false),
            PathCopy::Heap(path, was_cut) => (path.as_bytes(), *was_cut),
        }
    }
}

impl Entry {
    /// Records the request's line with the status it was answered at `end`.
    pub fn finish(self, status: StatusCode, end: Instant) {
        self.log.record_at(
            self.method.as_str(),
            self.path.as_bytes(),
            status,
            end.saturating_duration_since(self.started),
            end,
        );
    }
}

/// Whether a buffer that grew from `before` to `after` bytes passed `mark` just now: the writer
/// is hurried once as a buffer fills, not at every line past the mark.
fn crossed(mark: usize, before: usize, after: usize) -> bool {
    before < mark && after >= mark
}

/// The writer thread: waits for lines, lets them gather for its linger, takes every thread's
/// buffer and writes their lines, merged in time order, in one go.
fn write_lines(shared: &Shared, mut output: impl Write) {
    let mut batch: Vec<u8> = Vec::new();
    let mut taken: Vec<Lines> = Vec::new();
    let mut spare: Vec<Lines> = Vec::new();
    let mut state = shared.lock();
    loop {
        // Dropped lines alone do not wake the writer: their count goes out with the next line
        // (a broken output would otherwise be retried without end).
        while !state.closed {
            shared.writer_idle.store(true, Ordering::SeqCst);
            fence(Ordering::SeqCst);
            if shared.anything_pending() {
                break;
            }
            state = shared
                .wake
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        shared.writer_idle.store(false, Ordering::SeqCst);
        if !state.closed {
            state = shared
                .wake
                .wait_timeout_while(state, shared.linger, |s| !s.closed && !s.hurry)
                .map(|(state, _)| state)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        state.hurry = false;
        let closed = state.closed;
        drop(state);

        let (mut lines, mut dropped) = (0, 0);
        for local in shared.locals.iter() {
            let mut local = Shared::lock_local(local);
            lines += std::mem::take(&mut local.lines);
            dropped += std::mem::take(&mut local.dropped);
            if !local.pending.is_empty() {
                let empty = spare.pop().unwrap_or_default();
                taken.push(std::mem::replace(&mut local.pending, empty));
            }
        }
        merge_in_time_order(&taken, &mut batch);
        spare.extend(taken.drain(..).map(|mut b| {
            b.clear();
            b
        }));

        state = shared.lock();
        state.writing_lines = lines;
        state.totals.dropped += dropped;
        let dropped = std::mem::take(&mut state.unreported) + dropped;
        drop(state);

        let mut notice = Vec::new();
        if dropped > 0 {
            dropped_notice(&mut notice, shared.format, dropped, "dropped");
        }
        let noticed = notice.is_empty() || output.write_all(&notice).is_ok();
        let written = output
            .write_all(&batch)
            .and_then(|()| output.flush())
            .is_ok();
        batch.clear();

        state = shared.lock();
        // What could not be written or said is said with the next write that works. A batch
        // cut short by an error counts as dropped whole, though part of it may have gone out.
        if !noticed {
            state.unreported += dropped;
        }
        state.writing_lines = 0;
        if written {
            state.totals.written += lines;
        } else {
            state.unreported += lines;
            state.totals.dropped += lines;
        }
        // Lines appended after the close was seen are counted as dropped by their threads, so
        // after a pass that began closed nothing is left to write.
        if closed {
            break;
        }
    }
    let totals = state.totals;
    drop(state);
    if totals.dropped > 0 {
        let mut notice = Vec::new();
        dropped_notice(&mut notice, shared.format, totals.dropped, "dropped in all");
        let _ = output.write_all(&notice).and_then(|()| output.flush());
    }
}

/// The lines of several threads' buffers, each in time order, as one run in time order; of
/// lines of the same time, the earlier buffer's first.
fn merge_in_time_order(buffers: &[Lines], out: &mut Vec<u8>) {
    if let [only] = buffers {
        out.extend_from_slice(&only.bytes);
        return;
    }
    // Each buffer's next line: its place in `ends`, and where its bytes start.
    let mut next = vec![(0, 0); buffers.len()];
    loop {
        let mut earliest: Option<(usize, u64)> = None;
        for (i, lines) in buffers.iter().enumerate() {
            if let Some(&(time, _)) = lines.ends.get(next[i].0)
                && earliest.is_none_or(|(_, first)| time < first)
            {
                earliest = Some((i, time));
            }
        }
        let Some((i, _)) = earliest else { break };
        let (line, start) = next[i];
        let end = buffers[i].ends[line].1;
        out.extend_from_slice(&buffers[i].bytes[start..end]);
        next[i] = (line + 1, end);
    }
}

/// A line saying that `count` request lines were dropped.
fn dropped_notice(out: &mut Vec<u8>, format: Format, count: u64, what: &str) {
    let timestamp = Timestamp::new(SystemTime::now());
    match format {
        Format::Text => {
            out.extend_from_slice(&timestamp.0);
            out.extend_from_slice(b" access log: ");
            decimal(out, count);
            out.extend_from_slice(b" request lines ");
            out.extend_from_slice(what.as_bytes());
            out.extend_from_slice(b"; the log output could not keep up\n");
        }
        Format::Json => {
            out.extend_from_slice(b"{\"ts\":\"");
            out.extend_from_slice(&timestamp.0);
            out.extend_from_slice(b"\",\"msg\":\"access log lines ");
            out.extend_from_slice(what.as_bytes());
            out.extend_from_slice(b"\",\"dropped\":");
            decimal(out, count);
            out.extend_from_slice(b"}\n");
        }
    }
}

/// At most `max` bytes of `value` (whole characters), and whether it was cut.
fn cut(value: &str, max: usize) -> (&str, bool) {
    if value.len() <= max {
        return (value, false);
    }
    let end = (0..=max)
        .rev()
        .find(|&end| value.is_char_boundary(end))
        .unwrap_or(0);
    (&value[..end], true)
}

/// Appends `value`, percent-encoding every byte that is not visible ASCII, and `"` and `\`, so
/// that a line is one line, fields stay apart and JSON needs no other escape. A cut value ends
/// in `...`.
fn escaped(out: &mut Vec<u8>, (bytes, was_cut): (&[u8], bool)) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    if all_plain(bytes) {
        out.extend_from_slice(bytes);
    } else {
        for &b in bytes {
            if plain(b) {
                out.push(b);
            } else {
                out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
            }
        }
    }
    if was_cut {
        out.extend_from_slice(b"...");
    }
}

/// Whether a byte goes into a line as it is: visible ASCII other than `"` and `\`.
fn plain(b: u8) -> bool {
    b.is_ascii_graphic() && b != b'"' && b != b'\\'
}

/// Whether every byte of `bytes` is [`plain`] (a path is checked on every request): a fold
/// with no branch per byte. Checking eight bytes at a time by hand, with sums whose top bits
/// tell each byte's answer, saved 16 of the 339 instructions a line's two fields cost.
fn all_plain(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |all, &b| all & plain(b))
}

/// Appends `n` in decimal.
fn decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// `time` as the log writes it: RFC 3339 in UTC with microseconds,
/// `2026-01-02T03:04:05.678901Z`.
pub fn timestamp(time: SystemTime) -> String {
    String::from_utf8_lossy(&Timestamp::new(time).0).into_owned()
}

/// A time as RFC 3339 in UTC with microseconds: `2026-01-02T03:04:05.678901Z`.
struct Timestamp([u8; 27]);

/// The time since the epoch (zero for a clock set before 1970).
fn since_epoch(time: SystemTime) -> Duration {
    time.duration_since(UNIX_EPOCH).unwrap_or_default()
}

/// One second's `2026-01-02T03:04:05.`, made once per second instead of once per line.
#[derive(Default)]
struct Second {
    secs: u64,
    text: [u8; 20],
}

impl Second {
    /// Appends the timestamp of `now`.
    fn timestamp(&mut self, out: &mut Vec<u8>, now: Duration) {
        if self.secs != now.as_secs() || self.text[0] == 0 {
            let full = Timestamp::new(UNIX_EPOCH + Duration::from_secs(now.as_secs()));
            self.text.copy_from_slice(&full.0[..20]);
            self.secs = now.as_secs();
        }
        out.extend_from_slice(&self.text);
        let mut micros = *b"000000Z";
        let mut value = now.subsec_micros();
        for digit in micros[..6].iter_mut().rev() {
            *digit = b'0' + (value % 10) as u8;
            value /= 10;
        }
        out.extend_from_slice(&micros);
    }
}

impl Timestamp {
    fn new(time: SystemTime) -> Self {
        let since_epoch = since_epoch(time);
        let secs = since_epoch.as_secs();
        let (year, month, day) = civil_from_days(secs / 86_400);
        let in_day = secs % 86_400;
        let mut out = *b"0000-00-00T00:00:00.000000Z";
        let mut put = |at: usize, width: usize, mut value: u64| {
            for i in (at..at + width).rev() {
                out[i] = b'0' + (value % 10) as u8;
                value /= 10;
            }
        };
        put(0, 4, year);
        put(5, 2, month);
        put(8, 2, day);
        put(11, 2, in_day / 3600);
        put(14, 2, in_day / 60 % 60);
        put(17, 2, in_day % 60);
        put(20, 6, u64::from(since_epoch.subsec_micros()));
        Timestamp(out)
    }
}

/// Year, month and day of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`,
/// for days on or after the epoch).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An output that keeps what is written, to read back after the writer stops.
    #[derive(Clone, Default)]
    struct Memory(Arc<Mutex<Vec<u8>>>);

    impl Write for Memory {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Memory {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    fn micros(n: u64) -> Duration {
        Duration::from_micros(n)
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        let at = |secs: u64, micros: u64| {
            let t = UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_micros(micros);
            String::from_utf8(Timestamp::new(t).0.to_vec()).unwrap()
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(at(951_782_400, 1), "2000-02-29T00:00:00.000001Z");
        assert_eq!(at(1_767_323_045, 678_901), "2026-01-02T03:04:05.678901Z");
        assert_eq!(at(4_102_444_799, 999_999), "2099-12-31T23:59:59.999999Z");
        // 2100 is not a leap year, 2400 is; and the last second a timestamp can write.
        assert_eq!(at(4_107_542_399, 0), "2100-02-28T23:59:59.000000Z");
        assert_eq!(at(4_107_542_400, 0), "2100-03-01T00:00:00.000000Z");
        assert_eq!(at(13_569_465_599, 0), "2399-12-31T23:59:59.000000Z");
        assert_eq!(at(13_574_606_400, 0), "2400-02-29T12:00:00.000000Z");
        assert_eq!(at(253_402_300_799, 0), "9999-12-31T23:59:59.000000Z");
    }

    #[test]
    fn a_cached_second_gives_the_same_timestamps() {
        let mut second = Second::default();
        for secs in [
            0,
            0,
            1,
            1_767_323_045,
            1_767_323_045,
            1_767_323_046,
            59,
            4_102_444_799,
        ] {
            for micros in [0, 678_901, 999_999] {
                let now = Duration::from_secs(secs) + Duration::from_micros(micros);
                let mut cached = Vec::new();
                second.timestamp(&mut cached, now);
                let full = Timestamp::new(UNIX_EPOCH + now);
                assert_eq!(cached, full.0, "{secs} {micros}");
            }
        }
    }

    #[test]
    fn text_and_json_lines() {
        for (format, expected) in [
            (
                Format::Text,
                " request method=GET path=/api/v1/device/x status=404 latency_us=41\n",
            ),
            (
                Format::Json,
                "\",\"msg\":\"request\",\"method\":\"GET\",\"path\":\"/api/v1/device/x\",\"status\":404,\"latency_us\":41}\n",
            ),
        ] {
            let out = Memory::default();
            let (log, writer) = AccessLog::start(out.clone(), format).unwrap();
            log.record("GET", "/api/v1/device/x", StatusCode::NOT_FOUND, micros(41));
            assert_eq!(
                writer.finish(),
                Totals {
                    written: 1,
                    dropped: 0,
                    stuck: false
                }
            );
            let text = out.text();
            assert!(text.ends_with(expected), "{text}");
            if format == Format::Json {
                let value: serde_json::Value = serde_json::from_str(&text).unwrap();
                assert_eq!(value["status"], 404);
                assert!(value["ts"].as_str().unwrap().ends_with('Z'));
            }
        }
    }

    #[test]
    fn odd_bytes_are_escaped_and_long_paths_cut() {
        let out = Memory::default();
        let (log, writer) = AccessLog::start(out.clone(), Format::Json).unwrap();
        log.record("GET", "/a b\"c\\d\né", StatusCode::OK, micros(1));
        let long = format!("/{}", "x".repeat(5000));
        log.record("GET", &long, StatusCode::OK, micros(1));
        // The first and last plain bytes, and odd ones beyond the first sixteen bytes.
        log.record(
            "GET",
            "/!~/0123456789abcdef/\u{7f}\t ~",
            StatusCode::OK,
            micros(1),
        );
        writer.finish();
        let text = out.text();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["path"], "/a%20b%22c%5Cd%0A%C3%A9");
        let cut = lines[1]["path"].as_str().unwrap();
        assert_eq!(cut.len(), MAX_PATH + 3);
        assert!(cut.ends_with("x..."));
        assert_eq!(lines[2]["path"], "/!~/0123456789abcdef/%7F%09%20~");
    }

    #[test]
    fn a_run_of_bytes_is_plain_exactly_when_each_byte_is() {
        // Every byte value at every place of runs of 1 to 17 bytes, among plain bytes of the
        // middle and of both ends of the plain range.
        for len in 1..=17 {
            for at in 0..len {
                for b in 0..=255u8 {
                    for filler in [b'a', b'~', b'!'] {
                        let mut bytes = vec![filler; len];
                        bytes[at] = b;
                        assert_eq!(all_plain(&bytes), plain(b), "{b:#04x} at {at} of {len}");
                    }
                }
            }
        }
        assert!(all_plain(b""));
        assert!(!all_plain(&[
            0xFF, b'a', 0x00, b'a', b'a', b'a', b'a', b'a'
        ]));
    }

    #[test]
    fn entries_log_the_path_without_the_query() {
        let out = Memory::default();
        let (log, writer) = AccessLog::start(out.clone(), Format::Text).unwrap();
        let log = Arc::new(log);
        let long = format!("/{}", "y".repeat(200));
        let longest = format!("/{}", "z".repeat(2000));
        for path in ["/short?token=secret", &long, &longest] {
            let uri: Uri = path.parse().unwrap();
            AccessLog::begin(&log, &Method::DELETE, &uri)
                .finish(StatusCode::METHOD_NOT_ALLOWED, Instant::now());
        }
        writer.finish();
        let text = out.text();
        let paths: Vec<&str> = text
            .lines()
            .map(|l| l.split(" path=").nth(1).unwrap().split(' ').next().unwrap())
            .collect();
        assert_eq!(paths[0], "/short");
        assert_eq!(paths[1], long);
        assert_eq!(paths[2], format!("{}...", &longest[..MAX_PATH]));
        assert!(
            text.lines()
                .all(|l| l.contains(" method=DELETE ") && l.contains(" status=405 "))
        );
        assert!(!text.contains("secret"));
    }

    #[test]
    fn every_line_is_written_by_finish() {
        let out = Memory::default();
        let (log, writer) = AccessLog::start(out.clone(), Format::Text).unwrap();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let log = log.clone();
                std::thread::spawn(move || {
                    for n in 0..10_000 {
                        log.record("GET", &format!("/{t}/{n}"), StatusCode::OK, micros(n));
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let totals = writer.finish();
        assert_eq!(
            totals,
            Totals {
                written: 40_000,
                dropped: 0,
                stuck: false
            }
        );
        assert_eq!(out.text().lines().count(), 40_000);
    }

    /// An output that blocks its first write until told to go on.
    struct Stuck {
        go: mpsc::Receiver<()>,
        out: Memory,
    }

    impl Write for Stuck {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let _ = self.go.recv();
            self.out.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_of_many_threads_are_all_written_each_in_order() {
        for format in [Format::Text, Format::Json] {
            let out = Memory::default();
            let (log, writer) = AccessLog::start(out.clone(), format).unwrap();
            std::thread::scope(|s| {
                for t in 0..4 {
                    let log = log.clone();
                    s.spawn(move || {
                        for n in 0..5_000 {
                            log.record("GET", &format!("/{t}/{n}"), StatusCode::OK, micros(1));
                        }
                    });
                }
            });
            let totals = writer.finish();
            assert_eq!((totals.written, totals.dropped), (20_000, 0));
            let text = out.text();
            assert_eq!(text.lines().count(), 20_000);
            // Each thread's lines in the order it recorded them; the threads' lines merged
            // by time within each write (see `merging_takes_the_earliest_line_first`).
            for t in 0..4 {
                let own: Vec<usize> = text
                    .lines()
                    .filter_map(|l| {
                        let at = l.find(&format!("/{t}/"))? + 3;
                        let digits = l[at..].split(|c: char| !c.is_ascii_digit()).next()?;
                        digits.parse().ok()
                    })
                    .collect();
                assert_eq!(own, (0..5_000).collect::<Vec<_>>(), "{format}");
            }
        }
    }

    #[test]
    fn a_value_is_cut_at_a_character_boundary() {
        assert_eq!(cut("abc", 3), ("abc", false));
        assert_eq!(cut("abcd", 3), ("abc", true));
        // 'é' is two bytes, '€' three and '😀' four: a cut never splits one.
        assert_eq!(cut("aé", 2), ("a", true));
        assert_eq!(cut("ab€", 4), ("ab", true));
        assert_eq!(cut("ab😀", 5), ("ab", true));
        assert_eq!(cut("😀", 3), ("", true));
        let path = format!("/{}é/rest", "x".repeat(MAX_PATH - 2));
        assert_eq!(cut(&path, MAX_PATH), (&path[..MAX_PATH - 1], true));
    }

    /// Lines of the given times and texts, as a thread's buffer holds them.
    fn lines(of: &[(u64, &str)]) -> Lines {
        let mut lines = Lines::default();
        for (time, text) in of {
            lines.bytes.extend_from_slice(text.as_bytes());
            lines.bytes.push(b'\n');
            lines.ends.push((*time, lines.bytes.len()));
        }
        lines
    }

    #[test]
    fn merging_takes_the_earliest_line_first() {
        let a = lines(&[(1, "a1"), (3, "a3"), (3, "a3 too"), (7, "a7")]);
        let b = lines(&[(2, "b2"), (3, "b3"), (4, "b4")]);
        let c = lines(&[(0, "c0"), (9, "c9")]);
        // On a thread of its own, so that a merge that stops advancing fails the test.
        let (done, merged) = mpsc::channel();
        std::thread::spawn(move || {
            let mut out = Vec::new();
            merge_in_time_order(&[a, Lines::default(), b, c], &mut out);
            let _ = done.send(out);
        });
        let out = merged
            .recv_timeout(Duration::from_secs(10))
            .expect("the merge never ended");
        let order: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
        assert_eq!(
            order,
            ["c0", "a1", "b2", "a3", "a3 too", "b3", "b4", "a7", "c9"]
        );
        let mut out = Vec::new();
        merge_in_time_order(&[lines(&[(5, "only"), (1, "as kept")])], &mut out);
        assert_eq!(out, b"only\nas kept\n");
    }

    #[test]
    fn a_full_buffer_drops_lines_and_says_how_many() {
        // The writer takes the first line and blocks writing it; the next lines fill the
        // buffer, and recording never waits for the writer.
        let (log, writer, out, go) = held_in_a_write(4096);
        for n in 0..1000 {
            log.record("GET", &format!("/{n}"), StatusCode::OK, micros(1));
        }
        let dropped = log.totals().dropped;
        assert!(dropped > 900, "{dropped}");
        drop(go);
        let totals = writer.finish();
        assert_eq!(totals.written + totals.dropped, 1001);
        let text = out.text();
        let requests = text
            .lines()
            .filter(|l| l.contains(" request method="))
            .count() as u64;
        assert_eq!(requests, totals.written);
        assert!(
            text.contains(&format!(" access log: {dropped} request lines dropped;")),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                " access log: {dropped} request lines dropped in all;"
            )),
            "{text}"
        );
    }

    #[test]
    fn an_output_that_takes_nothing_does_not_hold_up_the_stop() {
        let (_go, wait) = mpsc::channel();
        let stuck = Stuck {
            go: wait,
            out: Memory::default(),
        };
        let (log, writer) = AccessLog::start(stuck, Format::Text).unwrap();
        for _ in 0..10 {
            log.record("GET", "/", StatusCode::OK, micros(1));
        }
        let started = Instant::now();
        let totals = writer.finish_within(Duration::from_millis(200));
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(
            totals,
            Totals {
                written: 0,
                dropped: 10,
                stuck: true
            }
        );
    }

    /// An output that fails every write.
    struct Broken;

    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("disk full"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_an_output_refuses_count_as_dropped() {
        let (log, writer) = AccessLog::start(Broken, Format::Text).unwrap();
        for _ in 0..10 {
            log.record("GET", "/", StatusCode::OK, micros(1));
        }
        let totals = writer.finish();
        assert_eq!(
            totals,
            Totals {
                written: 0,
                dropped: 10,
                stuck: false
            }
        );
        log.record("GET", "/late", StatusCode::OK, micros(1));
        assert_eq!(log.totals().dropped, 11);
    }

    /// The time a line of `log` starts with, as the log wrote it.
    fn stamp(line: &str) -> &str {
        &line[..27]
    }

    #[test]
    fn a_line_is_stamped_with_the_wall_clock_when_it_is_answered() {
        let out = Memory::default();
        let (log, writer) = AccessLog::start(out.clone(), Format::Text).unwrap();
        let record = |end| log.record_at("GET", (b"/", false), StatusCode::OK, micros(1), end);
        let first = Instant::now();
        let before = SystemTime::now();
        record(first);
        let after = SystemTime::now();
        // Within a second of the clock's last reading, a line's time is counted from it.
        record(first + Duration::from_millis(500));
        // A second after it, the clock is read again.
        let before_late = SystemTime::now();
        record(first + ANCHOR_AGE);
        let after_late = SystemTime::now();
        writer.finish();
        let text = out.text();
        let stamps: Vec<&str> = text.lines().map(stamp).collect();
        let half = Duration::from_millis(500);
        let within = |stamp: &str, from: SystemTime, to: SystemTime| {
            assert!(
                timestamp(from).as_str() <= stamp && stamp <= timestamp(to).as_str(),
                "{stamp} is not between {} and {}",
                timestamp(from),
                timestamp(to)
            );
        };
        assert_eq!(stamps.len(), 3, "{text}");
        within(stamps[0], before, after);
        within(stamps[1], before + half, after + half);
        within(stamps[2], before_late, after_late);
    }

    /// An output that counts its flushes: the writer flushes once per write of lines.
    #[derive(Clone, Default)]
    struct Flushes {
        count: Arc<std::sync::atomic::AtomicUsize>,
        out: Memory,
    }

    impl Write for Flushes {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.out.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            self.count.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }

    #[test]
    fn an_idle_writer_neither_writes_nor_wakes() {
        let output = Flushes::default();
        let (log, writer) = AccessLog::start(output.clone(), Format::Text).unwrap();
        let flushes = || output.count.load(Ordering::SeqCst);
        // Several lingers long: a writer that woke without a line would have written by then.
        let idle = LINGER * 5;
        std::thread::sleep(idle);
        assert_eq!(flushes(), 0);
        log.record("GET", "/", StatusCode::OK, micros(1));
        let deadline = Instant::now() + Duration::from_secs(10);
        while output.out.text().is_empty() {
            assert!(Instant::now() < deadline, "the line was never written");
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(idle);
        assert_eq!(flushes(), 1);
        assert_eq!(writer.finish().written, 1);
    }

    /// A log whose writer has taken a first line and is held in its write until `go` is
    /// dropped.
    fn held_in_a_write(
        max_pending: usize,
    ) -> (AccessLog, AccessLogWriter, Memory, mpsc::Sender<()>) {
        let out = Memory::default();
        let (go, wait) = mpsc::channel();
        let stuck = Stuck {
            go: wait,
            out: out.clone(),
        };
        let (log, writer) = AccessLog::with_max_pending(stuck, Format::Text, max_pending).unwrap();
        log.record("GET", "/first", StatusCode::OK, micros(1));
        let deadline = Instant::now() + Duration::from_secs(10);
        while log.shared.lock().writing_lines == 0 {
            assert!(
                Instant::now() < deadline,
                "the writer never took the first line"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        (log, writer, out, go)
    }

    #[test]
    fn lines_dropped_during_a_write_are_reported_right_after_it() {
        // A path of 100 bytes may take 437 (see `a_line_is_kept_when_its_worst_case_fits`):
        // more than the whole buffer, so the line is dropped though nothing waits.
        let (log, writer, out, go) = held_in_a_write(300);
        log.record(
            "GET",
            &format!("/{}", "x".repeat(99)),
            StatusCode::OK,
            micros(1),
        );
        assert_eq!(log.totals().dropped, 1);
        drop(go);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !out.text().contains(" access log: 1 request lines dropped;") {
            assert!(
                Instant::now() < deadline,
                "the dropped line was not reported: {}",
                out.text()
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(
            writer.finish(),
            Totals {
                written: 1,
                dropped: 1,
                stuck: false
            }
        );
    }

    #[test]
    fn a_buffer_filling_past_an_eighth_of_its_room_hurries_the_writer() {
        // Lines of 80 bytes, and a mark of 3840 / 8 = 480 bytes: the sixth line reaches it.
        let (log, writer, _out, go) = held_in_a_write(3840);
        let mut pending = Vec::new();
        for n in 0..20 {
            log.record("GET", &format!("/{n:02}"), StatusCode::OK, micros(1));
            let now = Shared::lock_local(log.shared.locals.get().unwrap())
                .pending
                .bytes
                .len();
            assert_eq!(log.shared.lock().hurry, now >= 480, "{now}");
            pending.push(now);
        }
        assert_eq!(pending[5], 480);
        drop(go);
        assert_eq!(writer.finish().written, 21);
    }

    #[test]
    fn a_line_is_kept_when_its_worst_case_fits() {
        // Every byte of the method and the path may be escaped into three, and the rest of
        // a line is less than 128 bytes: 3 * (3 + 100) + 128 = 437.
        let path = format!("/{}", " ".repeat(99));
        for (max_pending, kept) in [(436, false), (437, true)] {
            let out = Memory::default();
            let (log, writer) =
                AccessLog::with_max_pending(out.clone(), Format::Json, max_pending).unwrap();
            log.record("GET", &path, StatusCode::OK, micros(u64::MAX));
            let totals = writer.finish();
            assert_eq!(
                (totals.written, totals.dropped),
                (u64::from(kept), u64::from(!kept)),
                "{max_pending}"
            );
            let text = out.text();
            let line = text.lines().next().unwrap();
            if kept {
                assert!(line.contains(&"%20".repeat(99)), "{line}");
                assert!(line.len() < max_pending, "{}", line.len());
            } else {
                assert!(line.contains("lines dropped"), "{line}");
            }
        }
    }

    /// Waits until `out` holds `lines` lines, at most ten seconds.
    fn wait_for_lines(out: &Memory, lines: usize) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while out.text().lines().count() < lines {
            assert!(Instant::now() < deadline, "{}", out.text());
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn a_line_waits_a_linger_for_others_to_share_its_write() {
        let out = Memory::default();
        let linger = Duration::from_millis(200);
        let (log, writer) =
            AccessLog::with_limits(out.clone(), Format::Text, DEFAULT_MAX_PENDING, linger).unwrap();
        let recorded = Instant::now();
        log.record("GET", "/", StatusCode::OK, micros(1));
        wait_for_lines(&out, 1);
        assert!(recorded.elapsed() >= linger, "{:?}", recorded.elapsed());
        writer.finish();
    }

    #[test]
    fn a_filling_buffer_and_the_stop_cut_the_linger_short() {
        let linger = Duration::from_secs(30);
        let soon = Duration::from_secs(10);
        // Lines of 80 bytes and a mark of 480: the sixth line hurries the writer.
        let out = Memory::default();
        let (log, writer) =
            AccessLog::with_limits(out.clone(), Format::Text, 3840, linger).unwrap();
        let recorded = Instant::now();
        for n in 0..6 {
            log.record("GET", &format!("/{n:02}"), StatusCode::OK, micros(1));
        }
        wait_for_lines(&out, 6);
        assert!(recorded.elapsed() < soon, "{:?}", recorded.elapsed());
        // A stop while the writer lingers writes at once.
        log.record("GET", "/last", StatusCode::OK, micros(1));
        let stopping = Instant::now();
        assert_eq!(writer.finish().written, 7);
        assert!(stopping.elapsed() < soon, "{:?}", stopping.elapsed());
        assert!(
            out.text()
                .ends_with(" path=/last status=200 latency_us=1\n")
        );
    }

    #[test]
    fn a_dropped_writer_writes_what_is_left_and_closes_the_log() {
        let out = Memory::default();
        let (log, writer) = AccessLog::start(out.clone(), Format::Text).unwrap();
        log.record("GET", "/", StatusCode::OK, micros(1));
        drop(writer);
        assert_eq!(out.text().lines().count(), 1, "{}", out.text());
        log.record("GET", "/late", StatusCode::OK, micros(1));
        assert_eq!(
            log.totals(),
            Totals {
                written: 1,
                dropped: 1,
                stuck: false
            }
        );
    }

    /// An output that fails every write while `failing` is set.
    #[derive(Clone, Default)]
    struct Flaky {
        failing: Arc<AtomicBool>,
        out: Memory,
    }

    impl Write for Flaky {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.failing.load(Ordering::SeqCst) {
                return Err(io::Error::other("disk full"));
            }
            self.out.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn an_output_that_recovers_is_told_once_of_every_line_it_lost() {
        let output = Flaky::default();
        let out = output.out.clone();
        let (log, writer) = AccessLog::start(output.clone(), Format::Text).unwrap();
        let wait_for_dropped = |count: u64| {
            let deadline = Instant::now() + Duration::from_secs(10);
            while log.totals().dropped < count {
                assert!(Instant::now() < deadline, "{:?}", log.totals());
                std::thread::sleep(Duration::from_millis(1));
            }
        };
        output.failing.store(true, Ordering::SeqCst);
        for n in 0..3 {
            log.record("GET", &format!("/lost/{n}"), StatusCode::OK, micros(1));
        }
        wait_for_dropped(3);
        // The notice of those three fails too, so it is owed again, with these two.
        for n in 3..5 {
            log.record("GET", &format!("/lost/{n}"), StatusCode::OK, micros(1));
        }
        wait_for_dropped(5);
        output.failing.store(false, Ordering::SeqCst);
        log.record("GET", "/kept/0", StatusCode::OK, micros(1));
        wait_for_lines(&out, 2);
        log.record("GET", "/kept/1", StatusCode::OK, micros(1));
        wait_for_lines(&out, 3);
        let totals = writer.finish();
        assert_eq!((totals.written, totals.dropped), (2, 5));
        let text = out.text();
        let tails: Vec<&str> = text.lines().map(|l| &l[28..]).collect();
        assert_eq!(
            tails,
            [
                "access log: 5 request lines dropped; the log output could not keep up",
                "request method=GET path=/kept/0 status=200 latency_us=1",
                "request method=GET path=/kept/1 status=200 latency_us=1",
                "access log: 5 request lines dropped in all; the log output could not keep up",
            ],
            "{text}"
        );
        assert!(!text.contains("/lost/"));
    }
}
