//! Publishing one message to a JetStream subject until the stream
//! acknowledges it (stored on a quorum of its replicas), trying again with
//! a growing wait until a deadline: the producer's publish and the
//! forwarder's dead letters go through it.

use async_nats::jetstream::{self, message::PublishMessage};
use std::time::Duration;
use tokio::time::Instant;

/// The first wait between two tries; each wait doubles, up to `RETRY_MOST`.
pub(crate) const RETRY_FIRST: Duration = Duration::from_millis(50);
pub(crate) const RETRY_MOST: Duration = Duration::from_secs(2);

/// Publishes what `message` builds (a new one for each try: a message id
/// makes the tries one message for the stream) to `subject` until the
/// stream acknowledges it, or until a try could not end before `deadline`.
/// Whether the stream found it a duplicate, or the last try's error;
/// `retried` hears each failed try that is tried again.
pub(crate) async fn until_acknowledged(
    context: &jetstream::Context,
    subject: &str,
    message: impl Fn() -> PublishMessage,
    deadline: Instant,
    mut retried: impl FnMut(&str),
) -> Result<bool, String> {
    let mut wait = RETRY_FIRST;
    loop {
        let tried = async {
            let ack = context
                .send_publish(subject.to_owned(), message())
                .await
                .map_err(|e| e.to_string())?;
            ack.await.map_err(|e| e.to_string())
        };
        let left = deadline.saturating_duration_since(Instant::now());
        let error = match tokio::time::timeout(left, tried).await {
            Ok(Ok(ack)) => return Ok(ack.duplicate),
            Ok(Err(error)) => error,
            Err(_) => "no acknowledgement in time".to_string(),
        };
        if Instant::now() + wait >= deadline {
            return Err(error);
        }
        retried(&error);
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(RETRY_MOST);
    }
}
