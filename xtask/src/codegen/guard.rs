//! Runs the generator libraries (typify, progenitor, syn) so that what they cannot handle,
//! whether they say so or panic, becomes a `SpecError` naming the spec, never a backtrace.

use std::panic::{self, AssertUnwindSafe};

use crate::spec::{self, Spec, SpecError};

/// Runs a code generator step, turning its errors and panics into a `SpecError` on the spec.
pub fn guarded<T>(
    spec: &Spec,
    what: &str,
    step: impl FnOnce() -> Result<T, String>,
) -> Result<T, SpecError> {
    let fail = |message: String| {
        SpecError::file(
            &spec.shown,
            format!("cannot generate the {what}: {message}"),
        )
    };
    // The generator may panic on constructs it does not support; the user needs to know which
    // spec failed and why, not to read a backtrace.
    quiet_generator_panics();
    GENERATING.set(true);
    let result = panic::catch_unwind(AssertUnwindSafe(step));
    GENERATING.set(false);
    match result {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(message)) => Err(fail(message)),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "the generator stopped on an unsupported construct".into());
            Err(fail(message))
        }
    }
}

/// Runs `step`, or `None` if it panics, without a word: for work done ahead of the checks that
/// decide whether it is needed, which then meet the same panic where they report it.
pub fn quietly<T>(step: impl FnOnce() -> T) -> Option<T> {
    quiet_generator_panics();
    GENERATING.set(true);
    let result = panic::catch_unwind(AssertUnwindSafe(step));
    GENERATING.set(false);
    result.ok()
}

thread_local! {
    /// Set while this thread runs a generator step whose panics `guarded` reports itself.
    static GENERATING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs, once per process, a panic hook that stays silent for generator steps and hands
/// every other panic (another thread's, a test's) to the hook that was there before.
fn quiet_generator_panics() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !GENERATING.get() {
                previous(info);
            }
        }));
    });
}

/// Like `guarded`, and when the generator's message quotes the schema it stopped on, points at
/// that schema in the spec.
pub fn guarded_in<T>(
    spec: &Spec,
    what: &str,
    step: impl FnOnce() -> Result<T, String>,
) -> Result<T, SpecError> {
    guarded(spec, what, step).map_err(|e| {
        let quoted = e
            .message
            .find('{')
            .and_then(|start| serde_json::from_str(&e.message[start..]).ok());
        let Some(pointer) = quoted.and_then(|schema| spec::find_pointer(&spec.json, &schema))
        else {
            return e;
        };
        // The location now names the schema; keep the message to one line.
        let message = match e.message.find(":\n{") {
            Some(cut) => &e.message[..cut],
            None => &e.message,
        };
        SpecError::at(spec, pointer, message)
    })
}
