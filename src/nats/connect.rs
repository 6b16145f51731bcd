//! Connecting to NATS and finding, or creating, the stream, the
//! dead-letter stream and the forwarders' consumer.

use super::{NatsConfig, NatsError};
use async_nats::jetstream::{self, consumer, stream};
use async_nats::ServerAddr;
use std::time::Duration;

/// How long connecting to a server may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A connection to `config`'s servers and its JetStream context.
pub(crate) async fn connect(
    config: &NatsConfig,
) -> Result<(async_nats::Client, jetstream::Context), NatsError> {
    let error = |message: String| NatsError::Connect {
        servers: config.servers_shown(),
        message,
    };
    let addresses = config
        .servers
        .iter()
        .map(|url| url.parse::<ServerAddr>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| error(e.to_string()))?;
    if addresses.is_empty() {
        return Err(error("no server given".into()));
    }
    let client = async_nats::ConnectOptions::new()
        .name("algolia-insights")
        .connection_timeout(CONNECT_TIMEOUT)
        .connect(addresses)
        .await
        .map_err(|e| error(e.to_string()))?;
    let context = jetstream::new(client.clone());
    Ok((client, context))
}

/// Replicas for a stream created here: as configured, else the size of the
/// cluster (the servers the one we reached tells of), at most 3.
fn replicas(config: &NatsConfig, client: &async_nats::Client) -> usize {
    config.replicas.unwrap_or_else(|| {
        let info = client.server_info();
        info.connect_urls.len().clamp(1, 3)
    })
}

/// Finds the stream of events, creating it when missing (if allowed).
pub(crate) async fn events_stream(
    config: &NatsConfig,
    client: &async_nats::Client,
    context: &jetstream::Context,
) -> Result<stream::Stream, NatsError> {
    let wanted = stream::Config {
        name: config.stream.clone(),
        subjects: vec![config.subject.clone()],
        retention: stream::RetentionPolicy::WorkQueue,
        storage: stream::StorageType::File,
        num_replicas: replicas(config, client),
        duplicate_window: config.duplicate_window,
        ..Default::default()
    };
    find_or_create(config, context, wanted).await
}

/// Makes sure a stream takes the dead-letter subject, creating
/// `<stream>_DEAD_LETTER` for it when none does (if allowed).
pub(crate) async fn dead_letter_stream(
    config: &NatsConfig,
    client: &async_nats::Client,
    context: &jetstream::Context,
) -> Result<(), NatsError> {
    if context.stream_by_subject(&config.dead_letter).await.is_ok() {
        return Ok(());
    }
    let wanted = stream::Config {
        name: format!("{}_DEAD_LETTER", config.stream),
        subjects: vec![config.dead_letter.clone()],
        retention: stream::RetentionPolicy::Limits,
        storage: stream::StorageType::File,
        num_replicas: replicas(config, client),
        duplicate_window: config.duplicate_window,
        ..Default::default()
    };
    find_or_create(config, context, wanted).await.map(drop)
}

async fn find_or_create(
    config: &NatsConfig,
    context: &jetstream::Context,
    wanted: stream::Config,
) -> Result<stream::Stream, NatsError> {
    let name = wanted.name.clone();
    let error = |message: String| NatsError::Stream {
        stream: name.clone(),
        message,
    };
    match context.get_stream(&wanted.name).await {
        Ok(stream) => return Ok(stream),
        Err(e)
            if matches!(
                e.kind(),
                jetstream::context::GetStreamErrorKind::JetStream(_)
            ) =>
        {
            if !config.create_missing {
                return Err(error(format!("{e} (and create_missing is off)")));
            }
        }
        Err(e) => return Err(error(e.to_string())),
    }
    match context.create_stream(wanted.clone()).await {
        Ok(stream) => Ok(stream),
        // Another process created it meanwhile.
        Err(_) => context
            .get_stream(&wanted.name)
            .await
            .map_err(|e| error(e.to_string())),
    }
}

/// Finds the forwarders' durable pull consumer, creating it when missing.
pub(crate) async fn consumer(
    config: &NatsConfig,
    stream: &stream::Stream,
) -> Result<consumer::PullConsumer, NatsError> {
    let error = |message: String| NatsError::Consumer {
        consumer: config.consumer.clone(),
        stream: config.stream.clone(),
        message,
    };
    match stream
        .get_consumer::<consumer::pull::Config>(&config.consumer)
        .await
    {
        Ok(consumer) => return Ok(consumer),
        Err(e) if !config.create_missing => {
            return Err(error(format!("{e} (and create_missing is off)")))
        }
        Err(_) => {}
    }
    let wanted = consumer::pull::Config {
        durable_name: Some(config.consumer.clone()),
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait: config.ack_wait,
        max_deliver: -1,
        max_ack_pending: config.max_ack_pending,
        ..Default::default()
    };
    match stream.create_consumer(wanted).await {
        Ok(consumer) => Ok(consumer),
        Err(_) => stream
            .get_consumer(&config.consumer)
            .await
            .map_err(|e| error(e.to_string())),
    }
}
