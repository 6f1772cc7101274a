//! End-to-end tests of the `dlp` binary live in `tests/tests/`.
