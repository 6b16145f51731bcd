//! In the browser: the events still queued when the page is hidden or left
//! (`visibilitychange` to hidden, `pagehide`) are sent at once with
//! `navigator.sendBeacon`, a request the browser completes after the page
//! is gone; a `fetch` started then would be cancelled with the page. The
//! batches are the sender's own (taken from its queue, split in halves by
//! the same code that isolates rejected events until each fits a beacon);
//! a batch the browser refuses to beacon (over its quota) goes the usual
//! way, through `deliver`. A beacon's answer cannot be read: its events
//! count as delivered once the browser has taken them.

use super::batch::Batch;
use super::deliver::deliver;
use super::state::{BatchGuard, Shared};
use crate::operations::PushEvents;
use crate::runtime::platform;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::{Arc, Weak};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// The most bytes one beacon carries: browsers refuse beacons over 64 KiB
/// (all of a page's pending beacons together).
pub(crate) const BEACON_MAX_BYTES: usize = 60 * 1024;

/// The page's listeners of one sender, removed when the sender is dropped.
pub(crate) struct PageListeners {
    window: web_sys::Window,
    on_hide: Closure<dyn FnMut(web_sys::Event)>,
}

// SAFETY: wasm32 without the `atomics` target feature has one thread
// (`platform` refuses the other build): the listeners never leave it.
unsafe impl Send for PageListeners {}
// SAFETY: as above.
unsafe impl Sync for PageListeners {}

impl PageListeners {
    /// Listens for the page being hidden or left; `None` outside a window
    /// (a worker has no page to leave).
    pub(crate) fn install(shared: Weak<Shared>) -> Option<Self> {
        let window = web_sys::window()?;
        let document = window.document()?;
        let on_hide = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let hidden = event.type_() == "pagehide"
                || web_sys::window()
                    .and_then(|window| window.document())
                    .is_some_and(|document| {
                        document.visibility_state() == web_sys::VisibilityState::Hidden
                    });
            if let Some(shared) = shared.upgrade().filter(|_| hidden) {
                send_queued_by_beacon(&shared);
            }
        });
        let callback = on_hide.as_ref().unchecked_ref();
        let _ = window.add_event_listener_with_callback("pagehide", callback);
        let _ = document.add_event_listener_with_callback("visibilitychange", callback);
        Some(PageListeners { window, on_hide })
    }
}

impl Drop for PageListeners {
    fn drop(&mut self) {
        let callback = self.on_hide.as_ref().unchecked_ref();
        let _ = self
            .window
            .remove_event_listener_with_callback("pagehide", callback);
        if let Some(document) = self.window.document() {
            let _ = document.remove_event_listener_with_callback("visibilitychange", callback);
        }
    }
}

/// Sends every queued event now, by beacon: the batch being filled is
/// closed, and every closed batch waiting for a slot goes.
pub(crate) fn send_queued_by_beacon(shared: &Arc<Shared>) {
    let batches = shared.queue().take_ready();
    if batches.is_empty() {
        return;
    }
    let url = shared.client.transport().beacon_url(PushEvents::PATH);
    let navigator = web_sys::window().map(|window| window.navigator());
    for (number, batch) in batches {
        let guard = BatchGuard {
            shared: Arc::clone(shared),
            number,
        };
        shared
            .counters
            .dispatched
            .fetch_add(batch.len() as u64, SeqCst);
        shared.queue_gauge.changed(-(batch.len() as isize));
        let mut parts = vec![batch];
        let mut refused: Vec<Batch> = Vec::new();
        while let Some(part) = parts.pop() {
            if part.body().len() > BEACON_MAX_BYTES {
                if let Some((first, second)) = part.split() {
                    parts.push(second);
                    parts.push(first);
                    continue;
                }
            }
            let body = part.body();
            let sent = match (&url, &navigator, std::str::from_utf8(&body)) {
                (Some(url), Some(navigator), Ok(text)) => navigator
                    .send_beacon_with_opt_str(url, Some(text))
                    .unwrap_or(false),
                _ => false,
            };
            if sent {
                shared.counters.requests.fetch_add(1, SeqCst);
                shared.delivered(&part);
            } else {
                refused.push(part);
            }
        }
        if !refused.is_empty() {
            tracing::debug!(
                events = refused.iter().map(Batch::len).sum::<usize>(),
                "the browser refused a beacon: sending by fetch"
            );
            platform::spawn(async move {
                for part in refused {
                    deliver(&guard.shared, part).await;
                }
                drop(guard);
            });
        }
    }
}
