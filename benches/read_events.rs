//! Reading events against writing them, per kind of event: the generated
//! `EventsItems` deserializer (one pass, the variant picked from the
//! discriminator fields, no tree of values) next to serializing the same
//! event, for each of the 13 kinds (each kind's example from the spec).
//!
//! ```text
//! taskset -c 1 cargo bench --bench read_events
//! ```
//!
//! - write: `serde_json::to_vec(&event)`
//! - read: `serde_json::from_slice::<EventsItems>(json)`
//! - read, path entry: `runtime::decode::from_slice::<EventsItems>(json)`,
//!   the crate's entry point (the path is only looked for on an error, so
//!   good input costs the same)
//! - floor: `serde_json::from_slice` into a plain `#[derive(Deserialize)]`
//!   struct with `String` fields and no checks, the cheapest reading of the
//!   same JSON
//!
//! Each figure is the median of 9 samples of a loop calibrated to run at
//! least 20 ms; the ratio is taken in the same run.

use algolia_insights::models::EventsItems;
use algolia_insights::runtime::decode;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

const SAMPLES: usize = 9;
const SAMPLE_TIME: Duration = Duration::from_millis(20);

/// Nanoseconds per call of `f`.
fn measure<T>(mut f: impl FnMut() -> T) -> f64 {
    let mut iterations: u64 = 1;
    loop {
        let started = Instant::now();
        for _ in 0..iterations {
            black_box(f());
        }
        if started.elapsed() >= SAMPLE_TIME {
            break;
        }
        iterations *= 2;
    }
    let mut samples: Vec<f64> = (0..SAMPLES)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..iterations {
                black_box(f());
            }
            started.elapsed().as_nanos() as f64 / iterations as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[SAMPLES / 2]
}

/// Any event, read the cheapest way: plain strings and numbers, unknown
/// fields skipped, nothing checked.
#[derive(serde::Deserialize)]
#[allow(dead_code, non_snake_case)]
struct PlainEvent {
    eventName: String,
    eventType: String,
    eventSubtype: Option<String>,
    index: Option<String>,
    objectIDs: Option<Vec<String>>,
    positions: Option<Vec<i64>>,
    queryID: Option<String>,
    userToken: String,
    authenticatedUserToken: Option<String>,
    timestamp: Option<i64>,
    filters: Option<Vec<String>>,
    objectData: Option<Vec<PlainObjectData>>,
    currency: Option<String>,
    value: Option<f64>,
    agentID: Option<String>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code, non_snake_case)]
struct PlainObjectData {
    price: Option<f64>,
    quantity: Option<i64>,
    discount: Option<f64>,
    queryID: Option<String>,
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("spec/insights.json")).expect("the spec"),
    )
    .expect("the spec is JSON");
    let schemas = &spec["components"]["schemas"];

    println!("## Reading an event against writing it (ns per event, median of {SAMPLES} samples)");
    println!();
    println!("| event | JSON bytes | write | from_json | from_json / write | serde_json::from_slice | decode::from_slice | floor read | from_json / floor |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut worst = (0.0f64, "");
    // `cargo bench --bench read_events -- Clicked`: only the kinds whose name holds it.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    for (name, _) in EventsItems::VARIANT_RULES {
        if !only.is_empty() && !only.iter().any(|o| name.contains(o.as_str())) {
            continue;
        }
        let example = &schemas[*name]["example"];
        let example = serde_json::to_vec(example).expect("an example serializes");
        let event: EventsItems = decode::from_slice(&example)
            .unwrap_or_else(|e| panic!("the example of {name} does not read: {e}"));
        assert_eq!(
            event.variant_name(),
            *name,
            "the example reads as its own kind"
        );
        // Read and write the same bytes: the event as it writes itself (a
        // number may change form, `0` to `0.0`), which must read back equal.
        let json = serde_json::to_vec(&event).unwrap();
        assert_eq!(
            decode::from_slice::<EventsItems>(&json).unwrap(),
            event,
            "{name} reads back what it writes"
        );
        let write = measure(|| serde_json::to_vec(black_box(&event)));
        let read = measure(|| serde_json::from_slice::<EventsItems>(black_box(&json)));
        let read_entry = measure(|| decode::from_slice::<EventsItems>(black_box(&json)));
        let floor = measure(|| serde_json::from_slice::<PlainEvent>(black_box(&json)));
        // The bytes checked as UTF-8, then the fast path.
        let fast = measure(|| {
            EventsItems::from_json(std::str::from_utf8(black_box(&json)).expect("UTF-8"))
        });
        assert_eq!(
            EventsItems::from_json(std::str::from_utf8(&json).unwrap()).unwrap(),
            event,
            "{name}: the fast path reads what the full reader reads"
        );
        let ratio = fast / write;
        if ratio > worst.0 {
            worst = (ratio, name);
        }
        println!(
            "| {name} | {} | {write:.0} | {fast:.0} | {ratio:.2}× | {read:.0} | {read_entry:.0} | {floor:.0} | {:.2}× |",
            json.len(),
            fast / floor
        );
    }
    println!();
    println!(
        "Reading costs at most {:.2}× writing ({}).",
        worst.0, worst.1
    );
}
