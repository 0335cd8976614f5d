//! The options of a generated router, read by the runtime while it serves.

/// Limits and checks of a router.
#[derive(Debug, Clone)]
pub struct Options {
    /// The largest request body read, in bytes; more is 413.
    pub body_limit: usize,
    /// Whether each JSON answer is checked against the schema the spec documents for its
    /// status before it is sent; one that does not match is logged and replaced by 500
    /// `unexpected`. On by default in debug builds; it costs a schema validation per answer.
    pub check_responses: bool,
    /// Whether requests may ask for a scenario (a `Prefer` header, or one bound to the caller):
    /// a documented status, a named example, a random body, a delay. On by default; off, the
    /// implementation answers every request.
    pub scenarios: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            body_limit: 1024 * 1024,
            check_responses: cfg!(debug_assertions),
            scenarios: true,
        }
    }
}
