//! The change report (`algolia-codegen diff`): each spec of
//! `tests/evolution/` (the real spec with one change) is compared with the
//! real spec, and edits made here on a copy of the spec cover the other
//! rules; every test asserts the exact lines, hence the breaking flags, and
//! the exit status. The binary itself is run for its output and exit codes.

use algolia_codegen::diff::{compare, Report};
use algolia_codegen::model::{self, Model};
use algolia_codegen::resolve::Loader;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

fn spec_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/insights.json")
}

fn evolution(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/evolution/{name}.json"))
}

fn model_at(path: &Path) -> Model {
    let loader = Loader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    model::build(&loader).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn spec_json() -> Value {
    serde_json::from_str(&std::fs::read_to_string(spec_path()).unwrap()).unwrap()
}

fn model_of(spec: &Value) -> Model {
    let loader = Loader::from_json_str(&spec.to_string()).unwrap();
    model::build(&loader).unwrap_or_else(|e| panic!("edited spec: {e}"))
}

/// The real spec with `edit` applied.
fn edited(edit: impl FnOnce(&mut Value)) -> Value {
    let mut spec = spec_json();
    edit(&mut spec);
    spec
}

/// Sets the value at a JSON pointer, creating the last key if needed.
fn set(spec: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let key = key.replace("~1", "/").replace("~0", "~");
    let parent = spec
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent} in the spec"));
    match parent {
        Value::Object(map) => {
            map.insert(key, value);
        }
        Value::Array(items) => items[key.parse::<usize>().unwrap()] = value,
        _ => panic!("{pointer}: the parent is neither an object nor an array"),
    }
}

fn remove(spec: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let key = key.replace("~1", "/").replace("~0", "~");
    match spec.pointer_mut(parent).unwrap() {
        Value::Object(map) => assert!(map.remove(&key).is_some(), "no {pointer}"),
        Value::Array(items) => {
            items.remove(key.parse::<usize>().unwrap());
        }
        _ => panic!("{pointer}: the parent is neither an object nor an array"),
    }
}

fn assert_report(report: &Report, lines: &[&str], exit_code: u8) {
    assert_eq!(report.lines(), lines);
    assert_eq!(report.is_breaking(), exit_code == 1, "{lines:?}");
    assert_eq!(report.exit_code(), exit_code, "{lines:?}");
}

/// Compares the real spec with the evolution spec `name`.
fn assert_evolution(name: &str, lines: &[&str], exit_code: u8) {
    let report = compare(&model_at(&spec_path()), &model_at(&evolution(name)));
    assert_report(&report, lines, exit_code);
}

fn assert_edit(old: &Value, new: &Value, lines: &[&str], exit_code: u8) {
    assert_report(&compare(&model_of(old), &model_of(new)), lines, exit_code);
}

#[test]
fn the_same_spec_has_no_change() {
    let model = model_at(&spec_path());
    assert_report(&compare(&model, &model), &[], 0);
}

#[test]
fn a_new_operation_is_compatible_and_removing_it_is_breaking() {
    let lines = [
        "operation set_user_token_consent (PUT /1/usertokens/{userToken}/consent) added",
        "type UserTokenConsent added",
        "type UserTokenConsentResponse added",
    ];
    let compatible: Vec<String> = lines.iter().map(|l| format!("compatible: {l}")).collect();
    let compatible: Vec<&str> = compatible.iter().map(String::as_str).collect();
    assert_evolution("new_operation", &compatible, 0);

    let reverse = compare(
        &model_at(&evolution("new_operation")),
        &model_at(&spec_path()),
    );
    let removed: Vec<String> = lines
        .iter()
        .map(|l| format!("breaking: {}", l.replace("added", "removed")))
        .collect();
    assert_eq!(reverse.lines(), removed);
    assert_eq!(reverse.exit_code(), 1);
}

#[test]
fn a_new_event_variant_is_compatible() {
    assert_evolution(
        "new_event_variant",
        &[
            "compatible: type AddToWishlistEvent added",
            "compatible: type AddedToWishlistObjectIDs added",
            "compatible: variant EventsItems::AddedToWishlistObjectIDs added",
        ],
        0,
    );
}

#[test]
fn a_new_optional_field_is_compatible() {
    assert_evolution(
        "new_optional_field",
        &["compatible: field ClickedObjectIDs.agent_id (agentID) added, optional"],
        0,
    );
}

#[test]
fn a_new_required_field_is_breaking() {
    assert_evolution(
        "new_required_field",
        &["breaking: field PurchasedObjectIDs.order_id (orderID) added, required"],
        1,
    );
}

#[test]
fn a_removed_field_is_breaking() {
    assert_evolution(
        "removed_field",
        &["breaking: field Instantsearch.agent_id (agentID) removed"],
        1,
    );
}

#[test]
fn a_new_enum_value_is_compatible_and_removing_one_is_breaking() {
    assert_evolution(
        "response_enum",
        &[
            "compatible: field EventsResponse.state (state) added, optional",
            "compatible: type EventsState added",
        ],
        0,
    );
    let old = model_at(&evolution("response_enum"));
    let new = model_at(&evolution("response_enum_new_value"));
    assert_report(
        &compare(&old, &new),
        &["compatible: enum value EventsState::Deferred (\"deferred\") added"],
        0,
    );
    assert_report(
        &compare(&new, &old),
        &["breaking: enum value EventsState::Deferred (\"deferred\") removed"],
        1,
    );
}

#[test]
fn a_relaxed_constraint_is_compatible_and_a_tightened_one_is_breaking() {
    assert_evolution(
        "relaxed_constraint",
        &["compatible: type ObjectIDs maxItems relaxed: 20 -> 50"],
        0,
    );
    assert_evolution(
        "tightened_constraint",
        &["breaking: type AgentID maxLength tightened: unset -> 64"],
        1,
    );
}

#[test]
fn every_kind_of_constraint_moves_one_way_or_the_other() {
    let base = spec_json();
    let schemas = "/components/schemas";
    let new = edited(|s| {
        set(s, &format!("{schemas}/UserToken/minLength"), json!(2));
        set(
            s,
            &format!("{schemas}/UserToken/pattern"),
            json!("^[a-z0-9-]{2,129}$"),
        );
        set(s, &format!("{schemas}/Positions/items/minimum"), json!(0));
        set(s, &format!("{schemas}/Timestamp/x-max-age-days"), json!(7));
        set(
            s,
            &format!("{schemas}/Timestamp/x-unix-time-unit"),
            json!("seconds"),
        );
        set(
            s,
            &format!("{schemas}/InsightsEvents/x-max-serialized-bytes"),
            json!(1_000_000),
        );
        set(
            s,
            &format!("{schemas}/InsightsEvents/properties/events/maxItems"),
            json!(5000),
        );
    });
    assert_edit(
        &base,
        &new,
        &[
            "breaking: type InsightsEvents x-max-serialized-bytes tightened: 2000000 -> 1000000",
            "compatible: field InsightsEvents.events (events) maxItems relaxed: 1000 -> 5000",
            "compatible: type Positions items.minimum relaxed: 1 -> 0",
            "breaking: type Timestamp x-unix-time-unit changed: milliseconds -> seconds",
            "breaking: type Timestamp x-max-age-days tightened: 30 -> 7",
            "breaking: type UserToken minLength tightened: 1 -> 2",
            "breaking: type UserToken pattern tightened: `^[a-zA-Z0-9_=/+-]{1,129}$` -> `^[a-z0-9-]{2,129}$`",
        ],
        1,
    );
}

#[test]
fn relaxing_a_value_that_responses_are_checked_against_is_breaking() {
    // `QueryID` is a validated string: once a response carries one, a
    // longer value from the API fails to decode in an old client.
    let query_id = json!({"$ref": "#/components/schemas/QueryID"});
    let old = edited(|s| {
        set(
            s,
            "/components/schemas/EventsResponse/properties/queryID",
            query_id,
        )
    });
    let mut new = old.clone();
    set(
        &mut new,
        "/components/schemas/QueryID/maxLength",
        json!(256),
    );
    assert_edit(
        &old,
        &new,
        &["breaking: type QueryID maxLength relaxed: 128 -> 256 (checked when responses are decoded)"],
        1,
    );
    // The same change while `QueryID` is only sent is compatible.
    let only_sent = edited(|s| set(s, "/components/schemas/QueryID/maxLength", json!(256)));
    assert_edit(
        &spec_json(),
        &only_sent,
        &["compatible: type QueryID maxLength relaxed: 128 -> 256"],
        0,
    );
}

/// The spec before Algolia's agentic-analytics change: 12 event variants (no
/// `Instantsearch`, hence no `agentID`), and `queryID` exactly 32 hex digits.
fn before_instantsearch() -> Value {
    edited(|s| {
        let items = s
            .pointer_mut("/components/schemas/EventsItems/anyOf")
            .and_then(Value::as_array_mut)
            .unwrap();
        let before = items.len();
        items.retain(|v| v["$ref"] != "#/components/schemas/Instantsearch");
        assert_eq!(items.len(), before - 1);
        remove(s, "/components/schemas/Instantsearch");
        let query_id = "/components/schemas/QueryID";
        set(s, &format!("{query_id}/pattern"), json!("^[0-9a-f]{32}$"));
        set(s, &format!("{query_id}/minLength"), json!(32));
        set(s, &format!("{query_id}/maxLength"), json!(32));
    })
}

#[test]
fn replaying_the_instantsearch_change_reports_nothing_breaking() {
    let old = model_of(&before_instantsearch());
    let new = model_at(&spec_path());
    let report = compare(&old, &new);
    let lines = report.lines();
    for expected in [
        "compatible: type Instantsearch added",
        "compatible: variant EventsItems::Instantsearch added",
        "compatible: type QueryID minLength relaxed: 32 -> unset",
        "compatible: type QueryID maxLength relaxed: 32 -> 128",
        "compatible: type QueryID pattern relaxed: `^[0-9a-f]{32}$` -> `^([0-9a-f]{32}|message_[!-~]+)$`",
    ] {
        assert!(lines.iter().any(|l| l == expected), "no `{expected}` in {lines:#?}");
    }
    assert!(!report.is_breaking(), "{lines:#?}");
    assert_eq!(report.exit_code(), 0);
    // Undoing it narrows what users may send: breaking.
    let undo = compare(&new, &old);
    assert!(undo.lines().contains(
        &"breaking: type QueryID pattern tightened: `^([0-9a-f]{32}|message_[!-~]+)$` -> `^[0-9a-f]{32}$`"
            .to_string()
    ), "{:#?}", undo.lines());
}

#[test]
fn pattern_changes_are_decided_by_the_values_they_accept() {
    let token = "/components/schemas/UserToken/pattern";
    let with = |pattern: &str| edited(|s| set(s, token, json!(pattern)));
    let base = spec_json();
    // Sent values: wider is compatible, narrower breaking, neither breaking.
    assert_edit(
        &base,
        &with("^[a-zA-Z0-9_=/+.-]{1,129}$"),
        &["compatible: type UserToken pattern relaxed: `^[a-zA-Z0-9_=/+-]{1,129}$` -> `^[a-zA-Z0-9_=/+.-]{1,129}$`"],
        0,
    );
    assert_edit(
        &base,
        &with("^[a-zA-Z0-9_=/+.]{1,129}$"),
        &["breaking: type UserToken pattern changed: `^[a-zA-Z0-9_=/+-]{1,129}$` -> `^[a-zA-Z0-9_=/+.]{1,129}$`"],
        1,
    );
    // The same values, written another way: compatible.
    assert_edit(
        &base,
        &with("^[-a-zA-Z0-9_=/+]{1,129}$"),
        &["compatible: type UserToken pattern rewritten (same values): `^[a-zA-Z0-9_=/+-]{1,129}$` -> `^[-a-zA-Z0-9_=/+]{1,129}$`"],
        0,
    );
    // Too large to decide: said so, and counted as breaking.
    let huge = "^(a|b)*a(a|b){24}$";
    let report = compare(&model_of(&base), &model_of(&with(huge)));
    assert_eq!(
        report.lines(),
        [format!("breaking: type UserToken pattern changed (inclusion could not be decided): `^[a-zA-Z0-9_=/+-]{{1,129}}$` -> `{huge}`")]
    );
}

#[test]
fn a_rule_on_a_value_only_received_breaks_the_other_way_round() {
    // `EventsResponse.message` is only ever received.
    let message = "/components/schemas/EventsResponse/properties/message";
    let old = edited(|s| set(s, &format!("{message}/maxLength"), json!(100)));
    let tightened = edited(|s| set(s, &format!("{message}/maxLength"), json!(50)));
    let relaxed = edited(|s| set(s, &format!("{message}/maxLength"), json!(500)));
    assert_edit(
        &old,
        &tightened,
        &["compatible: field EventsResponse.message (message) maxLength tightened: 100 -> 50 (only received)"],
        0,
    );
    // Code that read the old answers may rely on the old rule.
    assert_edit(
        &old,
        &relaxed,
        &["breaking: field EventsResponse.message (message) maxLength relaxed: 100 -> 500 (received in responses)"],
        1,
    );
}

#[test]
fn fields_that_become_required_optional_or_change_type_are_breaking() {
    let object = "/components/schemas/ClickedObjectIDs";
    let new = edited(|s| {
        let required = s.pointer_mut(&format!("{object}/required")).unwrap();
        let required = required.as_array_mut().unwrap();
        required.retain(|name| name != "index");
        required.push(json!("timestamp"));
        set(
            s,
            "/components/schemas/EventsResponse/properties/status/type",
            json!("string"),
        );
        set(
            s,
            "/components/schemas/EventsResponse/properties/message/deprecated",
            json!(true),
        );
    });
    assert_edit(
        &spec_json(),
        &new,
        &[
            "breaking: field ClickedObjectIDs.index (index) now optional",
            "breaking: field ClickedObjectIDs.timestamp (timestamp) now required",
            "compatible: field EventsResponse.message (message) deprecated",
            "breaking: field EventsResponse.status (status) type changed: Option<i64> -> Option<String>",
        ],
        1,
    );
}

#[test]
fn operations_report_endpoints_parameters_responses_and_errors() {
    let push = "/paths/~11~1events/post";
    let new = edited(|s| {
        let item = s
            .pointer("/paths/~11~1usertokens~1{userToken}")
            .unwrap()
            .clone();
        remove(s, "/paths/~11~1usertokens~1{userToken}");
        set(s, "/paths/~11~1users~1{userToken}", item);
        set(
            s,
            &format!("{push}/parameters"),
            json!([
                {"name": "dryRun", "in": "query", "schema": {"type": "boolean"}},
                {"name": "x-trace", "in": "header", "required": true, "schema": {"type": "string"}}
            ]),
        );
        set(s, &format!("{push}/deprecated"), json!(true));
        set(
            s,
            &format!("{push}/responses/429"),
            json!({"description": "Too many requests."}),
        );
        set(
            s,
            &format!("{push}/responses/200/content/application~1json/schema"),
            json!({"$ref": "#/components/schemas/ErrorBase"}),
        );
    });
    assert_edit(
        &spec_json(),
        &new,
        &[
            "breaking: operation delete_user_token (DELETE /1/usertokens/{userToken}) endpoint changed: DELETE /1/usertokens/{userToken} -> DELETE /1/users/{userToken}",
            "compatible: operation push_events (POST /1/events) deprecated",
            "breaking: parameter push_events.x_trace (x-trace, header) added, required",
            "compatible: parameter push_events.dry_run (dryRun, query) added, optional",
            "breaking: response of push_events type changed: EventsResponse -> ErrorBase",
            "compatible: operation push_events (POST /1/events) error 429 added",
            // `EventsResponse` is no longer read from a success response.
            "breaking: type EventsResponse no longer keeps unknown properties",
        ],
        1,
    );
}

#[test]
fn reordered_arguments_are_breaking() {
    let params = "/paths/~11~1usertokens~1{userToken}~1consent/put/parameters";
    let mut old: Value =
        serde_json::from_str(&std::fs::read_to_string(evolution("new_operation")).unwrap())
            .unwrap();
    set(&mut old, &format!("{params}/2/required"), json!(true));
    let mut new = old.clone();
    let list = new.pointer_mut(params).unwrap().as_array_mut().unwrap();
    list.swap(1, 2);
    assert_edit(
        &old,
        &new,
        &["breaking: operation set_user_token_consent (PUT /1/usertokens/{userToken}/consent) arguments reordered: (user_token, policy_version, source, user_token_consent) -> (user_token, source, policy_version, user_token_consent)"],
        1,
    );
}

#[test]
fn types_report_kinds_variants_and_regions() {
    let new = edited(|s| {
        set(s, "/info/version", json!("1.1.0"));
        let values = s.pointer_mut("/servers/0/variables/region/enum").unwrap();
        *values = json!(["us", "eu"]);
        set(
            s,
            "/components/schemas/Index/enum",
            json!(["products", "articles"]),
        );
        let variants = s
            .pointer_mut("/components/schemas/EventsItems/anyOf")
            .unwrap();
        variants.as_array_mut().unwrap().pop();
    });
    assert_edit(
        &spec_json(),
        &new,
        &[
            "compatible: API version changed: 1.0.0 -> 1.1.0",
            "breaking: region de removed",
            "compatible: region eu added",
            "breaking: variant EventsItems::Instantsearch removed",
            "breaking: type Index changed: alias of Cow<'static, str> -> enum",
        ],
        1,
    );
}

#[test]
fn a_new_variant_of_a_union_read_from_responses_is_breaking() {
    let detail = json!({"oneOf": [{"type": "string"}, {"type": "integer"}]});
    let old = edited(|s| {
        set(
            s,
            "/components/schemas/EventsResponse/properties/detail",
            detail,
        )
    });
    let mut new = old.clone();
    let variants = "/components/schemas/EventsResponse/properties/detail/oneOf";
    let list = new.pointer_mut(variants).unwrap().as_array_mut().unwrap();
    list.push(json!({"type": "boolean"}));
    assert_edit(
        &old,
        &new,
        &["breaking: variant EventsResponseDetail::Boolean added"],
        1,
    );
}

fn codegen(args: &[&Path]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_algolia-codegen"))
        .arg("diff")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().expect("an exit code"),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn the_binary_prints_one_line_per_change_and_exits_1_on_a_breaking_one() {
    let (code, stdout, stderr) = codegen(&[&spec_path(), &evolution("removed_field")]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stdout,
        "breaking: field Instantsearch.agent_id (agentID) removed\n"
    );
    assert_eq!(stderr, "1 change, 1 breaking\n");

    let (code, stdout, stderr) = codegen(&[&spec_path(), &evolution("new_event_variant")]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(
        stdout.lines().all(|l| l.starts_with("compatible: ")),
        "{stdout}"
    );
    assert_eq!(stderr, "3 changes, 0 breaking\n");
}

#[test]
fn the_binary_exits_2_on_usage_and_spec_errors() {
    let (code, stdout, stderr) = codegen(&[&spec_path()]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(stderr.contains("diff takes two specs"), "{stderr}");
    assert!(
        stderr.contains("algolia-codegen diff <OLD_SPEC> <NEW_SPEC>"),
        "{stderr}"
    );

    let bad = Path::new(env!("CARGO_TARGET_TMPDIR")).join("diff-openapi-3.2.json");
    let spec = edited(|s| set(s, "/openapi", json!("3.2.0")));
    std::fs::write(&bad, spec.to_string()).unwrap();
    let (code, stdout, stderr) = codegen(&[&spec_path(), &bad]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(stderr.contains("#/openapi"), "{stderr}");
    assert!(stderr.contains("3.2.0"), "{stderr}");
}
