//! Where the NATS servers are, the names of the stream, consumer and
//! dead-letter subject, and how they are made when missing.

use std::fmt;
use std::time::Duration;

/// The settings of a [`NatsProducer`](super::NatsProducer) and a
/// [`Forwarder`](super::Forwarder); all but the servers have a default.
///
/// | setting | default |
/// | --- | --- |
/// | [`stream`](Self::stream) | `INSIGHTS_EVENTS` |
/// | [`subject`](Self::subject): where events are published | `insights.events` |
/// | [`consumer`](Self::consumer): the durable pull consumer the forwarders share | `insights-forwarder` |
/// | [`dead_letter`](Self::dead_letter): where rejected events go | `insights.dead-letter`, in the stream `<stream>_DEAD_LETTER` |
/// | [`replicas`](Self::replicas) of a stream created | the cluster's size, at most 3 |
/// | [`duplicate_window`](Self::duplicate_window) of a stream created | 2 minutes |
/// | [`ack_wait`](Self::ack_wait) of a consumer created | 60 s |
/// | [`max_ack_pending`](Self::max_ack_pending) of a consumer created | 100 000 |
/// | [`publish_timeout`](Self::publish_timeout): how long `send` tries | 30 s |
/// | [`max_pending_publishes`](Self::max_pending_publishes) | 1024 |
///
/// A stream created here keeps its messages in files, with work-queue
/// retention (a message leaves it once a forwarder acknowledged it); the
/// dead-letter stream keeps them (limits retention) with the same replicas.
/// A consumer created here acknowledges each message explicitly and
/// redelivers without a limit. Existing streams and consumers are used as
/// they are; [`create_missing(false)`](Self::create_missing) makes a
/// missing one an error instead.
#[derive(Clone)]
pub struct NatsConfig {
    pub(crate) servers: Vec<String>,
    pub(crate) stream: String,
    pub(crate) subject: String,
    pub(crate) consumer: String,
    pub(crate) dead_letter: String,
    pub(crate) replicas: Option<usize>,
    pub(crate) duplicate_window: Duration,
    pub(crate) ack_wait: Duration,
    pub(crate) max_ack_pending: i64,
    pub(crate) create_missing: bool,
    pub(crate) publish_timeout: Duration,
    pub(crate) max_pending_publishes: usize,
}

impl NatsConfig {
    /// The defaults, with the NATS servers to connect to: URLs such as
    /// `nats://127.0.0.1:4222`, separated by commas (any one of a cluster
    /// is enough; the others are learned from it).
    pub fn new(servers: &str) -> Self {
        NatsConfig {
            servers: servers
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            stream: "INSIGHTS_EVENTS".into(),
            subject: "insights.events".into(),
            consumer: "insights-forwarder".into(),
            dead_letter: "insights.dead-letter".into(),
            replicas: None,
            duplicate_window: Duration::from_secs(120),
            ack_wait: Duration::from_secs(60),
            max_ack_pending: 100_000,
            create_missing: true,
            publish_timeout: Duration::from_secs(30),
            max_pending_publishes: 1024,
        }
    }

    /// The stream's name.
    #[must_use]
    pub fn stream(mut self, name: impl Into<String>) -> Self {
        self.stream = name.into();
        self
    }

    /// The subject events are published to (the stream created here takes it).
    #[must_use]
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = subject.into();
        self
    }

    /// The name of the durable consumer every forwarder shares.
    #[must_use]
    pub fn consumer(mut self, name: impl Into<String>) -> Self {
        self.consumer = name.into();
        self
    }

    /// The subject rejected events are published to. When no stream takes
    /// it, one named `<stream>_DEAD_LETTER` is created for it.
    #[must_use]
    pub fn dead_letter(mut self, subject: impl Into<String>) -> Self {
        self.dead_letter = subject.into();
        self
    }

    /// How many servers keep each message of a stream created here (1 to
    /// 5; by default the cluster's size, at most 3).
    #[must_use]
    pub fn replicas(mut self, replicas: usize) -> Self {
        self.replicas = Some(replicas.clamp(1, 5));
        self
    }

    /// How long a stream created here remembers message ids, to store a
    /// message published twice once.
    #[must_use]
    pub fn duplicate_window(mut self, window: Duration) -> Self {
        self.duplicate_window = window;
        self
    }

    /// How long a consumer created here waits for a forwarder's
    /// acknowledgement before it gives the message to another forwarder.
    /// A forwarder sends progress acknowledgements four times per
    /// `ack_wait` while it holds a message, so this bounds how long the
    /// messages of a forwarder that died wait; keep it longer than the
    /// longest request (the client's write timeout, 30 s by default).
    #[must_use]
    pub fn ack_wait(mut self, wait: Duration) -> Self {
        self.ack_wait = wait.max(Duration::from_secs(1));
        self
    }

    /// The most messages a consumer created here hands out without an
    /// acknowledgement, over every forwarder: at least the sum of their
    /// `queue_capacity`, or forwarders wait for each other.
    #[must_use]
    pub fn max_ack_pending(mut self, messages: u32) -> Self {
        self.max_ack_pending = i64::from(messages.max(1));
        self
    }

    /// Whether streams and the consumer are created when missing (the
    /// default), or a missing one is an error.
    #[must_use]
    pub fn create_missing(mut self, create: bool) -> Self {
        self.create_missing = create;
        self
    }

    /// How long a producer's `send` tries to have an event stored (without
    /// a quorum, or while the stream is at its limits) before it fails.
    #[must_use]
    pub fn publish_timeout(mut self, timeout: Duration) -> Self {
        self.publish_timeout = timeout;
        self
    }

    /// How many publishes a producer has waiting for the stream's
    /// acknowledgement at once; then `send` waits and `try_send` fails.
    #[must_use]
    pub fn max_pending_publishes(mut self, publishes: usize) -> Self {
        self.max_pending_publishes = publishes.clamp(1, tokio::sync::Semaphore::MAX_PERMITS);
        self
    }

    /// The servers, with any user and password in their URLs left out.
    pub(crate) fn servers_shown(&self) -> String {
        self.servers
            .iter()
            .map(|url| match (url.find("://"), url.rfind('@')) {
                (Some(scheme), Some(at)) if at > scheme => {
                    format!("{}***@{}", &url[..scheme + 3], &url[at + 1..])
                }
                (None, Some(at)) => format!("***@{}", &url[at + 1..]),
                _ => url.clone(),
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl fmt::Debug for NatsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NatsConfig")
            // URLs may carry credentials.
            .field("servers", &self.servers_shown())
            .field("stream", &self.stream)
            .field("subject", &self.subject)
            .field("consumer", &self.consumer)
            .field("dead_letter", &self.dead_letter)
            .field("replicas", &self.replicas)
            .field("duplicate_window", &self.duplicate_window)
            .field("ack_wait", &self.ack_wait)
            .field("max_ack_pending", &self.max_ack_pending)
            .field("create_missing", &self.create_missing)
            .field("publish_timeout", &self.publish_timeout)
            .field("max_pending_publishes", &self.max_pending_publishes)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_are_split_and_their_passwords_never_shown() {
        let config = NatsConfig::new("nats://user:s3cret@a:4222, b:4222,");
        assert_eq!(config.servers, ["nats://user:s3cret@a:4222", "b:4222"]);
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("nats://***@a:4222,b:4222"), "{shown}");
    }
}
