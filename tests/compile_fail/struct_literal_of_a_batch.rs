//! The batch too is built with `InsightsEvents::new`, not a literal.
use algolia_insights::models::*;

fn main() {
    let _batch = InsightsEvents { events: Vec::new() };
}
