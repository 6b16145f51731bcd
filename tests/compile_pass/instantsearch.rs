//! Telemetry from InstantSearch for agentic analytics: no index, no records.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let event = Instantsearch::new(
        EventName::new("Agent Session Started")?,
        UserToken::new("anonymous-user-1")?,
    )
    .agent_id(AgentID::new("agent-session-42")?)
    .timestamp(now_millis());
    event.validate()?;

    let item = EventsItems::from(event);
    let wire = serde_json::to_value(&item)?;
    assert_eq!(wire["eventType"], "instantsearch");
    assert_eq!(wire["agentID"], "agent-session-42");
    assert!(wire.get("index").is_none(), "no index: {wire}");

    let back: EventsItems = serde_json::from_str(&serde_json::to_string(&item)?)?;
    assert_eq!(back.variant_name(), "Instantsearch");
    assert_eq!(back, item);
    InsightsEvents::new([item]).validate()?;
    Ok(())
}

fn now_millis() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970");
    i64::try_from(since_epoch.as_millis()).expect("fits in i64")
}
