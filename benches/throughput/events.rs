//! The benchmark's events, built two ways from the same number `i`: as
//! hand-written serde structs (the floor) and as the generated
//! types (through their checked constructors). Both serialize to the same
//! bytes. A third are clicks after a search, a third views, a third
//! purchases after a search; each has its own user token, `user-<i>`.

use algolia_insights::models::{
    ClickedObjectIDsAfterSearch, Currency, EventName, EventsItems, ObjectDataAfterSearch,
    PurchasedObjectIDsAfterSearch, QueryID, UserToken, ViewedObjectIDs,
};
use serde::Serialize;

const QUERY_ID: &str = "7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f";
const PRICE: f64 = 19.99;
const QUANTITY: i32 = 2;

/// An event as a plain serde program would write it.
#[derive(Serialize)]
#[serde(untagged)]
pub enum PlainEvent {
    Click(PlainClick),
    View(PlainView),
    Purchase(PlainPurchase),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlainClick {
    event_name: String,
    event_type: &'static str,
    index: String,
    #[serde(rename = "objectIDs")]
    object_ids: Vec<String>,
    positions: Vec<i64>,
    #[serde(rename = "queryID")]
    query_id: String,
    user_token: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlainView {
    event_name: String,
    event_type: &'static str,
    index: String,
    #[serde(rename = "objectIDs")]
    object_ids: Vec<String>,
    user_token: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlainPurchase {
    event_name: String,
    event_type: &'static str,
    event_subtype: &'static str,
    index: String,
    #[serde(rename = "objectIDs")]
    object_ids: Vec<String>,
    user_token: String,
    currency: String,
    object_data: Vec<PlainObjectData>,
    value: f64,
}

#[derive(Serialize)]
pub struct PlainObjectData {
    #[serde(rename = "queryID")]
    query_id: String,
    price: f64,
    quantity: i32,
}

/// The body of a batch, as the floor sends it: borrowed from the events
/// built before the clock started.
#[derive(Serialize)]
pub struct PlainBatchRef<'a> {
    pub events: &'a [PlainEvent],
}

pub fn plain(i: u64) -> PlainEvent {
    let user_token = format!("user-{i}");
    match i % 3 {
        0 => PlainEvent::Click(PlainClick {
            event_name: "Product Clicked".to_string(),
            event_type: "click",
            index: "products".to_string(),
            object_ids: vec![format!("sku-{i}")],
            positions: vec![position(i)],
            query_id: QUERY_ID.to_string(),
            user_token,
        }),
        1 => PlainEvent::View(PlainView {
            event_name: "Product Viewed".to_string(),
            event_type: "view",
            index: "products".to_string(),
            object_ids: vec![format!("sku-{i}"), format!("sku-{}", i + 1)],
            user_token,
        }),
        _ => PlainEvent::Purchase(PlainPurchase {
            event_name: "Order Completed".to_string(),
            event_type: "conversion",
            event_subtype: "purchase",
            index: "products".to_string(),
            object_ids: vec![format!("sku-{i}")],
            user_token,
            currency: "USD".to_string(),
            object_data: vec![PlainObjectData {
                query_id: QUERY_ID.to_string(),
                price: PRICE,
                quantity: QUANTITY,
            }],
            value: PRICE * f64::from(QUANTITY),
        }),
    }
}

/// The same event as the generated types hold it; the constructors of the
/// checked strings (`EventName`, `UserToken`, ...) run their checks.
pub fn typed(i: u64) -> EventsItems {
    let user_token = UserToken::new(format!("user-{i}")).expect("a valid user token");
    let name = |name: &'static str| EventName::new(name).expect("a valid event name");
    match i % 3 {
        0 => ClickedObjectIDsAfterSearch::new(
            name("Product Clicked"),
            "products",
            [format!("sku-{i}")],
            [position(i)],
            QueryID::new(QUERY_ID).expect("a valid query ID"),
            user_token,
        )
        .into(),
        1 => ViewedObjectIDs::new(
            name("Product Viewed"),
            "products",
            [format!("sku-{i}"), format!("sku-{}", i + 1)],
            user_token,
        )
        .into(),
        _ => PurchasedObjectIDsAfterSearch::new(
            name("Order Completed"),
            "products",
            [format!("sku-{i}")],
            user_token,
            [ObjectDataAfterSearch::new()
                .query_id(QUERY_ID)
                .price(PRICE)
                .quantity(QUANTITY)],
        )
        .currency(Currency::new("USD").expect("a valid currency"))
        .value(PRICE * f64::from(QUANTITY))
        .into(),
    }
}

fn position(i: u64) -> i64 {
    (i % 20) as i64 + 1
}

/// Panics unless both ways give the same JSON: the comparison is only fair
/// if the same bytes go over the wire.
pub fn check_same_json() {
    for i in 0..30 {
        let plain = serde_json::to_string(&plain(i)).expect("plain events serialize");
        let typed = serde_json::to_string(&typed(i)).expect("typed events serialize");
        assert_eq!(
            plain, typed,
            "event {i} differs between the floor and the client"
        );
    }
}
