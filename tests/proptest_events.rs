//! Properties of every event type, over generated values: a valid event
//! validates, serializes, and reads back as the same variant with an equal
//! value; each way of breaking a rule is refused, at the path of the value
//! that breaks it.

use algolia_insights::__private::{HttpRequest, Method};
use algolia_insights::models::*;
use algolia_insights::validation::{Severity, Validate, ValidationContext, Violation};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

/// The clock of every check below (Unix milliseconds, October 2025).
const NOW: i64 = 1_760_000_000_000;
const DAY: i64 = 86_400_000;

fn at_now() -> ValidationContext {
    ValidationContext::now().at(NOW)
}

fn violations(value: &impl Validate) -> Vec<Violation> {
    value
        .validate_with(&at_now())
        .err()
        .map(|errors| errors.into_violations())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Valid values, one strategy per rule of the spec.
// ---------------------------------------------------------------------------

fn event_name() -> impl Strategy<Value = EventName> {
    "[\\x20-\\x7E]{1,64}".prop_map(|s| EventName::new(s).unwrap())
}

fn user_token() -> impl Strategy<Value = UserToken> {
    "[a-zA-Z0-9_=/+-]{1,129}".prop_map(|s| UserToken::new(s).unwrap())
}

fn authenticated_user_token() -> impl Strategy<Value = AuthenticatedUserToken> {
    "[a-zA-Z0-9_=/+-]{1,129}".prop_map(|s| AuthenticatedUserToken::new(s).unwrap())
}

fn hex_query_id() -> impl Strategy<Value = String> {
    "[0-9a-f]{32}"
}

fn query_id() -> impl Strategy<Value = QueryID> {
    prop_oneof![hex_query_id(), "message_[!-~]{1,120}"].prop_map(|s| QueryID::new(s).unwrap())
}

fn currency() -> impl Strategy<Value = Currency> {
    "[A-Za-z]{3}".prop_map(|s| Currency::new(s).unwrap())
}

fn agent_id() -> impl Strategy<Value = AgentID> {
    "\\PC{1,40}".prop_map(|s| AgentID::new(s).unwrap())
}

/// Index names and object IDs have no rule of their own: any text.
fn text() -> impl Strategy<Value = String> {
    "\\PC{0,30}"
}

fn object_ids() -> impl Strategy<Value = Vec<String>> {
    vec(text(), 1..=20)
}

fn filters() -> impl Strategy<Value = Vec<String>> {
    vec("[a-z]{1,10}:[a-zA-Z0-9%]{1,10}", 1..=20)
}

/// A time the API still accepts: at most 30 days old (or a little ahead).
fn timestamp() -> impl Strategy<Value = i64> {
    (NOW - 30 * DAY)..=(NOW + DAY)
}

/// Finite numbers, as JSON carries them.
fn amount() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0u32..1_000_000).prop_map(|cents| f64::from(cents) / 100.0),
        -1e9..1e9f64,
    ]
}

fn decimal_text() -> impl Strategy<Value = String> {
    "[0-9]{1,8}\\.[0-9]{2}"
}

fn price() -> impl Strategy<Value = Price> {
    prop_oneof![
        amount().prop_map(Price::from),
        decimal_text().prop_map(Price::from)
    ]
}

fn discount() -> impl Strategy<Value = Discount> {
    prop_oneof![
        amount().prop_map(Discount::from),
        decimal_text().prop_map(Discount::from)
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        amount().prop_map(Value::from),
        "\\PC{0,16}".prop_map(Value::from)
    ]
}

fn object_data() -> impl Strategy<Value = ObjectData> {
    (
        option::of(price()),
        option::of(any::<i32>()),
        option::of(discount()),
    )
        .prop_map(|(price, quantity, discount)| {
            let mut data = ObjectData::new();
            data.price = price;
            data.quantity = quantity;
            data.discount = discount;
            data
        })
}

fn object_data_after_search() -> impl Strategy<Value = ObjectDataAfterSearch> {
    (option::of(hex_query_id()), object_data()).prop_map(|(query_id, data)| {
        let mut entry = ObjectDataAfterSearch::new();
        entry.query_id = query_id;
        entry.price = data.price;
        entry.quantity = data.quantity;
        entry.discount = data.discount;
        entry
    })
}

/// The optional fields every event has.
#[derive(Debug, Clone)]
struct Common {
    authenticated_user_token: Option<AuthenticatedUserToken>,
    timestamp: Option<i64>,
}

fn common() -> impl Strategy<Value = Common> {
    (
        option::of(authenticated_user_token()),
        option::of(timestamp()),
    )
        .prop_map(|(authenticated_user_token, timestamp)| Common {
            authenticated_user_token,
            timestamp,
        })
}

/// Sets the optional fields of `Common` on any event type.
macro_rules! with_common {
    ($event:expr, $common:expr) => {{
        let mut event = $event;
        event.authenticated_user_token = $common.authenticated_user_token;
        event.timestamp = $common.timestamp;
        event
    }};
}

/// The commerce fields of purchases and add-to-cart events.
#[derive(Debug, Clone)]
struct Money {
    currency: Option<Currency>,
    value: Option<Value>,
}

fn money() -> impl Strategy<Value = Money> {
    (option::of(currency()), option::of(value()))
        .prop_map(|(currency, value)| Money { currency, value })
}

/// `objectIDs` with one more item per ID (a position, an `objectData` entry).
fn object_ids_with<S: Strategy>(
    item: fn() -> S,
) -> impl Strategy<Value = (Vec<String>, Vec<S::Value>)> {
    (1..=20usize).prop_flat_map(move |n| (vec(text(), n), vec(item(), n)))
}

/// A one-based rank.
fn position() -> impl Strategy<Value = i64> {
    1..=i64::MAX
}

fn clicked_object_ids_after_search() -> impl Strategy<Value = ClickedObjectIDsAfterSearch> {
    (
        event_name(),
        text(),
        object_ids_with(position),
        query_id(),
        user_token(),
        common(),
    )
        .prop_map(
            |(name, index, (object_ids, positions), query_id, user, common)| {
                with_common!(
                    ClickedObjectIDsAfterSearch::new(
                        name, index, object_ids, positions, query_id, user
                    ),
                    common
                )
            },
        )
}

fn added_to_cart_object_ids_after_search() -> impl Strategy<Value = AddedToCartObjectIDsAfterSearch>
{
    let data = prop_oneof![
        object_ids().prop_map(|ids| (ids, None)),
        object_ids_with(object_data_after_search).prop_map(|(ids, data)| (ids, Some(data))),
    ];
    (
        event_name(),
        text(),
        query_id(),
        data,
        user_token(),
        common(),
        money(),
    )
        .prop_map(
            |(name, index, query_id, (object_ids, object_data), user, common, money)| {
                let mut event = with_common!(
                    AddedToCartObjectIDsAfterSearch::new(name, index, query_id, object_ids, user),
                    common
                );
                event.object_data = object_data;
                event.currency = money.currency;
                event.value = money.value;
                event
            },
        )
}

fn purchased_object_ids_after_search() -> impl Strategy<Value = PurchasedObjectIDsAfterSearch> {
    (
        event_name(),
        text(),
        object_ids_with(object_data_after_search),
        user_token(),
        common(),
        money(),
    )
        .prop_map(
            |(name, index, (object_ids, object_data), user, common, money)| {
                let mut event = with_common!(
                    PurchasedObjectIDsAfterSearch::new(name, index, object_ids, user, object_data),
                    common
                );
                event.currency = money.currency;
                event.value = money.value;
                event
            },
        )
}

fn converted_object_ids_after_search() -> impl Strategy<Value = ConvertedObjectIDsAfterSearch> {
    (
        event_name(),
        text(),
        object_ids(),
        query_id(),
        user_token(),
        common(),
    )
        .prop_map(|(name, index, object_ids, query_id, user, common)| {
            with_common!(
                ConvertedObjectIDsAfterSearch::new(name, index, object_ids, query_id, user),
                common
            )
        })
}

fn clicked_object_ids() -> impl Strategy<Value = ClickedObjectIDs> {
    (event_name(), text(), object_ids(), user_token(), common()).prop_map(
        |(name, index, object_ids, user, common)| {
            with_common!(ClickedObjectIDs::new(name, index, object_ids, user), common)
        },
    )
}

/// Without `objectData`: with it, the event reads back as a purchase after a
/// search (see `a_purchase_with_object_data_reads_back_as_one_after_a_search`).
fn purchased_object_ids() -> impl Strategy<Value = PurchasedObjectIDs> {
    (
        event_name(),
        text(),
        object_ids(),
        user_token(),
        common(),
        money(),
    )
        .prop_map(|(name, index, object_ids, user, common, money)| {
            let mut event = with_common!(
                PurchasedObjectIDs::new(name, index, object_ids, user),
                common
            );
            event.currency = money.currency;
            event.value = money.value;
            event
        })
}

fn added_to_cart_object_ids() -> impl Strategy<Value = AddedToCartObjectIDs> {
    let data = prop_oneof![
        object_ids().prop_map(|ids| (ids, None)),
        object_ids_with(object_data).prop_map(|(ids, data)| (ids, Some(data))),
    ];
    (event_name(), text(), data, user_token(), common(), money()).prop_map(
        |(name, index, (object_ids, object_data), user, common, money)| {
            let mut event = with_common!(
                AddedToCartObjectIDs::new(name, index, object_ids, user),
                common
            );
            event.object_data = object_data;
            event.currency = money.currency;
            event.value = money.value;
            event
        },
    )
}

fn converted_object_ids() -> impl Strategy<Value = ConvertedObjectIDs> {
    (event_name(), text(), object_ids(), user_token(), common()).prop_map(
        |(name, index, object_ids, user, common)| {
            with_common!(
                ConvertedObjectIDs::new(name, index, object_ids, user),
                common
            )
        },
    )
}

fn clicked_filters() -> impl Strategy<Value = ClickedFilters> {
    (event_name(), text(), filters(), user_token(), common()).prop_map(
        |(name, index, filters, user, common)| {
            with_common!(ClickedFilters::new(name, index, filters, user), common)
        },
    )
}

fn converted_filters() -> impl Strategy<Value = ConvertedFilters> {
    (event_name(), text(), filters(), user_token(), common()).prop_map(
        |(name, index, filters, user, common)| {
            with_common!(ConvertedFilters::new(name, index, filters, user), common)
        },
    )
}

fn viewed_object_ids() -> impl Strategy<Value = ViewedObjectIDs> {
    (event_name(), text(), object_ids(), user_token(), common()).prop_map(
        |(name, index, object_ids, user, common)| {
            with_common!(ViewedObjectIDs::new(name, index, object_ids, user), common)
        },
    )
}

fn viewed_filters() -> impl Strategy<Value = ViewedFilters> {
    (event_name(), text(), filters(), user_token(), common()).prop_map(
        |(name, index, filters, user, common)| {
            with_common!(ViewedFilters::new(name, index, filters, user), common)
        },
    )
}

fn instantsearch() -> impl Strategy<Value = Instantsearch> {
    (event_name(), user_token(), common(), option::of(agent_id())).prop_map(
        |(name, user, common, agent_id)| {
            let mut event = with_common!(Instantsearch::new(name, user), common);
            event.agent_id = agent_id;
            event
        },
    )
}

/// A valid event of any of the 13 types.
fn any_event() -> impl Strategy<Value = EventsItems> {
    prop_oneof![
        clicked_object_ids_after_search().prop_map(EventsItems::from),
        added_to_cart_object_ids_after_search().prop_map(EventsItems::from),
        purchased_object_ids_after_search().prop_map(EventsItems::from),
        converted_object_ids_after_search().prop_map(EventsItems::from),
        clicked_object_ids().prop_map(EventsItems::from),
        purchased_object_ids().prop_map(EventsItems::from),
        added_to_cart_object_ids().prop_map(EventsItems::from),
        converted_object_ids().prop_map(EventsItems::from),
        clicked_filters().prop_map(EventsItems::from),
        converted_filters().prop_map(EventsItems::from),
        viewed_object_ids().prop_map(EventsItems::from),
        viewed_filters().prop_map(EventsItems::from),
        instantsearch().prop_map(EventsItems::from),
    ]
}

proptest! {
    #[test]
    fn a_valid_event_validates_and_reads_back_as_the_same_variant(event in any_event()) {
        prop_assert_eq!(violations(&event), Vec::<Violation>::new());
        let text = serde_json::to_string(&event).unwrap();
        let back: EventsItems = serde_json::from_str(&text)
            .map_err(|error| TestCaseError::fail(format!("{error} in {text}")))?;
        prop_assert_eq!(back.variant_name(), event.variant_name());
        prop_assert_eq!(&back, &event);
        // The generated fast path reads it too, equal, whenever the text has
        // no escapes (which it leaves to the full reader).
        let fast = algolia_insights::__private::decode::Reader::read_whole::<EventsItems>(&text);
        prop_assert_eq!(fast.is_some(), !text.contains('\\'), "{}", text);
        if let Some(fast) = fast {
            prop_assert_eq!(&fast, &event);
        }
        prop_assert_eq!(&EventsItems::from_json(&text).unwrap(), &event);
    }

    #[test]
    fn a_purchase_with_object_data_reads_back_as_one_after_a_search(
        event in purchased_object_ids(),
        data in vec(object_data(), 1..=20),
    ) {
        // The spec lets both variants read this JSON; the more specific
        // one wins, and the JSON is the same either way.
        let mut event = event;
        event.object_ids.resize(data.len(), "sku".to_string());
        let event = EventsItems::from(event.object_data(data));
        prop_assert_eq!(violations(&event), Vec::<Violation>::new());
        let text = serde_json::to_string(&event).unwrap();
        let back: EventsItems = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(back.variant_name(), "PurchasedObjectIDsAfterSearch");
        prop_assert_eq!(serde_json::to_string(&back).unwrap(), text);
    }
}

proptest! {
    // Batches are many events each: fewer cases cover as much.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_batch_of_valid_events_validates_and_reads_back_equal(events in vec(any_event(), 1..=30)) {
        let batch = InsightsEvents::new(events);
        prop_assert_eq!(violations(&batch), Vec::<Violation>::new());
        let text = serde_json::to_string(&batch).unwrap();
        let back: InsightsEvents = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back, &batch);
        // The crate's own JSON writer (request bodies) gives serde_json's bytes.
        let mut request = HttpRequest::new(Method::POST, "/1/events".into());
        request.json_body(&batch, None).unwrap();
        prop_assert_eq!(request.body().unwrap().as_ref(), text.as_bytes());
    }
}

// ---------------------------------------------------------------------------
// Invalid values: each way of breaking a rule, and the path it is refused at.
// ---------------------------------------------------------------------------

/// `(path, message)` of each violation.
fn found(value: &impl Validate) -> Vec<(String, String)> {
    violations(value)
        .into_iter()
        .map(|v| (v.path, v.message))
        .collect()
}

fn object_ids_of(event: &mut EventsItems) -> Option<&mut Vec<String>> {
    match event {
        EventsItems::ClickedObjectIDsAfterSearch(e) => Some(&mut e.object_ids),
        EventsItems::AddedToCartObjectIDsAfterSearch(e) => Some(&mut e.object_ids),
        EventsItems::PurchasedObjectIDsAfterSearch(e) => Some(&mut e.object_ids),
        EventsItems::ConvertedObjectIDsAfterSearch(e) => Some(&mut e.object_ids),
        EventsItems::ClickedObjectIDs(e) => Some(&mut e.object_ids),
        EventsItems::PurchasedObjectIDs(e) => Some(&mut e.object_ids),
        EventsItems::AddedToCartObjectIDs(e) => Some(&mut e.object_ids),
        EventsItems::ConvertedObjectIDs(e) => Some(&mut e.object_ids),
        EventsItems::ViewedObjectIDs(e) => Some(&mut e.object_ids),
        _ => None,
    }
}

fn filters_of(event: &mut EventsItems) -> Option<&mut Vec<String>> {
    match event {
        EventsItems::ClickedFilters(e) => Some(&mut e.filters),
        EventsItems::ConvertedFilters(e) => Some(&mut e.filters),
        EventsItems::ViewedFilters(e) => Some(&mut e.filters),
        _ => None,
    }
}

fn timestamp_of(event: &mut EventsItems) -> &mut Option<i64> {
    match event {
        EventsItems::ClickedObjectIDsAfterSearch(e) => &mut e.timestamp,
        EventsItems::AddedToCartObjectIDsAfterSearch(e) => &mut e.timestamp,
        EventsItems::PurchasedObjectIDsAfterSearch(e) => &mut e.timestamp,
        EventsItems::ConvertedObjectIDsAfterSearch(e) => &mut e.timestamp,
        EventsItems::ClickedObjectIDs(e) => &mut e.timestamp,
        EventsItems::PurchasedObjectIDs(e) => &mut e.timestamp,
        EventsItems::AddedToCartObjectIDs(e) => &mut e.timestamp,
        EventsItems::ConvertedObjectIDs(e) => &mut e.timestamp,
        EventsItems::ClickedFilters(e) => &mut e.timestamp,
        EventsItems::ConvertedFilters(e) => &mut e.timestamp,
        EventsItems::ViewedObjectIDs(e) => &mut e.timestamp,
        EventsItems::ViewedFilters(e) => &mut e.timestamp,
        EventsItems::Instantsearch(e) => &mut e.timestamp,
        other => panic!("a new event type: {}", other.variant_name()),
    }
}

/// The number of `objectData` entries the event must have, when it has them.
fn object_data_len(event: &EventsItems) -> Option<usize> {
    match event {
        EventsItems::AddedToCartObjectIDsAfterSearch(e) => e.object_data.as_ref().map(Vec::len),
        EventsItems::PurchasedObjectIDsAfterSearch(e) => Some(e.object_data.len()),
        EventsItems::AddedToCartObjectIDs(e) => e.object_data.as_ref().map(Vec::len),
        EventsItems::PurchasedObjectIDs(e) => e.object_data.as_ref().map(Vec::len),
        _ => None,
    }
}

fn same_length(first: &str, count: usize, second: &str, other: usize) -> (String, String) {
    let items = if count == 1 {
        "1 item".to_string()
    } else {
        format!("{count} items")
    };
    (
        first.to_string(),
        format!("{items}, but `{second}` has {other}: they must have the same number of items"),
    )
}

proptest! {
    #[test]
    fn object_ids_out_of_1_to_20_are_refused(mut event in any_event(), count in prop_oneof![Just(0usize), 21..=60usize]) {
        let Some(object_ids) = object_ids_of(&mut event) else { return Ok(()) };
        object_ids.resize(count, "sku".to_string());
        let bound = if count == 0 { "at least 1" } else { "at most 20" };
        let mut expected = vec![("objectIDs".to_string(), format!("{count} items, {bound}"))];
        // The lists that must follow objectIDs now differ from it too.
        if let EventsItems::ClickedObjectIDsAfterSearch(e) = &event {
            expected.push(same_length("positions", e.positions.len(), "objectIDs", count));
        }
        if let Some(len) = object_data_len(&event) {
            expected.push(same_length("objectData", len, "objectIDs", count));
        }
        let mut found = found(&event);
        found.sort();
        expected.sort();
        prop_assert_eq!(found, expected);
    }

    #[test]
    fn filters_out_of_1_to_20_are_refused(mut event in any_event(), count in prop_oneof![Just(0usize), 21..=60usize]) {
        let Some(filters) = filters_of(&mut event) else { return Ok(()) };
        filters.resize(count, "brand:acme".to_string());
        let bound = if count == 0 { "at least 1" } else { "at most 20" };
        prop_assert_eq!(found(&event), [("filters".to_string(), format!("{count} items, {bound}"))]);
    }

    #[test]
    fn a_position_below_1_is_refused_at_its_index(
        event in clicked_object_ids_after_search(),
        index in any::<prop::sample::Index>(),
        position in i64::MIN..=0,
    ) {
        let mut event = event;
        let at = index.index(event.positions.len());
        event.positions[at] = position;
        prop_assert_eq!(
            found(&event),
            [(format!("positions[{at}]"), format!("must be >= 1, got {position}"))]
        );
    }

    #[test]
    fn positions_and_object_ids_of_different_lengths_are_refused(
        event in clicked_object_ids_after_search(),
        extra in 1..=5usize,
        drop in any::<bool>(),
    ) {
        let mut event = event;
        let ids = event.object_ids.len();
        if drop && ids > 1 {
            event.positions.truncate(ids - 1);
        } else {
            event.positions.extend(std::iter::repeat_n(1, extra));
        }
        let positions = event.positions.len();
        let mut expected = vec![same_length("positions", positions, "objectIDs", ids)];
        if positions > 20 {
            expected.insert(0, ("positions".to_string(), format!("{positions} items, at most 20")));
        }
        prop_assert_eq!(found(&event), expected);
    }

    #[test]
    fn object_data_and_object_ids_of_different_lengths_are_refused(
        event in purchased_object_ids_after_search(),
        entries in 1..=20usize,
    ) {
        let mut event = event;
        prop_assume!(entries != event.object_ids.len());
        event.object_data.resize(entries, ObjectDataAfterSearch::new());
        let ids = event.object_ids.len();
        prop_assert_eq!(found(&event), [same_length("objectData", entries, "objectIDs", ids)]);
    }

    #[test]
    fn a_bad_query_id_in_object_data_is_refused_at_its_entry(
        event in purchased_object_ids_after_search(),
        index in any::<prop::sample::Index>(),
        bad in prop_oneof!["[0-9a-f]{0,31}", "[0-9a-f]{33,40}", "[g-z]{32}", "[A-F]{32}"],
    ) {
        let mut event = event;
        let at = index.index(event.object_data.len());
        event.object_data[at].query_id = Some(bad.clone());
        let found = found(&event);
        prop_assert_eq!(found.len(), 1, "{:?}", found);
        prop_assert_eq!(&found[0].0, &format!("objectData[{at}].queryID"));
        let expected = match bad.len() {
            0..=31 => format!("{} characters, at least 32", bad.len()),
            33.. => format!("{} characters, at most 32", bad.len()),
            _ => format!("`{bad}` does not match the pattern `^[0-9a-f]{{32}}$`"),
        };
        prop_assert_eq!(&found[0].1, &expected);
    }

    #[test]
    fn a_timestamp_in_seconds_is_refused(mut event in any_event(), seconds in 0..100_000_000_000i64) {
        *timestamp_of(&mut event) = Some(seconds);
        let violations = violations(&event);
        prop_assert_eq!(violations.len(), 1);
        prop_assert_eq!(&violations[0].path, "timestamp");
        prop_assert_eq!(violations[0].severity, Severity::Error);
        prop_assert!(violations[0].message.contains("looks like seconds"), "{}", violations[0].message);
    }

    #[test]
    fn a_stale_timestamp_is_a_warning_unless_allowed(
        mut event in any_event(),
        age in (30 * DAY + 1)..(NOW - 100_000_000_000),
    ) {
        *timestamp_of(&mut event) = Some(NOW - age);
        let violations = violations(&event);
        prop_assert_eq!(violations.len(), 1);
        prop_assert_eq!(&violations[0].path, "timestamp");
        prop_assert_eq!(violations[0].severity, Severity::Warning);
        let lenient = at_now().allow_stale_timestamps(true);
        prop_assert!(event.validate_with(&lenient).is_ok());
    }

    #[test]
    fn a_value_string_over_16_characters_is_refused(event in purchased_object_ids(), text in "\\PC{17,40}") {
        let event = event.value(text.as_str());
        let count = text.chars().count();
        prop_assert_eq!(
            found(&event),
            [("value".to_string(), format!("{count} characters, at most 16"))]
        );
    }

    #[test]
    fn a_number_json_cannot_carry_is_refused(
        event in added_to_cart_object_ids(),
        bad in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)],
    ) {
        let entries = event.object_ids.len();
        let event = event.object_data((0..entries).map(|_| ObjectData::new().price(bad)));
        let found = found(&event);
        let paths: Vec<String> = found.iter().map(|(path, _)| path.clone()).collect();
        let expected: Vec<String> = (0..entries).map(|i| format!("objectData[{i}].price")).collect();
        prop_assert_eq!(paths, expected);
        prop_assert!(found.iter().all(|(_, message)| message.starts_with("must be a finite number")));
    }

    #[test]
    fn a_broken_event_in_a_batch_is_reported_at_its_index(
        events in vec(any_event(), 1..=20),
        index in any::<prop::sample::Index>(),
    ) {
        let mut events = events;
        let at = index.index(events.len());
        *timestamp_of(&mut events[at]) = Some(NOW / 1000);
        let batch = InsightsEvents::new(events);
        let paths: Vec<String> = violations(&batch).into_iter().map(|v| v.path).collect();
        prop_assert_eq!(paths, [format!("events[{at}].timestamp")]);
    }

    #[test]
    fn user_tokens_outside_the_rules_cannot_be_built_nor_read(
        bad in prop_oneof!["[a-zA-Z0-9_=/+-]{130,200}", "[a-z]{0,10}[@. #é][a-z]{0,10}", Just(String::new())],
    ) {
        let refused = UserToken::new(bad.clone()).expect_err("the token breaks a rule").to_string();
        let event = serde_json::json!({
            "eventName": "Product Viewed",
            "eventType": "view",
            "index": "products",
            "objectIDs": ["sku-1"],
            "userToken": bad,
        });
        let error = algolia_insights::runtime::decode::from_str::<EventsItems>(&event.to_string()).unwrap_err();
        prop_assert_eq!(error.to_string(), format!("userToken: {refused}"));
    }

    #[test]
    fn event_names_outside_the_rules_cannot_be_built(
        bad in prop_oneof!["[\\x20-\\x7E]{65,100}", "[a-z]{0,10}[\\t\\né€][a-z]{0,10}", Just(String::new())],
    ) {
        prop_assert!(EventName::new(bad).is_err());
    }
}
