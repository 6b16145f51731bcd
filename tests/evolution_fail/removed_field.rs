//! A field the spec removed (`Instantsearch.agentID`): code that set it or
//! read it no longer compiles, and the compiler names the field.

#[allow(dead_code)]
mod api {
    include!("../../target/evolution-clients/removed_field.rs");
}

use api::models::{AgentID, EventName, Instantsearch, UserToken};

fn with_agent(event: Instantsearch) -> Instantsearch {
    event.agent_id(AgentID::new("agent-session-42").unwrap())
}

fn agent_of(event: &Instantsearch) -> Option<&AgentID> {
    event.agent_id.as_ref()
}

fn main() {
    let event = Instantsearch::new(
        EventName::new("Agent Session Started").unwrap(),
        UserToken::new("anonymous-user-1").unwrap(),
    );
    println!("{:?}", agent_of(&with_agent(event)));
}
