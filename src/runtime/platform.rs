//! What differs between a native program and a web page (wasm32): the
//! clocks, waiting, starting a task and a random number. Natively these are
//! tokio's and the standard library's; in the browser, the page's clocks
//! (`performance.now()`, `Date.now()`), `setTimeout` and the page's own
//! task queue (`wasm-bindgen-futures`), with no tokio runtime. Everything
//! else — the retries, the host failover, the sender's batching — is the
//! same code on both.

use std::future::Future;
use std::time::{Duration, SystemTime};

/// A point on a monotonic clock.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use tokio::time::Instant;
/// A point on a monotonic clock (`performance.now()`).
#[cfg(target_arch = "wasm32")]
pub(crate) use web_time::Instant;

/// The time went by before the future was done.
#[derive(Debug)]
pub(crate) struct Elapsed;

/// The wall clock, now.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn now() -> SystemTime {
    SystemTime::now()
}

/// The wall clock, now (`Date.now()`: `SystemTime::now` panics in a browser).
#[cfg(target_arch = "wasm32")]
pub(crate) fn now() -> SystemTime {
    std::time::UNIX_EPOCH + Duration::from_millis(js_sys::Date::now() as u64)
}

/// Waits for `duration`.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) async fn sleep(duration: Duration) {
    tokio::time::sleep(duration).await;
}

/// Waits for `duration`, through the page's `setTimeout`.
#[cfg(target_arch = "wasm32")]
pub(crate) async fn sleep(duration: Duration) {
    Local(browser::sleep(duration)).await;
}

/// Runs `future` until it ends or `duration` has passed.
pub(crate) async fn timeout<F: Future>(
    duration: Duration,
    future: F,
) -> Result<F::Output, Elapsed> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        tokio::time::timeout(duration, future)
            .await
            .map_err(|_| Elapsed)
    }
    #[cfg(target_arch = "wasm32")]
    {
        use std::pin::pin;
        use std::task::Poll;
        let mut future = pin!(future);
        let mut timer = pin!(sleep(duration));
        std::future::poll_fn(|cx| {
            if let Poll::Ready(output) = future.as_mut().poll(cx) {
                return Poll::Ready(Ok(output));
            }
            timer.as_mut().poll(cx).map(|()| Err(Elapsed))
        })
        .await
    }
}

/// Starts `future` as a task of its own, on the current tokio runtime.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn spawn<F: Future<Output = ()> + Send + 'static>(future: F) {
    tokio::spawn(future);
}

/// Starts `future` as a task of its own, on the page's task queue.
#[cfg(target_arch = "wasm32")]
pub(crate) fn spawn<F: Future<Output = ()> + 'static>(future: F) {
    wasm_bindgen_futures::spawn_local(future);
}

/// A future of the browser, which holds JavaScript values (not `Send`),
/// made `Send` so that the same request futures serve both platforms
/// (the generated operations return `Send` futures).
#[cfg(target_arch = "wasm32")]
pub(crate) struct Local<F>(pub(crate) F);

// wasm32 without the `atomics` target feature has a single thread: a value
// is never sent to another, whatever its type says.
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
compile_error!(
    "algolia-insights in the browser supports wasm32 without threads (no `atomics` target feature)"
);
#[cfg(target_arch = "wasm32")]
// SAFETY: see above: there is no other thread to send the future to.
unsafe impl<F> Send for Local<F> {}

#[cfg(target_arch = "wasm32")]
impl<F: Future> Future for Local<F> {
    type Output = F::Output;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<F::Output> {
        // SAFETY: a projection of the pin to the only field, never moved out.
        unsafe { self.map_unchecked_mut(|local| &mut local.0) }.poll(cx)
    }
}

/// Natively a request's future is `Send` as it is.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn local<F: Future>(future: F) -> F {
    future
}

/// In the browser, wrapped: see [`Local`].
#[cfg(target_arch = "wasm32")]
pub(crate) fn local<F: Future>(future: F) -> Local<F> {
    Local(future)
}

/// A number in [0, 1), different on each call (not for cryptography).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn random_fraction() -> f64 {
    use std::hash::{BuildHasher, RandomState};
    let random = RandomState::new().hash_one(std::time::Instant::now());
    (random >> 11) as f64 / (1u64 << 53) as f64
}

/// A number in [0, 1), different on each call (`Math.random()`).
#[cfg(target_arch = "wasm32")]
pub(crate) fn random_fraction() -> f64 {
    js_sys::Math::random()
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use std::time::Duration;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// The global scope's `setTimeout` (a window's or a worker's).
        #[wasm_bindgen(js_name = setTimeout)]
        fn set_timeout(handler: &js_sys::Function, millis: i32) -> JsValue;
    }

    /// A promise that `setTimeout` resolves after `duration`, awaited.
    pub(super) async fn sleep(duration: Duration) {
        let millis = i32::try_from(duration.as_millis()).unwrap_or(i32::MAX);
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            set_timeout(&resolve, millis);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}
