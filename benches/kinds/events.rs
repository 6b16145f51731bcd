//! The small events of the per-kind benchmark, built two ways from the same
//! number `i`: as hand-written serde structs (the floor, one struct per
//! kind; an untagged enum of the four for the mix) and as the generated
//! types (through their checked constructors, with the index and event name
//! given as literals, as a program writes them). Both give the same bytes.
//!
//! - `view`: a view of one record (`ViewedObjectIDs`);
//! - `click`: a click on one record (`ClickedObjectIDs`);
//! - `click-search`: a click on two records after a search
//!   (`ClickedObjectIDsAfterSearch`, with positions and a query ID);
//! - `conversion`: a conversion of one record after a search
//!   (`ConvertedObjectIDsAfterSearch`);
//! - `mix`: the four in turn (`i % 4`).

use algolia_insights::models::{
    ClickedObjectIDs, ClickedObjectIDsAfterSearch, ConvertedObjectIDsAfterSearch, EventName,
    EventsItems, QueryID, UserToken, ViewedObjectIDs,
};
use serde::Serialize;

pub const KINDS: [&str; 5] = ["view", "click", "click-search", "conversion", "mix"];

const INDEX: &str = "products";
const QUERY_ID: &str = "7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f";

/// An event as a plain serde program would write it: one struct per kind.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Plain {
    View(PlainObjects),
    Click(PlainObjects),
    ClickSearch(PlainClickSearch),
    Conversion(PlainConversion),
}

/// A view or a click of records, without a search.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlainObjects {
    event_name: String,
    event_type: &'static str,
    index: String,
    #[serde(rename = "objectIDs")]
    object_ids: Vec<String>,
    user_token: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlainClickSearch {
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
pub struct PlainConversion {
    event_name: String,
    event_type: &'static str,
    index: String,
    #[serde(rename = "objectIDs")]
    object_ids: Vec<String>,
    #[serde(rename = "queryID")]
    query_id: String,
    user_token: String,
}

/// The body of a batch as the floor sends it.
#[derive(Serialize)]
pub struct PlainBatch<'a, T> {
    pub events: &'a [T],
}

/// Which kind the `i`th event of `kind` is (the mix takes each in turn).
fn kind_of(kind: &str, i: u64) -> &'static str {
    match kind {
        "mix" => KINDS[(i % 4) as usize],
        "view" => "view",
        "click" => "click",
        "click-search" => "click-search",
        "conversion" => "conversion",
        other => panic!("unknown kind `{other}`"),
    }
}

/// The floor's view or click.
pub fn plain_objects(kind: &str, i: u64) -> PlainObjects {
    let (event_name, event_type) = match kind {
        "view" => ("Product Viewed", "view"),
        _ => ("Product Clicked", "click"),
    };
    PlainObjects {
        event_name: event_name.to_string(),
        event_type,
        index: INDEX.to_string(),
        object_ids: vec![format!("sku-{i}")],
        user_token: format!("user-{i}"),
    }
}

pub fn plain_click_search(i: u64) -> PlainClickSearch {
    PlainClickSearch {
        event_name: "Product Clicked".to_string(),
        event_type: "click",
        index: INDEX.to_string(),
        object_ids: vec![format!("sku-{i}"), format!("sku-{}", i + 1)],
        positions: vec![position(i), position(i) + 1],
        query_id: QUERY_ID.to_string(),
        user_token: format!("user-{i}"),
    }
}

pub fn plain_conversion(i: u64) -> PlainConversion {
    PlainConversion {
        event_name: "Product Converted".to_string(),
        event_type: "conversion",
        index: INDEX.to_string(),
        object_ids: vec![format!("sku-{i}")],
        query_id: QUERY_ID.to_string(),
        user_token: format!("user-{i}"),
    }
}

/// The floor's `i`th event of `kind`, in the enum of the mix.
pub fn plain(kind: &str, i: u64) -> Plain {
    match kind_of(kind, i) {
        "view" => Plain::View(plain_objects("view", i)),
        "click" => Plain::Click(plain_objects("click", i)),
        "click-search" => Plain::ClickSearch(plain_click_search(i)),
        _ => Plain::Conversion(plain_conversion(i)),
    }
}

/// The same event as the generated types hold it.
pub fn typed(kind: &str, i: u64) -> EventsItems {
    let user_token = UserToken::new(format!("user-{i}")).expect("a valid user token");
    let name = |name: &'static str| EventName::new(name).expect("a valid event name");
    match kind_of(kind, i) {
        "view" => ViewedObjectIDs::new(
            name("Product Viewed"),
            INDEX,
            [format!("sku-{i}")],
            user_token,
        )
        .into(),
        "click" => ClickedObjectIDs::new(
            name("Product Clicked"),
            INDEX,
            [format!("sku-{i}")],
            user_token,
        )
        .into(),
        "click-search" => ClickedObjectIDsAfterSearch::new(
            name("Product Clicked"),
            INDEX,
            [format!("sku-{i}"), format!("sku-{}", i + 1)],
            [position(i), position(i) + 1],
            QueryID::new(QUERY_ID).expect("a valid query ID"),
            user_token,
        )
        .into(),
        _ => ConvertedObjectIDsAfterSearch::new(
            name("Product Converted"),
            INDEX,
            [format!("sku-{i}")],
            QueryID::new(QUERY_ID).expect("a valid query ID"),
            user_token,
        )
        .into(),
    }
}

fn position(i: u64) -> i64 {
    (i % 19) as i64 + 1
}
