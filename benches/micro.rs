//! One event at a time: how long serializing, validating and deserializing
//! each kind of event takes (each kind's example from the spec), what the
//! pattern checks of the checked strings cost next to a plain character
//! loop, and how long the generator takes on our spec.
//!
//! ```text
//! cargo bench --bench micro
//! ```
//!
//! Each figure is the median of 9 samples of a loop calibrated to run at
//! least 20 ms.

#[path = "throughput/events.rs"]
#[allow(dead_code)]
mod events;

use algolia_insights::models::{
    Currency, EventName, EventsItems, InsightsEvents, QueryID, UserToken,
};
use algolia_insights::validation::{Validate, ValidationContext};
use algolia_insights::__private::{check_request, HttpRequest, Method};
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

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec_path = root.join("spec/insights.json");
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&spec_path).expect("the spec"))
            .expect("the spec is JSON");
    let schemas = &spec["components"]["schemas"];

    println!("## One event (ns per call, median of {SAMPLES} samples)");
    println!();
    println!("- serialize: `serde_json::to_vec(&event)`");
    println!("- validate: `event.validate_with(&context)` with a context made once, as `push_events` does per batch and the sender per 100 ms");
    println!("- validate(): `event.validate()`, the convenience method, which makes its own context (reads the clock) per call");
    println!("- deserialize: `serde_json::from_slice::<EventsItems>(json)` (picks the variant, then checks every field)");
    println!();
    println!("| event | JSON bytes | serialize | validate | validate / serialize | validate() | validate() / serialize | deserialize |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let context = ValidationContext::now();
    let mut worst: (f64, &str) = (0.0, "");
    let mut worst_own: (f64, &str) = (0.0, "");
    for (name, _) in EventsItems::VARIANT_RULES {
        let example = &schemas[*name]["example"];
        let json = serde_json::to_vec(example).expect("an example serializes");
        let event: EventsItems = serde_json::from_slice(&json)
            .unwrap_or_else(|e| panic!("the example of {name} does not read: {e}"));
        assert_eq!(
            event.variant_name(),
            *name,
            "the example reads as its own kind"
        );
        assert!(event.validate().is_ok(), "the example of {name} is valid");

        let serialize = measure(|| serde_json::to_vec(black_box(&event)));
        let validate = measure(|| black_box(&event).validate_with(&context));
        let validate_own = measure(|| black_box(&event).validate());
        let deserialize = measure(|| serde_json::from_slice::<EventsItems>(black_box(&json)));
        let (share, share_own) = (validate / serialize, validate_own / serialize);
        if share > worst.0 {
            worst = (share, name);
        }
        if share_own > worst_own.0 {
            worst_own = (share_own, name);
        }
        println!(
            "| {name} | {} | {serialize:.0} | {validate:.0} | {:.0}% | {validate_own:.0} | {:.0}% | {deserialize:.0} |",
            json.len(),
            share * 100.0,
            share_own * 100.0
        );
    }
    println!();
    println!(
        "Validation adds at most {:.0}% to serialization ({}); with a context per call, at most {:.0}% ({}).",
        worst.0 * 100.0,
        worst.1,
        worst_own.0 * 100.0,
        worst_own.1
    );
    println!(
        "`ValidationContext::now()` alone: {:.0} ns.",
        measure(ValidationContext::now)
    );
    println!();
    println!(
        "## Checked strings: the generated pattern check next to a character loop (ns per call)"
    );
    println!();
    println!("| type | value | `check` (length + pattern) | character loop |");
    println!("| --- | --- | ---: | ---: |");
    let token = "anonymous-user-1";
    let query_id = "7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f";
    let rows: [(&str, &str, f64, f64); 4] = [
        (
            "EventName",
            "Product Clicked",
            measure(|| EventName::check(black_box("Product Clicked"))),
            measure(|| {
                let v = black_box("Product Clicked");
                (1..=64).contains(&v.len()) && v.bytes().all(|b| (0x20..=0x7e).contains(&b))
            }),
        ),
        (
            "UserToken",
            token,
            measure(|| UserToken::check(black_box(token))),
            measure(|| {
                let v = black_box(token);
                (1..=129).contains(&v.len())
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_=/+-".contains(&b))
            }),
        ),
        (
            "QueryID",
            query_id,
            measure(|| QueryID::check(black_box(query_id))),
            measure(|| {
                let v = black_box(query_id);
                v.len() == 32
                    && v.bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            }),
        ),
        (
            "Currency",
            "USD",
            measure(|| Currency::check(black_box("USD"))),
            measure(|| {
                let v = black_box("USD");
                v.len() == 3 && v.bytes().all(|b| b.is_ascii_alphabetic())
            }),
        ),
    ];
    for (name, value, check, by_hand) in rows {
        println!("| {name} | `{value}` | {check:.1} | {by_hand:.1} |");
    }

    batch();

    println!();
    println!("## The generator on spec/insights.json");
    println!();
    let mut times: Vec<Duration> = (0..SAMPLES)
        .map(|_| {
            let started = Instant::now();
            let generated =
                algolia_codegen::generate_from_path(&spec_path).expect("the spec generates");
            let elapsed = started.elapsed();
            black_box(generated);
            elapsed
        })
        .collect();
    times.sort();
    println!(
        "`generate_from_path`: median {:.1} ms, fastest {:.1} ms ({SAMPLES} runs)",
        times[SAMPLES / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0
    );
}

/// The CPU time this thread has used (it does not count while other
/// programs have the core, unlike the wall clock).
fn thread_cpu() -> Duration {
    // SAFETY: `clock_gettime` only writes into the struct we hand it.
    let t = unsafe {
        let mut t: libc::timespec = std::mem::zeroed();
        libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t);
        t
    };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Nanoseconds of CPU per event of each step `push_events` takes on a batch
/// of 1000 (the throughput benchmark's events), next to the floor's one
/// step. Each sample works on fresh batches, built outside the timed part,
/// so the events are as cold in the cache as they are when sent.
fn batch() {
    const EVENTS: u64 = 1000;
    const BATCHES: usize = 50;
    let context = ValidationContext::now().skip_serialized_size();
    let typed_batches = || -> Vec<InsightsEvents> {
        (0..BATCHES as u64)
            .map(|b| InsightsEvents::new((b * EVENTS..(b + 1) * EVENTS).map(events::typed)))
            .collect()
    };
    let plain_batches = || -> Vec<Vec<events::PlainEvent>> {
        (0..BATCHES as u64)
            .map(|b| (b * EVENTS..(b + 1) * EVENTS).map(events::plain).collect())
            .collect()
    };
    let per_event = |mut step: Box<dyn FnMut() -> Duration>| -> f64 {
        let mut samples: Vec<f64> = (0..SAMPLES)
            .map(|_| step().as_nanos() as f64 / (EVENTS as f64 * BATCHES as f64))
            .collect();
        samples.sort_by(f64::total_cmp);
        samples[SAMPLES / 2]
    };
    let floor_serialize = per_event(Box::new(|| {
        let batches = plain_batches();
        let started = thread_cpu();
        for batch in &batches {
            black_box(serde_json::to_vec(&events::PlainBatchRef { events: batch }).unwrap());
        }
        thread_cpu() - started
    }));
    let validate = per_event(Box::new(|| {
        let batches = typed_batches();
        let started = thread_cpu();
        for batch in &batches {
            black_box(batch.validate_with(&context)).unwrap();
        }
        thread_cpu() - started
    }));
    let serialize = per_event(Box::new(|| {
        let batches = typed_batches();
        let started = thread_cpu();
        for batch in &batches {
            black_box(serde_json::to_vec(batch).unwrap());
        }
        thread_cpu() - started
    }));
    let validate_serialize = per_event(Box::new(|| {
        let batches = typed_batches();
        let started = thread_cpu();
        for batch in &batches {
            black_box(batch.validate_with(&context)).unwrap();
            black_box(serde_json::to_vec(batch).unwrap());
        }
        thread_cpu() - started
    }));
    // What `push_events` does now (the plumbing its generated code calls):
    // the body's own rules first, then each event checked as it is
    // written into a buffer sized like the last body.
    let context = &context;
    let typed_batches = &typed_batches;
    let written = |check: bool| -> Box<dyn FnMut() -> Duration + '_> {
        Box::new(move || {
            let batches = typed_batches();
            let started = thread_cpu();
            for batch in &batches {
                let mut request = HttpRequest::new(Method::POST, "/1/events".into());
                if check {
                    check_request(batch, context, Vec::new()).unwrap();
                    request
                        .checked_json_body(batch, Some(2_000_000), context)
                        .unwrap();
                } else {
                    request.json_body(batch, Some(2_000_000)).unwrap();
                }
                black_box(request);
            }
            thread_cpu() - started
        })
    };
    let json_body = per_event(written(false));
    let as_written = per_event(written(true));
    let free = per_event(Box::new(|| {
        let batches = typed_batches();
        let started = thread_cpu();
        drop(black_box(batches));
        thread_cpu() - started
    }));
    let plain_free = per_event(Box::new(|| {
        let batches = plain_batches();
        let started = thread_cpu();
        drop(black_box(batches));
        thread_cpu() - started
    }));
    println!();
    println!("## A batch of 1000 events, step by step (ns of CPU per event, median of {SAMPLES} samples of {BATCHES} fresh batches)");
    println!();
    println!("| step | ns per event |");
    println!("| --- | ---: |");
    println!("| floor: `serde_json::to_vec` of the hand-written batch | {floor_serialize:.0} |");
    println!("| `validate_with` the batch (first pass over cold events) | {validate:.0} |");
    println!("| `serde_json::to_vec` of the batch | {serialize:.0} |");
    println!("| both, one pass after the other (as `push_events` did) | {validate_serialize:.0} |");
    println!("| `json_body` of the batch (a buffer sized like the last body) | {json_body:.0} |");
    println!("| `check_request`, then `checked_json_body`: each event checked as it is written (as `push_events` does) | {as_written:.0} |");
    println!("| freeing the batch (`push_events` takes it) | {free:.0} |");
    println!("| freeing the floor's events (after the clock, in the floor) | {plain_free:.0} |");
    println!(
        "| `size_of::<EventsItems>()`, the floor's event | {} B, {} B |",
        std::mem::size_of::<EventsItems>(),
        std::mem::size_of::<events::PlainEvent>()
    );
}
