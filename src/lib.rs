//! End-to-end tests of the authapi workspace live in `tests/`; this library is empty.
