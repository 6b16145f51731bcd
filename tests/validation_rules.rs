//! Every rule of the spec that the client enforces before a request is sent,
//! each checked with the exact path and message a user reads: the newtype
//! constructors (`UserToken::new`), `validate()` on events and batches,
//! deserialization of wire JSON, and `push_events`, which refuses an invalid
//! batch without sending it.

use algolia_insights::models::*;
use algolia_insights::validation::{
    ConstraintError, Severity, Validate, ValidationContext, ValidationErrors,
};
use algolia_insights::{Client, Error};
use serde_json::{json, Value as Json};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The clock of every check below (Unix milliseconds, October 2025).
const NOW: i64 = 1_760_000_000_000;
const DAY: i64 = 86_400_000;
const QUERY_ID: &str = "7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f";

fn at_now() -> ValidationContext {
    ValidationContext::now().at(NOW)
}

/// Every violation of `value`, as a user reads it (`path: message`), in order.
fn problems(value: &impl Validate) -> Vec<String> {
    match value.validate_with(&at_now()) {
        Ok(()) => Vec::new(),
        Err(errors) => errors
            .violations()
            .iter()
            .map(ToString::to_string)
            .collect(),
    }
}

/// The message of a value a newtype refuses.
fn refused<T: std::fmt::Debug>(result: Result<T, ConstraintError>) -> String {
    result.expect_err("the value breaks a rule").to_string()
}

fn name() -> EventName {
    EventName::new("Product Clicked").unwrap()
}

fn user() -> UserToken {
    UserToken::new("anonymous-user-1").unwrap()
}

fn query_id() -> QueryID {
    QueryID::new(QUERY_ID).unwrap()
}

fn ids(count: usize) -> Vec<String> {
    (1..=count).map(|i| format!("sku-{i}")).collect()
}

fn click_after_search(
    object_ids: usize,
    positions: impl IntoIterator<Item = i64>,
) -> ClickedObjectIDsAfterSearch {
    ClickedObjectIDsAfterSearch::new(
        name(),
        "products",
        ids(object_ids),
        positions,
        query_id(),
        user(),
    )
}

fn purchase_after_search(object_ids: usize, object_data: usize) -> PurchasedObjectIDsAfterSearch {
    let data = (0..object_data).map(|_| ObjectDataAfterSearch::new().query_id(QUERY_ID).price(1.5));
    PurchasedObjectIDsAfterSearch::new(name(), "products", ids(object_ids), user(), data)
}

// ---------------------------------------------------------------------------
// Newtypes: a value that breaks a rule cannot be built at all.
// ---------------------------------------------------------------------------

#[test]
fn an_event_name_is_1_to_64_printable_ascii_characters() {
    assert!(EventName::new("a".repeat(64)).is_ok());
    assert!(EventName::new(" ~ Product Clicked ~ ").is_ok());
    assert_eq!(refused(EventName::new("")), "0 characters, at least 1");
    assert_eq!(
        refused(EventName::new("a".repeat(65))),
        "65 characters, at most 64"
    );
    assert_eq!(
        refused(EventName::new("Product\tClicked")),
        "`Product\tClicked` does not match the pattern `^[\\x20-\\x7E]{1,64}$`"
    );
    // Counted in characters: 64 of them pass the length check (128 bytes),
    // and are then refused for not being ASCII.
    assert_eq!(
        refused(EventName::new("é".repeat(64))),
        format!(
            "`{}…` does not match the pattern `^[\\x20-\\x7E]{{1,64}}$`",
            "é".repeat(40)
        )
    );
}

#[test]
fn a_user_token_is_1_to_129_safe_characters() {
    assert!(UserToken::new("a".repeat(129)).is_ok());
    assert!(UserToken::new("Ab0_=/+-").is_ok());
    assert_eq!(refused(UserToken::new("")), "0 characters, at least 1");
    assert_eq!(
        refused(UserToken::new("a".repeat(130))),
        "130 characters, at most 129"
    );
    assert_eq!(
        refused(UserToken::new("jane@example.com")),
        "`jane@example.com` does not match the pattern `^[a-zA-Z0-9_=/+-]{1,129}$`"
    );
    assert_eq!(
        refused("user 1".parse::<UserToken>()),
        "`user 1` does not match the pattern `^[a-zA-Z0-9_=/+-]{1,129}$`"
    );
}

#[test]
fn an_authenticated_user_token_has_the_same_rules() {
    assert!(AuthenticatedUserToken::new("a".repeat(129)).is_ok());
    assert_eq!(
        refused(AuthenticatedUserToken::new("")),
        "0 characters, at least 1"
    );
    assert_eq!(
        refused(AuthenticatedUserToken::new("a".repeat(130))),
        "130 characters, at most 129"
    );
    assert_eq!(
        refused(AuthenticatedUserToken::try_from("jane.doe")),
        "`jane.doe` does not match the pattern `^[a-zA-Z0-9_=/+-]{1,129}$`"
    );
}

#[test]
fn a_query_id_is_32_lowercase_hex_digits_or_an_agent_message_id() {
    assert!(QueryID::new(QUERY_ID).is_ok());
    assert!(QueryID::new(format!("message_{}", "x".repeat(120))).is_ok());
    assert_eq!(
        refused(QueryID::new(format!("message_{}", "x".repeat(121)))),
        "129 characters, at most 128"
    );
    assert_eq!(
        refused(QueryID::new(QUERY_ID.to_uppercase())),
        "`7F3C2A9E51B04D6C8E2F1A0B9C8D7E6F` does not match the pattern `^([0-9a-f]{32}|message_[!-~]+)$`"
    );
    assert_eq!(
        refused(QueryID::new(&QUERY_ID[..31])),
        "`7f3c2a9e51b04d6c8e2f1a0b9c8d7e6` does not match the pattern `^([0-9a-f]{32}|message_[!-~]+)$`"
    );
    assert_eq!(
        refused(QueryID::new("message_")),
        "`message_` does not match the pattern `^([0-9a-f]{32}|message_[!-~]+)$`"
    );
}

#[test]
fn a_currency_is_three_letters() {
    assert!(Currency::new("USD").is_ok());
    assert!(Currency::new("eur").is_ok());
    assert_eq!(refused(Currency::new("US")), "2 characters, at least 3");
    assert_eq!(refused(Currency::new("EURO")), "4 characters, at most 3");
    assert_eq!(
        refused(Currency::new("U$D")),
        "`U$D` does not match the pattern `^[A-Za-z]{3}$`"
    );
    // Three characters, nine bytes: the length is right, the letters are not.
    assert_eq!(
        refused(Currency::new("€€€")),
        "`€€€` does not match the pattern `^[A-Za-z]{3}$`"
    );
}

#[test]
fn an_agent_id_is_not_empty() {
    assert!(AgentID::new("a").is_ok());
    assert_eq!(refused(AgentID::new("")), "0 characters, at least 1");
}

// ---------------------------------------------------------------------------
// validate(): the rules of lists, numbers and time, with their paths.
// ---------------------------------------------------------------------------

#[test]
fn object_ids_hold_1_to_20_items_in_every_event_that_has_them() {
    let mut events: Vec<(&str, EventsItems)> = vec![
        ("clicked after search", click_after_search(1, [1]).into()),
        (
            "added to cart after search",
            AddedToCartObjectIDsAfterSearch::new(name(), "products", query_id(), ids(1), user())
                .into(),
        ),
        ("purchased after search", purchase_after_search(1, 1).into()),
        (
            "converted after search",
            ConvertedObjectIDsAfterSearch::new(name(), "products", ids(1), query_id(), user())
                .into(),
        ),
        (
            "clicked",
            ClickedObjectIDs::new(name(), "products", ids(1), user()).into(),
        ),
        (
            "purchased",
            PurchasedObjectIDs::new(name(), "products", ids(1), user()).into(),
        ),
        (
            "added to cart",
            AddedToCartObjectIDs::new(name(), "products", ids(1), user()).into(),
        ),
        (
            "converted",
            ConvertedObjectIDs::new(name(), "products", ids(1), user()).into(),
        ),
        (
            "viewed",
            ViewedObjectIDs::new(name(), "products", ids(1), user()).into(),
        ),
    ];
    for (kind, event) in &mut events {
        assert_eq!(problems(event), Vec::<String>::new(), "{kind}");
        for (count, expected) in [
            (0, "objectIDs: 0 items, at least 1"),
            (20, ""),
            (21, "objectIDs: 21 items, at most 20"),
        ] {
            set_object_ids(event, ids(count));
            let found = problems(event);
            let found: Vec<&String> = found
                .iter()
                .filter(|p| p.starts_with("objectIDs:"))
                .collect();
            match expected {
                "" => assert!(found.is_empty(), "{kind} with {count}: {found:?}"),
                expected => assert_eq!(found, [expected], "{kind} with {count}"),
            }
        }
    }
}

fn set_object_ids(event: &mut EventsItems, object_ids: Vec<String>) {
    match event {
        EventsItems::ClickedObjectIDsAfterSearch(e) => e.object_ids = object_ids,
        EventsItems::AddedToCartObjectIDsAfterSearch(e) => e.object_ids = object_ids,
        EventsItems::PurchasedObjectIDsAfterSearch(e) => e.object_ids = object_ids,
        EventsItems::ConvertedObjectIDsAfterSearch(e) => e.object_ids = object_ids,
        EventsItems::ClickedObjectIDs(e) => e.object_ids = object_ids,
        EventsItems::PurchasedObjectIDs(e) => e.object_ids = object_ids,
        EventsItems::AddedToCartObjectIDs(e) => e.object_ids = object_ids,
        EventsItems::ConvertedObjectIDs(e) => e.object_ids = object_ids,
        EventsItems::ViewedObjectIDs(e) => e.object_ids = object_ids,
        other => panic!("{} has no objectIDs", other.variant_name()),
    }
}

#[test]
fn positions_are_1_to_20_ranks_from_1_one_per_object_id() {
    assert_eq!(
        problems(&click_after_search(2, [1, 20])),
        Vec::<String>::new()
    );
    assert_eq!(
        problems(&click_after_search(3, [2, 0, -4])),
        [
            "positions[1]: must be >= 1, got 0",
            "positions[2]: must be >= 1, got -4"
        ]
    );
    assert_eq!(
        problems(&click_after_search(3, [1, 2])),
        ["positions: 2 items, but `objectIDs` has 3: they must have the same number of items"]
    );
    assert_eq!(
        problems(&click_after_search(2, [1])),
        ["positions: 1 item, but `objectIDs` has 2: they must have the same number of items"]
    );
    assert_eq!(
        problems(&click_after_search(1, [])),
        [
            "positions: 0 items, at least 1",
            "positions: 0 items, but `objectIDs` has 1: they must have the same number of items"
        ]
    );
    assert_eq!(
        problems(&click_after_search(21, 1..=21)),
        [
            "objectIDs: 21 items, at most 20",
            "positions: 21 items, at most 20"
        ]
    );
}

#[test]
fn filters_hold_1_to_20_items() {
    let filters = |count: usize| {
        (1..=count)
            .map(|i| format!("brand:b{i}"))
            .collect::<Vec<_>>()
    };
    for count in [1, 20] {
        assert_eq!(
            problems(&ClickedFilters::new(name(), "p", filters(count), user())),
            Vec::<String>::new()
        );
    }
    assert_eq!(
        problems(&ClickedFilters::new(name(), "products", filters(0), user())),
        ["filters: 0 items, at least 1"]
    );
    assert_eq!(
        problems(&ConvertedFilters::new(
            name(),
            "products",
            filters(21),
            user()
        )),
        ["filters: 21 items, at most 20"]
    );
    assert_eq!(
        problems(&ViewedFilters::new(name(), "products", filters(21), user())),
        ["filters: 21 items, at most 20"]
    );
}

#[test]
fn object_data_holds_1_to_20_items_one_per_object_id() {
    assert_eq!(
        problems(&purchase_after_search(20, 20)),
        Vec::<String>::new()
    );
    assert_eq!(
        problems(&purchase_after_search(2, 1)),
        ["objectData: 1 item, but `objectIDs` has 2: they must have the same number of items"]
    );
    assert_eq!(
        problems(&purchase_after_search(1, 0)),
        [
            "objectData: 0 items, at least 1",
            "objectData: 0 items, but `objectIDs` has 1: they must have the same number of items"
        ]
    );
    assert_eq!(
        problems(&purchase_after_search(21, 21)),
        [
            "objectIDs: 21 items, at most 20",
            "objectData: 21 items, at most 20"
        ]
    );

    // Where it is optional, it is only checked when given.
    let cart = AddedToCartObjectIDs::new(name(), "products", ids(2), user());
    assert_eq!(problems(&cart), Vec::<String>::new());
    assert_eq!(
        problems(&cart.clone().object_data([ObjectData::new().quantity(1)])),
        ["objectData: 1 item, but `objectIDs` has 2: they must have the same number of items"]
    );
    assert_eq!(
        problems(&cart.object_data([])),
        [
            "objectData: 0 items, at least 1",
            "objectData: 0 items, but `objectIDs` has 2: they must have the same number of items"
        ]
    );
    let purchase = PurchasedObjectIDs::new(name(), "products", ids(1), user())
        .object_data((0..21).map(|_| ObjectData::new().price(2.0)));
    assert_eq!(
        problems(&purchase),
        [
            "objectData: 21 items, at most 20",
            "objectData: 21 items, but `objectIDs` has 1: they must have the same number of items"
        ]
    );
    let cart_after_search =
        AddedToCartObjectIDsAfterSearch::new(name(), "products", query_id(), ids(3), user())
            .object_data([ObjectDataAfterSearch::new()]);
    assert_eq!(
        problems(&cart_after_search),
        ["objectData: 1 item, but `objectIDs` has 3: they must have the same number of items"]
    );
}

#[test]
fn the_query_id_of_an_object_data_entry_is_32_lowercase_hex_digits() {
    let entry = |query_id: &str| ObjectDataAfterSearch::new().query_id(query_id);
    let purchase = PurchasedObjectIDsAfterSearch::new(
        name(),
        "products",
        ids(3),
        user(),
        [
            entry(QUERY_ID),
            entry("abc"),
            entry(&QUERY_ID.to_uppercase()),
        ],
    );
    // One violation per value: a value of the wrong length is not also
    // reported for its pattern.
    assert_eq!(
        problems(&purchase),
        [
            "objectData[1].queryID: 3 characters, at least 32",
            "objectData[2].queryID: `7F3C2A9E51B04D6C8E2F1A0B9C8D7E6F` does not match the pattern `^[0-9a-f]{32}$`"
        ]
    );
}

#[test]
fn a_value_given_as_a_string_has_at_most_16_characters() {
    let purchase =
        |value: Value| PurchasedObjectIDs::new(name(), "products", ids(1), user()).value(value);
    assert_eq!(
        problems(&purchase(Value::from("1234567890123.45"))),
        Vec::<String>::new()
    );
    // Counted in characters, not bytes: 16 euro signs are 48 bytes.
    assert_eq!(
        problems(&purchase(Value::from("€".repeat(16)))),
        Vec::<String>::new()
    );
    assert_eq!(
        problems(&purchase(Value::from("€".repeat(17)))),
        ["value: 17 characters, at most 16"]
    );
    assert_eq!(
        problems(&purchase(Value::from("12345678901234.567"))),
        ["value: 18 characters, at most 16"]
    );
    assert_eq!(
        problems(&purchase(Value::from(1e300))),
        Vec::<String>::new()
    );
}

#[test]
fn a_number_json_cannot_carry_is_refused_instead_of_sent_as_null() {
    let cart = AddedToCartObjectIDs::new(name(), "products", ids(2), user())
        .object_data([
            ObjectData::new().price(f64::NAN),
            ObjectData::new().price(1.0).discount(f64::INFINITY),
        ])
        .value(f64::NEG_INFINITY);
    assert_eq!(
        problems(&cart),
        [
            "objectData[0].price: must be a finite number, got NaN (JSON has no such number)",
            "objectData[1].discount: must be a finite number, got inf (JSON has no such number)",
            "value: must be a finite number, got -inf (JSON has no such number)",
        ]
    );
}

#[test]
fn a_timestamp_in_seconds_is_refused_with_the_milliseconds_it_means() {
    let seconds = NOW / 1000;
    let event = ViewedObjectIDs::new(name(), "products", ids(1), user()).timestamp(seconds);
    assert_eq!(
        problems(&event),
        ["timestamp: 1760000000 looks like seconds since the Unix epoch; the API expects milliseconds (1760000000000)"]
    );
    let errors = event.validate_with(&at_now()).unwrap_err();
    assert_eq!(errors.violations()[0].severity, Severity::Error);
    assert!(!errors.only_warnings());
    // Allowing stale timestamps does not allow the wrong unit.
    let lenient = at_now().allow_stale_timestamps(true);
    assert!(event.validate_with(&lenient).is_err());

    let before_1970 = ViewedObjectIDs::new(name(), "products", ids(1), user()).timestamp(-1);
    assert_eq!(
        problems(&before_1970),
        ["timestamp: -1 is before 1970: expected a Unix time"]
    );
}

#[test]
fn a_timestamp_older_than_30_days_is_a_warning_that_can_be_allowed() {
    let event = |timestamp: i64| Instantsearch::new(name(), user()).timestamp(timestamp);
    assert_eq!(problems(&event(NOW)), Vec::<String>::new());
    assert_eq!(problems(&event(NOW - 30 * DAY)), Vec::<String>::new());

    let stale = event(NOW - 30 * DAY - 1);
    let errors = stale.validate_with(&at_now()).unwrap_err();
    assert_eq!(
        errors.to_string(),
        "timestamp: 1757407999999 is just over 30 days old; the API ignores events more than 30 days old (allow stale timestamps to send it anyway)"
    );
    assert_eq!(errors.violations()[0].severity, Severity::Warning);
    assert!(errors.only_warnings());

    let lenient = at_now().allow_stale_timestamps(true);
    assert_eq!(stale.validate_with(&lenient), Ok(()));
    assert_eq!(event(NOW - 400 * DAY).validate_with(&lenient), Ok(()));
}

#[test]
fn a_batch_holds_1_to_1000_events() {
    let view: EventsItems = ViewedObjectIDs::new(name(), "products", ids(1), user()).into();
    assert_eq!(
        problems(&InsightsEvents::new([])),
        ["events: 0 items, at least 1"]
    );
    assert_eq!(
        problems(&InsightsEvents::new(vec![view.clone(); 1000])),
        Vec::<String>::new()
    );
    assert_eq!(
        problems(&InsightsEvents::new(vec![view; 1001])),
        ["events: 1001 items, at most 1000"]
    );
}

#[test]
fn a_batch_serializes_to_at_most_2_mb() {
    // One event whose last object ID is sized so that the body is `size` bytes.
    let batch_of = |size: usize| {
        let mut object_ids = vec!["x".repeat(99_000); 20];
        let event = |object_ids: Vec<String>| -> EventsItems {
            ViewedObjectIDs::new(name(), "products", object_ids, user()).into()
        };
        let base = serde_json::to_vec(&InsightsEvents::new([event(object_ids.clone())]))
            .unwrap()
            .len();
        let last = object_ids.last_mut().unwrap();
        *last = "x".repeat(last.len() + size - base);
        let batch = InsightsEvents::new([event(object_ids)]);
        assert_eq!(serde_json::to_vec(&batch).unwrap().len(), size);
        batch
    };
    assert_eq!(problems(&batch_of(2_000_000)), Vec::<String>::new());
    assert_eq!(
        problems(&batch_of(2_000_001)),
        ["the JSON body is 2000001 bytes, at most 2000000"]
    );
    let unchecked = at_now().skip_serialized_size();
    assert_eq!(batch_of(2_000_001).validate_with(&unchecked), Ok(()));
}

#[test]
fn a_batch_reports_every_violation_of_every_event_at_once() {
    let view = || ViewedObjectIDs::new(name(), "products", ids(1), user());
    let events: Vec<EventsItems> = vec![
        view().into(),
        ClickedObjectIDs::new(name(), "products", ids(21), user()).into(),
        view().into(),
        click_after_search(2, [0, 1]).into(),
        view().into(),
        view().timestamp(NOW / 1000).into(),
        ViewedFilters::new(name(), "products", Vec::<String>::new(), user()).into(),
        purchase_after_search(2, 1)
            .value("12345678901234567")
            .into(),
    ];
    let errors = InsightsEvents::new(events)
        .validate_with(&at_now())
        .unwrap_err();
    let found: Vec<String> = errors
        .violations()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        [
            "events[1].objectIDs: 21 items, at most 20",
            "events[3].positions[0]: must be >= 1, got 0",
            "events[5].timestamp: 1760000000 looks like seconds since the Unix epoch; the API expects milliseconds (1760000000000)",
            "events[6].filters: 0 items, at least 1",
            "events[7].value: 17 characters, at most 16",
            "events[7].objectData: 1 item, but `objectIDs` has 2: they must have the same number of items",
        ]
    );
    assert_eq!(
        errors
            .violations()
            .iter()
            .map(|v| v.path.as_str())
            .collect::<Vec<_>>(),
        [
            "events[1].objectIDs",
            "events[3].positions[0]",
            "events[5].timestamp",
            "events[6].filters",
            "events[7].value",
            "events[7].objectData"
        ]
    );
    assert!(errors
        .to_string()
        .starts_with("6 problems: events[1].objectIDs: 21 items, at most 20; "));
}

// ---------------------------------------------------------------------------
// Wire JSON: a bad value is refused when read, with the field it is in.
// ---------------------------------------------------------------------------

fn click_json() -> Json {
    json!({
        "eventName": "Product Clicked",
        "eventType": "click",
        "index": "products",
        "objectIDs": ["sku-1"],
        "userToken": "anonymous-user-1"
    })
}

/// Reads a batch through the crate's decoder, which names the path.
fn read_batch(events: Json) -> Result<InsightsEvents, String> {
    let text = json!({ "events": events }).to_string();
    algolia_insights::runtime::decode::from_str(&text).map_err(|error| error.to_string())
}

#[test]
fn a_bad_user_token_in_wire_json_is_refused_naming_the_field() {
    let mut bad = click_json();
    bad["userToken"] = json!("jane@example.com");
    let error =
        algolia_insights::runtime::decode::from_str::<EventsItems>(&bad.to_string()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "userToken: `jane@example.com` does not match the pattern `^[a-zA-Z0-9_=/+-]{1,129}$`"
    );
    // In a batch, the path starts at the batch.
    assert_eq!(
        read_batch(json!([click_json(), bad])).unwrap_err(),
        "events[1].userToken: `jane@example.com` does not match the pattern `^[a-zA-Z0-9_=/+-]{1,129}$`"
    );
}

#[test]
fn bad_newtypes_in_wire_json_are_refused_naming_the_field() {
    for (field, value, message) in [
        (
            "eventName",
            json!(""),
            "eventName: 0 characters, at least 1",
        ),
        (
            "authenticatedUserToken",
            json!("a".repeat(130)),
            "authenticatedUserToken: 130 characters, at most 129",
        ),
        (
            "userToken",
            json!(42),
            "userToken: invalid type: integer `42`, expected a string",
        ),
    ] {
        let mut bad = click_json();
        bad[field] = value;
        let error = algolia_insights::runtime::decode::from_str::<EventsItems>(&bad.to_string())
            .unwrap_err();
        assert_eq!(error.to_string(), message);
    }
    let mut cart = json!({
        "eventName": "Product Added To Cart",
        "eventType": "conversion",
        "eventSubtype": "addToCart",
        "index": "products",
        "queryID": QUERY_ID,
        "objectIDs": ["sku-1"],
        "userToken": "anonymous-user-1",
        "currency": "dollars"
    });
    assert_eq!(
        algolia_insights::runtime::decode::from_str::<EventsItems>(&cart.to_string())
            .unwrap_err()
            .to_string(),
        "currency: 7 characters, at most 3"
    );
    cart["currency"] = json!("USD");
    cart["queryID"] = json!("not-a-query-id");
    assert_eq!(
        algolia_insights::runtime::decode::from_str::<EventsItems>(&cart.to_string())
            .unwrap_err()
            .to_string(),
        "queryID: `not-a-query-id` does not match the pattern `^([0-9a-f]{32}|message_[!-~]+)$`"
    );
}

fn read_event(event: &Json) -> String {
    algolia_insights::runtime::decode::from_str::<EventsItems>(&event.to_string())
        .unwrap_err()
        .to_string()
}

#[test]
fn a_field_that_does_not_belong_to_the_event_is_refused_when_read() {
    let mut view = click_json();
    view["eventType"] = json!("view");
    view["positions"] = json!([1]);
    assert_eq!(
        read_event(&view),
        "`positions` is not allowed in a `view` event (ViewedObjectIDs), expected one of \
         `eventName`, `eventType`, `index`, `objectIDs`, `userToken`, \
         `authenticatedUserToken`, `timestamp`"
    );

    let mut click = click_json();
    click["currency"] = json!("USD");
    assert_eq!(
        read_event(&click),
        "`currency` is not allowed in a `click` event (ClickedObjectIDs), expected one of \
         `eventName`, `eventType`, `index`, `objectIDs`, `userToken`, \
         `authenticatedUserToken`, `timestamp`"
    );

    let mut typo = click_json();
    typo["objectIds"] = json!(["a"]);
    assert!(
        read_event(&typo).starts_with("objectIds: unknown field `objectIds`, expected one of"),
        "{}",
        read_event(&typo)
    );
}

#[test]
fn cross_field_rules_are_explained_as_the_api_states_them() {
    // Positions only come with the query they rank results of.
    let mut click = click_json();
    click["positions"] = json!([1]);
    assert_eq!(
        read_event(&click),
        "a `click` event with `positions` needs `queryID` (ClickedObjectIDsAfterSearch); \
         without it, `positions` is not allowed"
    );
    // Records or filters, not both.
    let mut both = click_json();
    both["filters"] = json!(["brand:apple"]);
    assert_eq!(
        read_event(&both),
        "a `click` event takes `objectIDs` or `filters`, not both"
    );
    let mut view = click_json();
    view["eventType"] = json!("view");
    view["filters"] = json!(["brand:apple"]);
    assert_eq!(
        read_event(&view),
        "a `view` event takes `objectIDs` or `filters`, not both"
    );
    // In a batch, the message comes with the event's place.
    assert_eq!(
        read_batch(json!([click_json(), click])).unwrap_err(),
        "events[1]: a `click` event with `positions` needs `queryID` \
         (ClickedObjectIDsAfterSearch); without it, `positions` is not allowed"
    );
}

#[test]
fn a_key_given_twice_is_refused_with_its_path() {
    // A view that a last-one-wins reader would take for a click.
    let text = r#"{"eventName":"Product Viewed","eventType":"view","index":"products","objectIDs":["a"],"userToken":"u","eventType":"click"}"#;
    let error = algolia_insights::runtime::decode::from_str::<EventsItems>(text).unwrap_err();
    assert_eq!(error.path(), "eventType");
    assert_eq!(error.to_string(), "eventType: duplicate field `eventType`");
    let batch = format!(r#"{{"events":[{text}]}}"#);
    let error = algolia_insights::runtime::decode::from_str::<InsightsEvents>(&batch).unwrap_err();
    assert_eq!(
        error.to_string(),
        "events[0].eventType: duplicate field `eventType`"
    );
    // Any property, not only the ones that pick the variant.
    let twice = r#"{"eventName":"a","eventType":"view","index":"products","objectIDs":["a"],"userToken":"u","userToken":"v"}"#;
    assert_eq!(
        algolia_insights::runtime::decode::from_str::<EventsItems>(twice)
            .unwrap_err()
            .to_string(),
        "userToken: duplicate field `userToken`"
    );
    // Nested objects too (serde's derive refuses them).
    let purchase = r#"{"eventName":"a","eventType":"conversion","eventSubtype":"purchase","index":"i","objectIDs":["a"],"userToken":"u","objectData":[{"price":1,"price":2}]}"#;
    let message = algolia_insights::runtime::decode::from_str::<EventsItems>(purchase)
        .unwrap_err()
        .to_string();
    assert!(message.contains("duplicate field `price`"), "{message}");
}

#[test]
fn a_missing_required_field_or_unknown_event_type_is_refused_when_read() {
    let mut no_token = click_json();
    no_token.as_object_mut().unwrap().remove("userToken");
    assert_eq!(
        algolia_insights::runtime::decode::from_str::<EventsItems>(&no_token.to_string())
            .unwrap_err()
            .to_string(),
        "missing field `userToken`"
    );

    let mut unknown = click_json();
    unknown["eventType"] = json!("scroll");
    let message = algolia_insights::runtime::decode::from_str::<EventsItems>(&unknown.to_string())
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with("not a valid EventsItems: `eventType` is `scroll`"),
        "{message}"
    );
}

#[test]
fn rules_that_wire_json_cannot_break_on_reading_are_caught_by_validate() {
    let mut click = click_json();
    click["objectIDs"] = json!(ids(21));
    click["timestamp"] = json!(NOW / 1000);
    let batch = read_batch(json!([click])).unwrap();
    assert_eq!(
        problems(&batch),
        [
            "events[0].objectIDs: 21 items, at most 20",
            "events[0].timestamp: 1760000000 looks like seconds since the Unix epoch; the API expects milliseconds (1760000000000)"
        ]
    );
}

// ---------------------------------------------------------------------------
// push_events: an invalid batch costs no request.
// ---------------------------------------------------------------------------

/// A loopback API that answers `200 OK` to `POST /1/events` and counts the
/// requests it gets.
async fn counting_server() -> (String, Arc<AtomicUsize>) {
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let app = axum::Router::new().route(
        "/1/events",
        axum::routing::post(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async { axum::Json(json!({"status": 200, "message": "OK"})) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, requests)
}

fn invalid_request(error: Error) -> ValidationErrors {
    match error {
        Error::InvalidRequest(errors) => errors,
        other => panic!("expected an invalid request, got {other:?}"),
    }
}

#[tokio::test]
async fn an_invalid_batch_is_refused_without_a_request() {
    let (url, requests) = counting_server().await;
    let client = Client::builder("app", "key").hosts([url]).build().unwrap();
    let events = vec![
        ClickedObjectIDs::new(name(), "products", ids(0), user()).into(),
        click_after_search(2, [1]).into(),
    ];
    let error = client
        .push_events(InsightsEvents::new(events))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid request, not sent: 2 problems: events[0].objectIDs: 0 items, at least 1; \
         events[1].positions: 1 item, but `objectIDs` has 2: they must have the same number of items"
    );
    assert_eq!(invalid_request(error).violations().len(), 2);
    assert_eq!(requests.load(Ordering::SeqCst), 0);

    // The same client sends a valid batch: the server was there all along.
    let valid = InsightsEvents::new([click_after_search(2, [1, 2]).into()]);
    let response = client.push_events(valid).await.unwrap();
    assert_eq!(response.message.as_deref(), Some("OK"));
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}

/// `push_events` checks the batch's items as it writes them (one pass over
/// the events): an item found invalid there still gets the whole report,
/// with the batch's own violations, and no request.
#[tokio::test]
async fn items_checked_while_writing_report_as_checking_first_would() {
    let (url, requests) = counting_server().await;
    let client = Client::builder("app", "key").hosts([url]).build().unwrap();
    let mut events: Vec<EventsItems> = (0..1001)
        .map(|_| click_after_search(1, [1]).into())
        .collect();
    events[500] = click_after_search(2, [1]).into();
    events[1000] = ClickedObjectIDs::new(name(), "products", ids(0), user()).into();
    let batch = InsightsEvents::new(events);
    let expected = [
        "events: 1001 items, at most 1000",
        "events[500].positions: 1 item, but `objectIDs` has 2: they must have the same number of items",
        "events[1000].objectIDs: 0 items, at least 1",
    ];
    assert_eq!(problems(&batch), expected, "what validate() reports");
    let error = client.push_events(&batch).await.unwrap_err();
    let reported: Vec<String> = invalid_request(error)
        .violations()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(reported, expected);

    // Only the items are wrong: found while writing, the same report.
    let mut events = batch.events;
    events.truncate(1000);
    let batch = InsightsEvents::new(events);
    let error = client.push_events(&batch).await.unwrap_err();
    assert_eq!(
        invalid_request(error).violations().len(),
        1,
        "events[500] only"
    );
    assert_eq!(problems(&batch), [expected[1]]);
    assert_eq!(requests.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_stale_timestamp_is_sent_only_when_allowed() {
    let (url, requests) = counting_server().await;
    let client = Client::builder("app", "key").hosts([url]).build().unwrap();
    let now = ValidationContext::now().now_millis();
    let stale = || {
        let event =
            ViewedObjectIDs::new(name(), "products", ids(1), user()).timestamp(now - 31 * DAY);
        InsightsEvents::new([event.into()])
    };
    let errors = invalid_request(client.push_events(stale()).await.unwrap_err());
    assert!(errors.only_warnings(), "{errors}");
    assert_eq!(errors.violations()[0].path, "events[0].timestamp");
    assert_eq!(requests.load(Ordering::SeqCst), 0);

    let allowed = algolia_insights::RequestOptions::new().allow_stale_timestamps(true);
    client.push_events(stale()).options(allowed).await.unwrap();
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}

// ---------------------------------------------------------------------------
// Every constraint of the spec is one of the rules above.
// ---------------------------------------------------------------------------

/// Each constraint of the spec (`schema keyword`) and the test above that
/// checks it. A constraint added to the spec fails
/// `every_constraint_of_the_spec_is_covered_here` until it is tested here.
const COVERED: &[(&str, &str)] = &[
    (
        "EventName minLength",
        "an_event_name_is_1_to_64_printable_ascii_characters",
    ),
    (
        "EventName maxLength",
        "an_event_name_is_1_to_64_printable_ascii_characters",
    ),
    (
        "EventName pattern",
        "an_event_name_is_1_to_64_printable_ascii_characters",
    ),
    (
        "ObjectIDs minItems",
        "object_ids_hold_1_to_20_items_in_every_event_that_has_them",
    ),
    (
        "ObjectIDs maxItems",
        "object_ids_hold_1_to_20_items_in_every_event_that_has_them",
    ),
    (
        "Positions minItems",
        "positions_are_1_to_20_ranks_from_1_one_per_object_id",
    ),
    (
        "Positions maxItems",
        "positions_are_1_to_20_ranks_from_1_one_per_object_id",
    ),
    (
        "Positions/items minimum",
        "positions_are_1_to_20_ranks_from_1_one_per_object_id",
    ),
    (
        "QueryID maxLength",
        "a_query_id_is_32_lowercase_hex_digits_or_an_agent_message_id",
    ),
    (
        "QueryID pattern",
        "a_query_id_is_32_lowercase_hex_digits_or_an_agent_message_id",
    ),
    (
        "UserToken minLength",
        "a_user_token_is_1_to_129_safe_characters",
    ),
    (
        "UserToken maxLength",
        "a_user_token_is_1_to_129_safe_characters",
    ),
    (
        "UserToken pattern",
        "a_user_token_is_1_to_129_safe_characters",
    ),
    (
        "AuthenticatedUserToken minLength",
        "an_authenticated_user_token_has_the_same_rules",
    ),
    (
        "AuthenticatedUserToken maxLength",
        "an_authenticated_user_token_has_the_same_rules",
    ),
    (
        "AuthenticatedUserToken pattern",
        "an_authenticated_user_token_has_the_same_rules",
    ),
    (
        "Timestamp x-unix-time-unit",
        "a_timestamp_in_seconds_is_refused_with_the_milliseconds_it_means",
    ),
    (
        "Timestamp x-max-age-days",
        "a_timestamp_older_than_30_days_is_a_warning_that_can_be_allowed",
    ),
    ("Currency minLength", "a_currency_is_three_letters"),
    ("Currency maxLength", "a_currency_is_three_letters"),
    ("Currency pattern", "a_currency_is_three_letters"),
    (
        "Value/oneOf/1 maxLength",
        "a_value_given_as_a_string_has_at_most_16_characters",
    ),
    (
        "ObjectDataList minItems",
        "object_data_holds_1_to_20_items_one_per_object_id",
    ),
    (
        "ObjectDataList maxItems",
        "object_data_holds_1_to_20_items_one_per_object_id",
    ),
    (
        "ObjectDataAfterSearch/properties/queryID minLength",
        "the_query_id_of_an_object_data_entry_is_32_lowercase_hex_digits",
    ),
    (
        "ObjectDataAfterSearch/properties/queryID maxLength",
        "the_query_id_of_an_object_data_entry_is_32_lowercase_hex_digits",
    ),
    (
        "ObjectDataAfterSearch/properties/queryID pattern",
        "the_query_id_of_an_object_data_entry_is_32_lowercase_hex_digits",
    ),
    (
        "ObjectDataAfterSearchList minItems",
        "object_data_holds_1_to_20_items_one_per_object_id",
    ),
    (
        "ObjectDataAfterSearchList maxItems",
        "object_data_holds_1_to_20_items_one_per_object_id",
    ),
    ("Filters minItems", "filters_hold_1_to_20_items"),
    ("Filters maxItems", "filters_hold_1_to_20_items"),
    ("AgentID minLength", "an_agent_id_is_not_empty"),
    (
        "ClickedObjectIDsAfterSearch x-same-length",
        "positions_are_1_to_20_ranks_from_1_one_per_object_id",
    ),
    (
        "AddedToCartObjectIDsAfterSearch x-same-length",
        "object_data_holds_1_to_20_items_one_per_object_id",
    ),
    (
        "PurchasedObjectIDsAfterSearch x-same-length",
        "object_data_holds_1_to_20_items_one_per_object_id",
    ),
    (
        "PurchasedObjectIDs x-same-length",
        "object_data_holds_1_to_20_items_one_per_object_id",
    ),
    (
        "AddedToCartObjectIDs x-same-length",
        "object_data_holds_1_to_20_items_one_per_object_id",
    ),
    (
        "InsightsEvents x-max-serialized-bytes",
        "a_batch_serializes_to_at_most_2_mb",
    ),
    (
        "InsightsEvents/properties/events minItems",
        "a_batch_holds_1_to_1000_events",
    ),
    (
        "InsightsEvents/properties/events maxItems",
        "a_batch_holds_1_to_1000_events",
    ),
];

const CONSTRAINT_KEYWORDS: &[&str] = &[
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "x-same-length",
    "x-max-serialized-bytes",
    "x-unix-time-unit",
    "x-max-age-days",
];

fn constraints_in(schema: &Json, at: &str, found: &mut BTreeSet<String>) {
    match schema {
        Json::Object(object) => {
            for keyword in CONSTRAINT_KEYWORDS {
                if object.contains_key(*keyword) {
                    found.insert(format!("{at} {keyword}"));
                }
            }
            for (key, value) in object {
                if !matches!(key.as_str(), "example" | "examples" | "description") {
                    let below = if at.is_empty() {
                        key.clone()
                    } else {
                        format!("{at}/{key}")
                    };
                    constraints_in(value, &below, found);
                }
            }
        }
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                constraints_in(item, &format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn every_constraint_of_the_spec_is_covered_here() {
    let spec: Json = serde_json::from_str(include_str!("../spec/insights.json")).unwrap();
    let mut in_spec = BTreeSet::new();
    constraints_in(&spec["components"]["schemas"], "", &mut in_spec);
    let mut in_paths = BTreeSet::new();
    constraints_in(&spec["paths"], "", &mut in_paths);
    assert!(
        in_paths.is_empty(),
        "constraints written inline in paths, not covered here: {in_paths:?}"
    );
    let covered: BTreeSet<String> = COVERED.iter().map(|(rule, _)| rule.to_string()).collect();
    let untested: Vec<&String> = in_spec.difference(&covered).collect();
    let gone: Vec<&String> = covered.difference(&in_spec).collect();
    assert!(
        untested.is_empty(),
        "constraints of the spec with no test here: {untested:?}"
    );
    assert!(
        gone.is_empty(),
        "tests here for constraints the spec no longer has: {gone:?}"
    );
}
