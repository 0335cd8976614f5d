//! Library code that may panic on input it does not support (the generator libraries, the
//! YAML reader), run so that the panic becomes a value and prints nothing: the caller reports
//! it as an error on the spec, never as a backtrace.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};

/// Runs `step`, catching its panic without a word.
pub fn catch<T>(step: impl FnOnce() -> T) -> Result<T, Box<dyn Any + Send>> {
    quiet_caught_panics();
    CATCHING.set(true);
    let result = panic::catch_unwind(AssertUnwindSafe(step));
    CATCHING.set(false);
    result
}

/// Runs `step`, or `None` if it panics, without a word: for work done ahead of the checks that
/// decide whether it is needed, which then meet the same panic where they report it.
pub fn quietly<T>(step: impl FnOnce() -> T) -> Option<T> {
    catch(step).ok()
}

thread_local! {
    /// Set while this thread runs a step whose panics [`catch`] hands back.
    static CATCHING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs, once per process, a panic hook that stays silent for caught steps and hands
/// every other panic (another thread's, a test's) to the hook that was there before.
fn quiet_caught_panics() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CATCHING.get() {
                previous(info);
            }
        }));
    });
}
