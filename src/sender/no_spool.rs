//! Without the feature `spool`, a sender has no queue on disk. The type a
//! spooled sender would hold has no value, so that the sender's code for a
//! spool is there, and never runs.

use bytes::Bytes;
use std::time::Duration;

/// A spool attached to a sender: none without the feature `spool`.
pub(crate) enum Spooled {}

/// Where `send` got with an event, with a spool (matched by the sender,
/// made only by a spool).
#[allow(dead_code)]
pub(crate) enum Admitted {
    Taken(u64),
    Full,
    Closed,
}

impl Spooled {
    pub fn admit(&self, _: &[u8]) -> Admitted {
        match *self {}
    }

    pub async fn wait_and_append(&self, _: Vec<u8>) -> bool {
        match *self {}
    }

    pub async fn durable(&self, _: u64) -> bool {
        match *self {}
    }

    pub async fn sync(&self) -> bool {
        match *self {}
    }

    pub async fn flush(&self) {
        match *self {}
    }

    pub fn close(&self) {
        match *self {}
    }

    pub fn abandon(&self) {
        match *self {}
    }

    pub async fn finish(&self, _: Duration) -> (Vec<(u64, Bytes)>, u64) {
        match *self {}
    }

    pub fn unsettled(&self) -> u64 {
        match *self {}
    }

    pub fn written(&self) -> u64 {
        match *self {}
    }

    pub fn bytes_read(&self) -> u64 {
        match *self {}
    }

    pub fn lost(&self) -> u64 {
        match *self {}
    }
}
