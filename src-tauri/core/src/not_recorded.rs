//! A payment whose request left but whose answer could not be written: why, in the store's
//! English for the log and support, and as a kind the window words in the person's language.

use serde::Serialize;

use crate::store::StoreError;

/// Why a sent payment's answer could not be written, as the window words it in the person's
/// language; `reason` beside it is the store's own English, for the log and support.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum NotRecordedBecause {
    SharedStoreOffline,
    StoreBusy,
    ReadOnly,
    DiskFull,
    /// Anything else: `reason` says what.
    Other,
}

impl NotRecordedBecause {
    pub(crate) fn of(e: &StoreError) -> NotRecordedBecause {
        match e {
            StoreError::Offline { .. } => NotRecordedBecause::SharedStoreOffline,
            StoreError::Busy(_) => NotRecordedBecause::StoreBusy,
            StoreError::ReadOnly => NotRecordedBecause::ReadOnly,
            StoreError::DiskFull(_) => NotRecordedBecause::DiskFull,
            _ => NotRecordedBecause::Other,
        }
    }
}

/// Why an answer could not be written, without the store's own "nothing was sent" or "try
/// again" endings: by then the request had left.
pub(crate) fn why_not_recorded(e: &StoreError) -> String {
    match e {
        StoreError::Offline { .. } => "the shared store is out of reach".into(),
        StoreError::Busy(why) => format!("the database was busy and gave up waiting: {why}"),
        StoreError::ReadOnly => "this desk's database role may not write".into(),
        StoreError::DiskFull(why) => format!("the disk is full: {why}"),
        other => other.to_string(),
    }
}
