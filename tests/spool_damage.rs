//! Damage to a spool costs only the records it touches. A spool holding
//! acknowledged events is damaged as disks damage files (a flipped byte in
//! a record's payload, length, checksum or kind; a zeroed 4 KiB page; a
//! segment cut short or deleted between two others; a damaged header), at
//! opening or while the sender runs. Each time the spool opens, reports
//! the damage where it is, delivers every event whose record is intact,
//! takes and delivers new events, and shuts down with nothing left over.
//! A property test does the same with random damage at random places.

#[path = "support/spool_files.rs"]
mod spool_files;

use algolia_insights::local::{Faults, LocalServer};
use algolia_insights::models::{EventName, EventsItems, UserToken, ViewedObjectIDs};
use algolia_insights::sender::{
    DamageKind, Recovery, SendError, SenderConfig, SenderStats, Spool, SpoolConfig,
};
use algolia_insights::Client;
use proptest::prelude::*;
use spool_files::{copy_spool, intact, moved, Damage, Record};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// A bound on waits that should take milliseconds, generous for a loaded machine.
const PATIENCE: Duration = Duration::from_secs(60);
/// Events in the spool every test starts from.
const EVENTS: u32 = 4000;

fn view(id: &str) -> EventsItems {
    ViewedObjectIDs::new(
        EventName::new("Product Viewed").unwrap(),
        "products",
        [format!("sku-{id}")],
        UserToken::new(id.to_owned()).unwrap(),
    )
    .into()
}

fn config_for(dir: &Path) -> SpoolConfig {
    SpoolConfig::new(dir).segment_bytes(64 << 10)
}

fn client(url: &str) -> Client {
    Client::builder("local", "local")
        .hosts([url])
        .write_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn quick() -> SenderConfig {
    SenderConfig::new()
        .max_delay(Duration::from_millis(20))
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
}

fn scratch(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("spool-damage")
        .join(name)
}

/// The spool every test copies: `user-0` to `user-3999`, sent while the
/// API failed most requests, so that some were settled (out of order, with
/// settled records between the events) and the rest are still in it, over
/// several 64 KiB segments. With the tokens of the events it still holds.
struct Template {
    dir: PathBuf,
    events: Vec<Record>,
    unsettled: BTreeSet<String>,
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        std::thread::spawn(|| {
            tokio::runtime::Runtime::new()
                .unwrap()
                .block_on(make_template())
        })
        .join()
        .unwrap()
    })
}

async fn make_template() -> Template {
    let dir = scratch("template");
    let _ = std::fs::remove_dir_all(&dir);
    let down = || Faults::seeded(1).fail(1.0, 503);
    let server = LocalServer::builder().faults(down()).start().await.unwrap();
    // Small batches, so that what is settled is settled in small runs.
    let config = quick().max_batch_events(40).max_in_flight(4);
    let sender =
        client(server.url()).spooled_sender(config, Spool::open(config_for(&dir)).unwrap());
    // Four rounds: a thousand events taken while the API is down, then a
    // moment when it takes some requests: settled records between events.
    for round in 0..4u32 {
        for i in round * 1000..(round + 1) * 1000 {
            if let Err(SendError::Full(event)) = sender.try_send(view(&format!("user-{i}"))) {
                sender.send(*event).await.unwrap();
            }
        }
        assert!(sender.sync().await);
        // Until a request of this round went through (a fixed moment could
        // pass without one on a loaded machine, and leave nothing settled).
        server.set_faults(Faults::seeded(round.into()).fail(0.8, 503));
        let delivered = sender.stats().delivered;
        let started = std::time::Instant::now();
        while sender.stats().delivered == delivered {
            assert!(started.elapsed() < PATIENCE, "no request went through");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        server.set_faults(down());
    }
    let report = sender.shutdown(Duration::from_millis(200)).await;
    assert!(report.undelivered.is_empty());
    let events = spool_files::events(&dir);
    assert!(
        spool_files::segments(&dir).len() >= 4,
        "{:?}",
        spool_files::segments(&dir)
    );
    // What a clean start delivers.
    let copy = scratch("template-clean");
    copy_spool(&dir, &copy);
    let (recovery, delivered, _) = deliver(&copy, 0).await;
    assert_eq!(recovery.damaged, []);
    assert!(
        recovery.events > 1000 && recovery.events < u64::from(EVENTS),
        "{recovery:?}"
    );
    assert_eq!(delivered.len() as u64, recovery.events);
    Template {
        dir,
        events,
        unsettled: delivered,
    }
}

/// The user tokens of the events `server` recorded.
fn tokens(server: &LocalServer) -> BTreeSet<String> {
    server
        .events()
        .iter()
        .map(|e| {
            serde_json::to_value(e).unwrap()["userToken"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// Opens the spool in `dir`, sends `more` new events (`after-<i>`), and
/// delivers everything to a server that accepts it: what opening found,
/// the user tokens the server recorded (no new ones), and the stats.
async fn deliver(dir: &Path, more: u32) -> (Recovery, BTreeSet<String>, SenderStats) {
    let spool = Spool::open(config_for(dir)).unwrap_or_else(|e| panic!("the spool must open: {e}"));
    let recovery = spool.recovery().clone();
    let server = LocalServer::builder()
        .max_recorded_events(usize::MAX)
        .start()
        .await
        .unwrap();
    let sender = client(server.url()).spooled_sender(quick(), spool);
    for i in 0..more {
        sender.send(view(&format!("after-{i}"))).await.unwrap();
    }
    let report = sender.shutdown(PATIENCE).await;
    assert!(
        !report.deadline_passed,
        "the sender stopped delivering: {report:?}"
    );
    assert_eq!(report.spooled, 0, "{report:?}");
    let mut delivered = tokens(&server);
    for i in 0..more {
        assert!(
            delivered.remove(&format!("after-{i}")),
            "a new event was not delivered: after-{i}"
        );
    }
    server.shutdown().await;
    (recovery, delivered, report.stats)
}

/// Copies the template, damages the copy, and delivers it: every intact
/// unsettled event must arrive, and nothing that was never in the spool.
async fn damaged_run(name: &str, damage: &[Damage]) -> (Recovery, BTreeSet<String>, SenderStats) {
    let template = template();
    let dir = scratch(name);
    copy_spool(&template.dir, &dir);
    let damage: Vec<Damage> = damage.iter().map(|d| moved(d, &dir)).collect();
    for d in &damage {
        d.apply();
    }
    let (recovery, delivered, stats) = deliver(&dir, 20).await;
    check_delivery(&damage, &delivered, &recovery);
    (recovery, delivered, stats)
}

fn check_delivery(damage: &[Damage], delivered: &BTreeSet<String>, recovery: &Recovery) {
    let template = template();
    let damage_in_template: Vec<Damage> = damage.iter().map(|d| moved(d, &template.dir)).collect();
    let intact = intact(&template.events, &damage_in_template);
    let missing: Vec<&String> = template
        .unsettled
        .iter()
        .filter(|t| intact.contains(*t) && !delivered.contains(*t))
        .collect();
    assert!(
        missing.is_empty(),
        "{} intact events not delivered, the first {:?}; damage {damage:?}; {recovery:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    let all: BTreeSet<String> = template
        .events
        .iter()
        .map(|r| r.user_token().unwrap())
        .collect();
    assert!(
        delivered.is_subset(&all),
        "events never sent were delivered"
    );
}

/// An unsettled event's record in the middle of an older segment (the
/// second one, or the first after it that holds unsettled events).
fn middle_record() -> Record {
    let template = template();
    let segments = spool_files::segments(&template.dir);
    for segment in &segments[1..segments.len() - 1] {
        let candidates: Vec<&Record> = template
            .events
            .iter()
            .filter(|r| &r.file == segment && template.unsettled.contains(&r.user_token().unwrap()))
            .collect();
        if candidates.len() >= 3 {
            return candidates[candidates.len() / 2].clone();
        }
    }
    panic!("no older segment holds unsettled events: {segments:?}");
}

fn flip(record: &Record, field: u64) -> Damage {
    Damage::Flip {
        file: record.file.clone(),
        at: record.bytes.start + field,
        mask: 0x24,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flipped_byte_in_a_payload_length_checksum_or_kind_costs_its_record_only() {
    let record = middle_record();
    let token = record.user_token().unwrap();
    // marker, checksum, length, kind, number, payload.
    for (field, at) in [
        ("marker", 1),
        ("checksum", 5),
        ("length", 9),
        ("kind", 12),
        ("number", 15),
        ("payload", 40),
    ] {
        let (recovery, delivered, _) =
            damaged_run(&format!("flip-{field}"), &[flip(&record, at)]).await;
        assert_eq!(recovery.damaged.len(), 1, "{field}: {recovery:?}");
        let damage = &recovery.damaged[0];
        assert_eq!(damage.kind, DamageKind::Records, "{field}");
        assert_eq!(damage.file.file_name(), record.file.file_name(), "{field}");
        assert_eq!(damage.offset, record.bytes.start, "{field}");
        assert_eq!(
            damage.bytes,
            record.bytes.end - record.bytes.start,
            "{field}"
        );
        assert_eq!(
            damage.sequences,
            record.number..record.number + 1,
            "{field}"
        );
        assert!(!delivered.contains(&token), "{field}");
        assert_eq!(
            delivered.len(),
            template().unsettled.len() - 1,
            "{field}: every other event"
        );
        let message = damage.to_string();
        assert!(
            message.contains(&format!("events {} to {}", record.number, record.number)),
            "{message}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zeroed_page_costs_the_records_on_it() {
    let record = middle_record();
    let page = record.bytes.start / 4096;
    let damage = Damage::ZeroPage {
        file: record.file.clone(),
        page,
    };
    let touched: Vec<&Record> = template()
        .events
        .iter()
        .filter(|r| damage.touches(r))
        .collect();
    assert!(touched.len() > 10);
    let (recovery, delivered, _) = damaged_run("zeroed-page", &[damage]).await;
    assert_eq!(recovery.damaged.len(), 1, "{recovery:?}");
    let found = &recovery.damaged[0];
    assert!(found.offset <= page * 4096 && found.offset + found.bytes >= (page + 1) * 4096);
    let numbers = touched[0].number..touched.last().unwrap().number + 1;
    assert_eq!(found.sequences, numbers);
    for r in touched {
        assert!(!delivered.contains(&r.user_token().unwrap()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_segment_cut_short_in_the_middle_of_the_list_costs_what_was_cut() {
    let record = middle_record();
    let len = record.bytes.start + 7;
    let (recovery, delivered, _) = damaged_run(
        "truncated",
        &[Damage::Truncate {
            file: record.file.clone(),
            len,
        }],
    )
    .await;
    let segments = spool_files::segments(&template().dir);
    let at = segments.iter().position(|s| *s == record.file).unwrap();
    let next_base = spool_files::records(&segments[at + 1])[0].number;
    assert_eq!(recovery.damaged.len(), 1, "{recovery:?}");
    let found = &recovery.damaged[0];
    assert_eq!(found.offset, record.bytes.start);
    assert_eq!(found.sequences, record.number..next_base);
    assert!(!delivered.contains(&record.user_token().unwrap()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_segment_between_two_others_is_reported_and_the_rest_delivered() {
    let segments = spool_files::segments(&template().dir);
    let gone = spool_files::records(&segments[2]);
    let numbers = gone[0].number..spool_files::records(&segments[3])[0].number;
    let (recovery, _, _) = damaged_run(
        "missing",
        &[Damage::Delete {
            file: segments[2].clone(),
        }],
    )
    .await;
    assert_eq!(recovery.damaged.len(), 1, "{recovery:?}");
    let found = &recovery.damaged[0];
    assert_eq!(found.kind, DamageKind::Missing);
    assert_eq!(found.file.file_name(), segments[1].file_name());
    assert_eq!(found.sequences, numbers);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_oldest_segment_is_reported_not_taken_as_settled() {
    let segments = spool_files::segments(&template().dir);
    // The oldest segment is still there: it holds unsettled events.
    let numbers =
        spool_files::records(&segments[0])[0].number..spool_files::records(&segments[1])[0].number;
    let (recovery, _, stats) = damaged_run(
        "missing-oldest",
        &[Damage::Delete {
            file: segments[0].clone(),
        }],
    )
    .await;
    assert_eq!(recovery.damaged.len(), 1, "{recovery:?}");
    let found = &recovery.damaged[0];
    assert_eq!(found.kind, DamageKind::Missing);
    assert_eq!(found.file.file_name(), segments[1].file_name());
    assert!(
        !found.sequences.is_empty()
            && found.sequences.start >= numbers.start
            && found.sequences.end <= numbers.end,
        "{found:?} is not within {numbers:?}"
    );
    assert_eq!(stats.spool_lost, 0, "found at opening, not while running");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_segment_with_a_damaged_header_is_read_all_the_same() {
    let segments = spool_files::segments(&template().dir);
    for (i, at) in [(0, 3), (1, 17), (segments.len() - 1, 25)] {
        let damage = Damage::Flip {
            file: segments[i].clone(),
            at,
            mask: 0xFF,
        };
        let (recovery, delivered, _) = damaged_run(&format!("header-{i}"), &[damage]).await;
        assert_eq!(recovery.damaged.len(), 1, "{recovery:?}");
        assert_eq!(recovery.damaged[0].kind, DamageKind::Header);
        assert!(recovery.damaged[0].sequences.is_empty());
        assert_eq!(
            delivered,
            template().unsettled,
            "segment {i}: no event lost"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damage_found_while_running_costs_its_record_only_and_delivery_goes_on() {
    let record = middle_record();
    let dir = scratch("while-running");
    copy_spool(&template().dir, &dir);
    // Opened clean: the damage comes after, before the reader gets there.
    let spool = Spool::open(config_for(&dir)).unwrap();
    assert_eq!(spool.recovery().damaged, []);
    let damage = moved(&flip(&record, 40), &dir);
    damage.apply();
    let server = LocalServer::builder()
        .max_recorded_events(usize::MAX)
        .start()
        .await
        .unwrap();
    let sender = client(server.url()).spooled_sender(quick(), spool);
    sender.send(view("after-0")).await.unwrap();
    sender.flush().await;
    let stats = sender.stats();
    assert_eq!(stats.spool_lost, 1, "{stats:?}");
    assert_eq!(stats.spooled, 0, "{stats:?}");
    let report = sender.shutdown(PATIENCE).await;
    assert!(!report.deadline_passed);
    let delivered = tokens(&server);
    assert!(!delivered.contains(&record.user_token().unwrap()));
    assert_eq!(delivered.len(), template().unsettled.len() - 1 + 1);
}

/// A damage a disk can do, placed by fractions of what is there.
#[derive(Debug, Clone)]
enum Random {
    Flip { segment: f64, at: f64, mask: u8 },
    ZeroPage { segment: f64, page: f64 },
    Truncate { segment: f64, at: f64 },
    Delete { segment: f64 },
}

fn random_damage() -> impl Strategy<Value = Random> {
    let fraction = 0.0..1.0f64;
    prop_oneof![
        4 => (fraction.clone(), fraction.clone(), 1..=255u8)
            .prop_map(|(segment, at, mask)| Random::Flip { segment, at, mask }),
        2 => (fraction.clone(), fraction.clone())
            .prop_map(|(segment, page)| Random::ZeroPage { segment, page }),
        1 => (fraction.clone(), fraction.clone())
            .prop_map(|(segment, at)| Random::Truncate { segment, at }),
        1 => fraction.prop_map(|segment| Random::Delete { segment }),
    ]
}

/// The damage on the template's files.
fn place(random: &Random) -> Damage {
    let segments = spool_files::segments(&template().dir);
    let pick =
        |f: f64| segments[((f * segments.len() as f64) as usize).min(segments.len() - 1)].clone();
    let len = |file: &PathBuf| std::fs::metadata(file).unwrap().len();
    let within = |file: &PathBuf, f: f64| ((f * len(file) as f64) as u64).min(len(file) - 1);
    match random {
        Random::Flip { segment, at, mask } => {
            let file = pick(*segment);
            Damage::Flip {
                at: within(&file, *at),
                file,
                mask: *mask,
            }
        }
        Random::ZeroPage { segment, page } => {
            let file = pick(*segment);
            Damage::ZeroPage {
                page: within(&file, *page) / 4096,
                file,
            }
        }
        Random::Truncate { segment, at } => {
            let file = pick(*segment);
            Damage::Truncate {
                len: within(&file, *at),
                file,
            }
        }
        Random::Delete { segment } => Damage::Delete {
            file: pick(*segment),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Random damage at random places: every record outside the damaged
    /// bytes is delivered, the spool opens, and the sender finishes.
    #[test]
    fn random_damage_costs_only_the_damaged_records(
        damage in proptest::collection::vec(random_damage(), 1..=3),
    ) {
        let mut placed: Vec<Damage> = Vec::new();
        for random in &damage {
            let d = place(random);
            // A file is deleted once at most, and not damaged after.
            let gone = |file: &PathBuf| placed.iter().any(|p| matches!(p, Damage::Delete { file: f } if f == file));
            let file = match &d {
                Damage::Flip { file, .. } | Damage::ZeroPage { file, .. }
                | Damage::Truncate { file, .. } | Damage::Delete { file } => file.clone(),
            };
            if !gone(&file) {
                placed.push(d);
            }
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(damaged_run("random", &placed));
    }
}

/// The user tokens of the template's unsettled events whose records are in
/// `segment`.
fn unsettled_in(segment: &Path) -> BTreeSet<String> {
    let events: BTreeSet<String> = spool_files::records(segment)
        .iter()
        .filter(|r| r.kind == 1)
        .map(|r| r.user_token().unwrap())
        .filter(|t| template().unsettled.contains(t))
        .collect();
    assert!(!events.is_empty());
    events
}

/// Delivers what `spool` holds, its file damaged while running: every
/// unsettled event of the template arrives but those of `lost`, counted as
/// lost, and delivery does not stop at the damage.
async fn delivered_but(spool: Spool, lost: &BTreeSet<String>) {
    let server = LocalServer::builder()
        .max_recorded_events(usize::MAX)
        .start()
        .await
        .unwrap();
    let sender = client(server.url()).spooled_sender(quick(), spool);
    let flushed = tokio::time::timeout(PATIENCE, sender.flush()).await;
    assert!(
        flushed.is_ok(),
        "delivery stopped at the file: {:?}",
        sender.stats()
    );
    let stats = sender.stats();
    assert_eq!(stats.spool_lost, lost.len() as u64, "{stats:?}");
    let report = sender.shutdown(PATIENCE).await;
    assert!(!report.deadline_passed);
    assert_eq!(report.spooled, 0);
    let delivered = tokens(&server);
    let expected: BTreeSet<String> = template().unsettled.difference(lost).cloned().collect();
    assert_eq!(delivered, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_segment_deleted_while_running_costs_its_events_only() {
    let segments = spool_files::segments(&template().dir);
    let gone = unsettled_in(&segments[2]);
    let dir = scratch("deleted-while-running");
    copy_spool(&template().dir, &dir);
    let spool = Spool::open(config_for(&dir)).unwrap();
    std::fs::remove_file(dir.join(segments[2].file_name().unwrap())).unwrap();
    delivered_but(spool, &gone).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_segment_that_cannot_be_read_costs_its_events_only() {
    let segments = spool_files::segments(&template().dir);
    let unreadable = unsettled_in(&segments[2]);
    let dir = scratch("unreadable-while-running");
    copy_spool(&template().dir, &dir);
    let spool = Spool::open(config_for(&dir)).unwrap();
    // A file every read of fails (EISDIR), as a bad sector's do (EIO): it
    // opens, and reading it fails however often it is tried.
    let path = dir.join(segments[2].file_name().unwrap());
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    delivered_but(spool, &unreadable).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_spool_whose_only_header_is_damaged_still_opens() {
    let dir = scratch("idle-header");
    let _ = std::fs::remove_dir_all(&dir);
    let server = LocalServer::start().await.unwrap();
    let sender =
        client(server.url()).spooled_sender(quick(), Spool::open(config_for(&dir)).unwrap());
    sender.send(view("only")).await.unwrap();
    let report = sender.shutdown(PATIENCE).await;
    assert_eq!(report.spooled, 0);
    let segments = spool_files::segments(&dir);
    assert_eq!(segments.len(), 1);
    Damage::Flip {
        file: segments[0].clone(),
        at: 2,
        mask: 0xFF,
    }
    .apply();
    let spool = Spool::open(config_for(&dir)).unwrap_or_else(|e| panic!("{e}"));
    let recovery = spool.recovery();
    assert_eq!(recovery.events, 0);
    assert_eq!(recovery.damaged.len(), 1, "{recovery:?}");
    assert_eq!(recovery.damaged[0].kind, DamageKind::Header);
}
