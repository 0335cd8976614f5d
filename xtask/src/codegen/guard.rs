//! Runs the generator libraries (typify, progenitor, syn) so that what they cannot handle,
//! whether they say so or panic, becomes a `SpecError` naming the spec, never a backtrace.

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
    let result = crate::quiet::catch(step);
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
