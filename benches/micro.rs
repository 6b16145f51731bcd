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

use algolia_insights::__private::{check_request, HttpRequest, Method};
use algolia_insights::models::{
    Currency, EventName, EventsItems, InsightsEvents, QueryID, UserToken,
};
use algolia_insights::validation::{Validate, ValidationContext};
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

/// One timed step of [`batch`]: its thread CPU time on fresh batches.
type Step<'a> = Box<dyn FnMut() -> Duration + 'a>;

/// Nanoseconds of CPU per event of each step `push_events` takes on a batch
/// of 1000 (the throughput benchmark's events), next to the floor's one
/// step. Each sample works on fresh batches, built outside the timed part,
/// so the events are as cold in the cache as they are when sent. The steps
/// take turns within each sample, and each is also given as a ratio to the
/// floor of the same sample: the machine's speed drifts between samples.
fn batch() {
    const EVENTS: u64 = 1000;
    const BATCHES: usize = 50;
    const BATCH_SAMPLES: usize = 15;
    let context = &ValidationContext::now().skip_serialized_size();
    let typed_batches = &|| -> Vec<InsightsEvents> {
        (0..BATCHES as u64)
            .map(|b| InsightsEvents::new((b * EVENTS..(b + 1) * EVENTS).map(events::typed)))
            .collect()
    };
    let plain_batches = &|| -> Vec<Vec<events::PlainEvent>> {
        (0..BATCHES as u64)
            .map(|b| (b * EVENTS..(b + 1) * EVENTS).map(events::plain).collect())
            .collect()
    };
    // Times `work` on fresh typed batches.
    let typed =
        |work: fn(&InsightsEvents, &ValidationContext)| -> Box<dyn FnMut() -> Duration + '_> {
            Box::new(move || {
                let batches = typed_batches();
                let started = thread_cpu();
                for batch in &batches {
                    work(batch, context);
                }
                thread_cpu() - started
            })
        };
    // Times freeing fresh batches that `make` builds.
    fn freeing<'a, T>(make: &'a dyn Fn() -> Vec<T>) -> Step<'a> {
        Box::new(move || {
            let batches = make();
            let started = thread_cpu();
            drop(black_box(batches));
            thread_cpu() - started
        })
    }
    let mut steps: Vec<(&str, Step<'_>)> = vec![
        (
            "floor: `serde_json::to_vec` of the hand-written batch",
            Box::new(|| {
                let batches = plain_batches();
                let started = thread_cpu();
                for batch in &batches {
                    black_box(serde_json::to_vec(&events::PlainBatchRef { events: batch }).unwrap());
                }
                thread_cpu() - started
            }),
        ),
        (
            "`validate_with` the batch (first pass over cold events)",
            typed(|batch, context| black_box(batch.validate_with(context)).unwrap()),
        ),
        (
            "`serde_json::to_vec` of the batch",
            typed(|batch, _| {
                black_box(serde_json::to_vec(batch).unwrap());
            }),
        ),
        (
            "both, one pass after the other (as `push_events` did)",
            typed(|batch, context| {
                black_box(batch.validate_with(context)).unwrap();
                black_box(serde_json::to_vec(batch).unwrap());
            }),
        ),
        (
            "`json_body` of the batch (a buffer sized like the last body)",
            typed(|batch, _| {
                let mut request = HttpRequest::new(Method::POST, "/1/events".into());
                request.json_body(batch, Some(2_000_000)).unwrap();
                black_box(request);
            }),
        ),
        (
            "`check_request`, then `checked_json_body`: each event checked as it is written (as `push_events` does)",
            typed(|batch, context| {
                check_request(batch, context, Vec::new()).unwrap();
                let mut request = HttpRequest::new(Method::POST, "/1/events".into());
                request
                    .checked_json_body(batch, Some(2_000_000), context)
                    .unwrap();
                black_box(request);
            }),
        ),
        (
            "freeing the batch (`push_events(batch)` takes it)",
            freeing(typed_batches),
        ),
        (
            "freeing the floor's events (after the clock, in the floor)",
            freeing(plain_batches),
        ),
    ];
    let mut nanos: Vec<Vec<f64>> = vec![Vec::new(); steps.len()];
    for _ in 0..BATCH_SAMPLES {
        for (i, (_, step)) in steps.iter_mut().enumerate() {
            nanos[i].push(step().as_nanos() as f64 / (EVENTS as f64 * BATCHES as f64));
        }
    }
    let median = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    println!();
    println!("## A batch of 1000 events, step by step (ns of CPU per event, median of {BATCH_SAMPLES} samples of {BATCHES} fresh batches; the steps take turns)");
    println!();
    println!("| step | ns per event | vs the floor's step, same sample |");
    println!("| --- | ---: | ---: |");
    for (i, (name, _)) in steps.iter().enumerate() {
        let ratio = median(nanos[i].iter().zip(&nanos[0]).map(|(a, b)| a / b).collect());
        println!("| {name} | {:.0} | {ratio:.2}× |", median(nanos[i].clone()));
    }
    println!(
        "| `size_of::<EventsItems>()`, the floor's event | {} B, {} B | |",
        std::mem::size_of::<EventsItems>(),
        std::mem::size_of::<events::PlainEvent>()
    );
}
