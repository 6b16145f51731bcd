//! New event types may come with new versions of the spec: a match on
//! `EventsItems` outside the crate needs a wildcard arm.
use algolia_insights::models::EventsItems;

fn kind(event: &EventsItems) -> &'static str {
    match event {
        EventsItems::ClickedObjectIDsAfterSearch(_) => "click",
        EventsItems::AddedToCartObjectIDsAfterSearch(_) => "conversion",
        EventsItems::PurchasedObjectIDsAfterSearch(_) => "conversion",
        EventsItems::ConvertedObjectIDsAfterSearch(_) => "conversion",
        EventsItems::ClickedObjectIDs(_) => "click",
        EventsItems::PurchasedObjectIDs(_) => "conversion",
        EventsItems::AddedToCartObjectIDs(_) => "conversion",
        EventsItems::ConvertedObjectIDs(_) => "conversion",
        EventsItems::ClickedFilters(_) => "click",
        EventsItems::ConvertedFilters(_) => "conversion",
        EventsItems::ViewedObjectIDs(_) => "view",
        EventsItems::ViewedFilters(_) => "view",
        EventsItems::Instantsearch(_) => "instantsearch",
    }
}

fn main() {
    let _ = kind;
}
