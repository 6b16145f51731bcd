//! A spool left by 0.1 (format version 1, `tests/fixtures/spool-v1`) is
//! upgraded when opened: every event it held is delivered, in order, with
//! its number, and its files are rewritten in the current format. A
//! migration stopped half-way (its `.migrating` file left behind) is done
//! again from the old file.

use algolia_insights::local::LocalServer;
use algolia_insights::models::{EventName, EventsItems, UserToken, ViewedObjectIDs};
use algolia_insights::sender::{SenderConfig, Spool, SpoolConfig};
use algolia_insights::Client;
use std::path::{Path, PathBuf};
use std::time::Duration;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/spool-v1");

/// A copy of the fixture in a fresh directory.
fn copy_of_fixture(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("spool-upgrade")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(FIXTURE).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "seg") {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

fn versions(dir: &Path) -> Vec<u32> {
    let mut segments: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "seg"))
        .collect();
    segments.sort();
    segments
        .iter()
        .map(|s| {
            let bytes = std::fs::read(s).unwrap();
            assert_eq!(&bytes[..8], b"AISPOOL\n");
            u32::from_le_bytes(bytes[8..12].try_into().unwrap())
        })
        .collect()
}

async fn deliver_all(spool: Spool) -> Vec<String> {
    let server = LocalServer::builder()
        .max_recorded_events(usize::MAX)
        .start()
        .await
        .unwrap();
    let client = Client::builder("local", "local")
        .hosts([server.url()])
        .build()
        .unwrap();
    let config = SenderConfig::new()
        .max_in_flight(1)
        .max_delay(Duration::from_millis(20));
    let sender = client.spooled_sender(config, spool);
    sender
        .send(EventsItems::from(ViewedObjectIDs::new(
            EventName::new("Product Viewed").unwrap(),
            "products",
            ["sku-new"],
            UserToken::new("user-new").unwrap(),
        )))
        .await
        .unwrap();
    let report = sender.shutdown(Duration::from_secs(60)).await;
    assert_eq!(report.spooled, 0, "{report:?}");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_1_spool_is_upgraded_and_every_event_delivered_in_order() {
    let dir = copy_of_fixture("upgrade");
    assert_eq!(versions(&dir), [1, 1, 1]);
    let spool = Spool::open(SpoolConfig::new(&dir)).unwrap();
    let recovery = spool.recovery().clone();
    assert_eq!(recovery.migrated_segments, 3, "{recovery:?}");
    assert_eq!(recovery.events, 700, "{recovery:?}");
    assert_eq!(recovery.next_sequence, 1100, "{recovery:?}");
    assert_eq!(recovery.damaged, [], "{recovery:?}");
    assert_eq!(versions(&dir), [2, 2, 2]);

    let mut want: Vec<String> = (400..1100).map(|i| format!("user-{i}")).collect();
    want.push("user-new".to_string());
    assert_eq!(deliver_all(spool).await, want);

    let again = Spool::open(SpoolConfig::new(&dir)).unwrap();
    assert_eq!(again.recovery().migrated_segments, 0);
    assert_eq!(again.recovery().events, 0);
    assert_eq!(again.recovery().next_sequence, 1101);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_stopped_half_way_is_done_again() {
    let dir = copy_of_fixture("half-way");
    // A kill while the second file was rewritten: its new form, half
    // written, is beside the old one, which is still whole.
    let second = dir.join("00000000000000000497.seg");
    let half = std::fs::read(&second).unwrap();
    std::fs::write(
        dir.join("00000000000000000497.seg.migrating"),
        &half[..half.len() / 2],
    )
    .unwrap();
    let spool = Spool::open(SpoolConfig::new(&dir)).unwrap();
    assert_eq!(spool.recovery().events, 700);
    assert!(!dir.join("00000000000000000497.seg.migrating").exists());
    let delivered = deliver_all(spool).await;
    assert_eq!(delivered.len(), 701);
    assert_eq!(delivered[0], "user-400");
}
