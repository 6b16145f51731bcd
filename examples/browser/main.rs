//! The example page's code (examples/browser/index.html): every click on a
//! product button is an Insights `click` event handed to the crate's
//! batching [`Sender`], which sends them in batches, and sends what is
//! still queued when the page is hidden or left.
//!
//! Build: `bash examples/browser/build.sh` (wasm32, then `wasm-bindgen
//! --target web` into `examples/browser/pkg/`), then serve
//! `examples/browser/` over HTTP.

#[cfg(target_arch = "wasm32")]
mod page {
    use algolia_insights::models::*;
    use algolia_insights::sender::{Sender, SenderConfig};
    use algolia_insights::Client;
    use std::cell::RefCell;
    use std::time::Duration;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    thread_local! {
        /// The page's one sender, alive as long as the page.
        static SENDER: RefCell<Option<Sender>> = const { RefCell::new(None) };
    }

    /// Starts recording clicks on `button[data-object]`, sending to `host`.
    #[wasm_bindgen]
    pub fn start(host: &str, app_id: &str, api_key: &str) -> Result<(), JsValue> {
        let client = Client::builder(app_id, api_key)
            .hosts([host])
            .build()
            .map_err(|error| JsValue::from_str(&error.to_string()))?;
        // A minute's delay: a click waits for others, or for the page to
        // be hidden or left, to go in one request.
        let sender = client.sender(SenderConfig::new().max_delay(Duration::from_secs(60)));
        SENDER.with_borrow_mut(|slot| *slot = Some(sender));
        let document = web_sys::window()
            .and_then(|window| window.document())
            .ok_or("no document")?;
        let on_click = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
            let Some(button) = event
                .target()
                .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            if let Some(object) = button.get_attribute("data-object") {
                clicked(&object);
            }
        });
        document.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())?;
        // The page's listener lives as long as the page.
        on_click.forget();
        show("ready: click a product");
        Ok(())
    }

    fn clicked(object: &str) {
        let event = ClickedObjectIDs::new(
            EventName::new("Product Clicked").expect("a valid name"),
            "products",
            [object],
            UserToken::new("example-visitor").expect("a valid token"),
        );
        SENDER.with_borrow(|sender| {
            if let Some(sender) = sender {
                match sender.try_send(event) {
                    Ok(()) => {
                        let stats = sender.stats();
                        show(&format!(
                            "{} clicks recorded, {} queued, {} sent",
                            stats.enqueued, stats.queue_depth, stats.delivered
                        ));
                    }
                    Err(error) => show(&format!("not recorded: {error}")),
                }
            }
        });
    }

    fn show(text: &str) {
        if let Some(status) = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.get_element_by_id("status"))
        {
            status.set_text_content(Some(text));
        }
    }
}
