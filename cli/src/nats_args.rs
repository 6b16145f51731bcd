//! The JetStream options shared by `send --nats` and `forward`, made into
//! the library's `NatsConfig`.

use crate::args::NatsArgs;
use algolia_insights::nats::NatsConfig;

pub fn nats_config(servers: &str, args: &NatsArgs) -> NatsConfig {
    let mut config = NatsConfig::new(servers);
    if let Some(stream) = &args.stream {
        config = config.stream(stream);
    }
    if let Some(subject) = &args.subject {
        config = config.subject(subject);
    }
    if let Some(consumer) = &args.consumer {
        config = config.consumer(consumer);
    }
    if let Some(dead_letter) = &args.dead_letter {
        config = config.dead_letter(dead_letter);
    }
    config
}
