//! The blocking client (feature `blocking`): every request builder's
//! `send_blocking` runs its `send` to the end on one tokio runtime that the
//! crate starts the first time it is needed, so that programs without an
//! async runtime get the same requests, options and retries.

use crate::error::Error;
use std::future::Future;
use std::sync::OnceLock;
use tokio::runtime::{Builder, Handle, Runtime};

/// The runtime of every blocking call: one worker thread drives the
/// connections and timers; each call's future runs on the calling thread.
fn shared_runtime() -> Result<&'static Runtime, Error> {
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("algolia-insights-blocking")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|message| Error::BlockingRuntime {
            message: message.clone(),
        })
}

/// Runs a request to the end on the shared runtime (what the generated
/// `send_blocking` calls).
///
/// # Errors
///
/// The request's own error; [`Error::BlockingInsideRuntime`] when called
/// inside an async runtime (blocking there would stall it, and tokio
/// refuses to nest runtimes); [`Error::BlockingRuntime`] when the runtime
/// cannot start.
pub fn block_on<T>(request: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    if Handle::try_current().is_ok() {
        return Err(Error::BlockingInsideRuntime);
    }
    shared_runtime()?.block_on(request)
}
