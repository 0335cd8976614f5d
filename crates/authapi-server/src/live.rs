//! The data a running server answers from, replaced whole while it serves (when a watched
//! file changes, on SIGHUP, by the admin API): each request reads one snapshot from its
//! authentication to its answer, so it sees the old data or the new, never a mix.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use thread_local::ThreadLocal;

use crate::data::{DataError, Dataset, Kind, TokenGrant};
use crate::store::MemoryStore;
use crate::tokens::Tokens;

/// One data set as requests read it: its records and its tokens.
pub struct Snapshot<S> {
    pub store: S,
    pub tokens: Tokens,
}

/// The current snapshot, swapped atomically.
///
/// Every request takes a counted reference to the snapshot it reads. Counting on the
/// snapshot itself would make every request of every worker thread write one shared counter
/// (and a lock word beside it), a cache line bouncing between cores at each request; so each
/// thread keeps its own counted handle on the current snapshot, and a request counts on its
/// thread's handle. A thread notices a new snapshot by its generation number, which only a
/// replacement writes.
pub struct Live<S: Send + Sync> {
    current: RwLock<Arc<Snapshot<S>>>,
    generation: AtomicU64,
    handles: ThreadLocal<RefCell<Arc<Handle<S>>>>,
}

/// A thread's reference to one snapshot; requests share it.
pub struct Handle<S> {
    generation: u64,
    snapshot: Arc<Snapshot<S>>,
}

impl<S> std::ops::Deref for Handle<S> {
    type Target = Snapshot<S>;

    fn deref(&self) -> &Snapshot<S> {
        &self.snapshot
    }
}

impl<S: Send + Sync> Live<S> {
    pub fn new(snapshot: Snapshot<S>) -> Self {
        Self::from_arc(Arc::new(snapshot))
    }

    fn from_arc(snapshot: Arc<Snapshot<S>>) -> Self {
        Self {
            current: RwLock::new(snapshot),
            generation: AtomicU64::new(0),
            handles: ThreadLocal::new(),
        }
    }

    /// The snapshot a request reads to its end.
    pub fn current(&self) -> Arc<Handle<S>> {
        let generation = self.generation.load(Ordering::Acquire);
        let cell = self.handles.get_or(|| RefCell::new(self.handle()));
        let mut handle = cell.borrow_mut();
        if handle.generation != generation {
            *handle = self.handle();
        }
        Arc::clone(&handle)
    }

    fn handle(&self) -> Arc<Handle<S>> {
        // The generation is read before the snapshot: a replacement between the two reads
        // leaves a handle that looks old and is renewed at the next request.
        let generation = self.generation.load(Ordering::Acquire);
        // A panic while holding the lock cannot leave the Arc half-written.
        let snapshot = Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()));
        Arc::new(Handle {
            generation,
            snapshot,
        })
    }

    /// Makes `snapshot` the one every later request reads; requests under way keep theirs.
    /// A thread's handle keeps the old one alive until that thread's next request.
    pub fn replace(&self, snapshot: Arc<Snapshot<S>>) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = snapshot;
        self.generation.fetch_add(1, Ordering::Release);
    }
}

/// Where the server's data comes from, and the data it started with: what a reload reads
/// and a reset goes back to.
pub struct DataSource {
    live: Arc<Live<MemoryStore>>,
    started: Arc<Snapshot<MemoryStore>>,
    started_summary: String,
    /// Tokens given on the command line, kept across every reload.
    extra_tokens: Vec<TokenGrant>,
    file: Option<PathBuf>,
}

/// What a data set holds, with `extra_tokens` given besides it, for the start-up line, the
/// log and the admin API's answer.
pub fn summary(data: &Dataset, extra_tokens: usize) -> String {
    let counts: Vec<String> = data
        .counts()
        .into_iter()
        .map(|(kind, count)| format!("{count} {}", kind_name(kind, count)))
        .collect();
    format!(
        "{} and {} tokens",
        counts.join(", "),
        data.tokens.len() + extra_tokens
    )
}

fn kind_name(kind: Kind, count: usize) -> &'static str {
    if count == 1 {
        kind.singular()
    } else {
        kind.plural()
    }
}

impl DataSource {
    pub fn new(data: Dataset, extra_tokens: Vec<TokenGrant>, file: Option<PathBuf>) -> Self {
        let started_summary = summary(&data, extra_tokens.len());
        let started = Arc::new(snapshot(data, &extra_tokens));
        Self {
            started_summary,
            live: Arc::new(Live::from_arc(Arc::clone(&started))),
            started,
            extra_tokens,
            file,
        }
    }

    pub fn live(&self) -> Arc<Live<MemoryStore>> {
        Arc::clone(&self.live)
    }

    /// The data file it reloads, if the server was started with one.
    pub fn file(&self) -> Option<&PathBuf> {
        self.file.as_ref()
    }

    /// Serves `data` from now on; says what it holds.
    pub fn replace(&self, data: Dataset) -> String {
        let serving = summary(&data, self.extra_tokens.len());
        self.live
            .replace(Arc::new(snapshot(data, &self.extra_tokens)));
        serving
    }

    /// Reads the data file again, checked as at start; on an error the current data stays.
    /// `Ok(None)` when the server has no data file.
    pub fn reload(&self) -> Result<Option<String>, DataError> {
        let Some(file) = &self.file else {
            return Ok(None);
        };
        Ok(Some(self.replace(Dataset::load(file)?)))
    }

    /// Back to the data the server started with; says what that holds.
    pub fn reset(&self) -> &str {
        self.live.replace(Arc::clone(&self.started));
        &self.started_summary
    }

    /// Reloads the data file, logging what it serves now or why it kept the data it had.
    /// `why` says what asked for it.
    pub async fn reload_logged(self: &Arc<Self>, why: &str) {
        let source = Arc::clone(self);
        // A data file may be large: reading and checking it stays off the serving threads.
        match tokio::task::spawn_blocking(move || source.reload()).await {
            Ok(Ok(Some(serving))) => {
                tracing::info!(%why, data = %serving, "reloaded the data file")
            }
            Ok(Ok(None)) => {
                tracing::warn!(%why, "no data file to reload: the server serves its embedded data")
            }
            Ok(Err(e)) => {
                tracing::error!(%why, "kept the data it had, since the new data is not valid: {e}")
            }
            Err(e) => tracing::error!(%why, "kept the data it had: the reload failed: {e}"),
        }
    }
}

/// Reloads the data file whenever it changes (its modification time, size or presence),
/// checking it every `every`. A change seen while a writer is still at work reads as a bad
/// file; the writer's last write changes the file again, and that version is read then.
pub async fn watch(source: Arc<DataSource>, every: Duration) {
    let Some(file) = source.file().cloned() else {
        return;
    };
    let mut seen = stamp(&file);
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = stamp(&file);
        if now != seen {
            seen = now;
            source.reload_logged("the data file changed").await;
        }
    }
}

/// What tells one version of a file from the next without reading it.
fn stamp(file: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(file).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

fn snapshot(data: Dataset, extra_tokens: &[TokenGrant]) -> Snapshot<MemoryStore> {
    let mut grants = data.tokens.clone();
    grants.extend(extra_tokens.iter().cloned());
    Snapshot {
        store: MemoryStore::new(data),
        tokens: Tokens::new(grants),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(store: u8) -> Snapshot<u8> {
        Snapshot {
            store,
            tokens: Tokens::default(),
        }
    }

    #[test]
    fn a_replacement_reaches_every_next_request_and_spares_those_under_way() {
        let live = Live::new(snapshot(1));
        let under_way = live.current();
        // Requests of one thread share its handle.
        assert!(Arc::ptr_eq(&under_way, &live.current()));
        live.replace(Arc::new(snapshot(2)));
        assert_eq!(under_way.store, 1);
        assert_eq!(live.current().store, 2);
        std::thread::scope(|s| {
            s.spawn(|| assert_eq!(live.current().store, 2));
        });
        live.replace(Arc::new(snapshot(3)));
        std::thread::scope(|s| {
            s.spawn(|| assert_eq!(live.current().store, 3));
        });
        assert_eq!(live.current().store, 3);
    }
}
