//! The audit trail: who did what to the merchant's money and settings, and when. Every order
//! added, edited or cancelled, payment started or resent, status check that settled one, a
//! person's decision, profile and secret change (never a secret's value), import, export and
//! reveal of a customer's personal data is one entry, written by the store (in the same
//! transaction as the act where the act is the store's) in the store of record. The database
//! itself keeps it append-only: triggers refuse UPDATE and DELETE on both stores, and a desk's
//! PostgreSQL role is granted INSERT on it, never UPDATE or DELETE.

use serde::Serialize;
use ts_rs::TS;

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    OrderAdded,
    OrderEdited,
    OrderCancelled,
    PaymentStarted,
    PaymentResent,
    /// A status check (the reconciler's, a person's, `status --refresh`) settled a payment.
    StatusSettled,
    /// A person decided a payment: paid or not paid, with their note.
    PersonDecided,
    ProfileAdded,
    ProfileChanged,
    ProfileRemoved,
    SecretSet,
    SecretDeleted,
    OrdersImported,
    OrdersExported,
    /// A customer's personal data in a gateway's raw answer was shown.
    PersonalDataRevealed,
    ShiftOpened,
    ShiftClosed,
    /// The merchant's name, address or time zone changed.
    MerchantChanged,
    ReceiptIssued,
    /// A receipt printed again: a copy.
    ReceiptReprinted,
    /// An action this paydesk does not know: a newer desk's, read by an older one while the
    /// merchant's desks are being updated. Its name is the entry's `recorded_as`; never written.
    Unrecognized,
}

impl AuditAction {
    pub const ALL: [AuditAction; 20] = [
        AuditAction::OrderAdded,
        AuditAction::OrderEdited,
        AuditAction::OrderCancelled,
        AuditAction::PaymentStarted,
        AuditAction::PaymentResent,
        AuditAction::StatusSettled,
        AuditAction::PersonDecided,
        AuditAction::ProfileAdded,
        AuditAction::ProfileChanged,
        AuditAction::ProfileRemoved,
        AuditAction::SecretSet,
        AuditAction::SecretDeleted,
        AuditAction::OrdersImported,
        AuditAction::OrdersExported,
        AuditAction::PersonalDataRevealed,
        AuditAction::ShiftOpened,
        AuditAction::ShiftClosed,
        AuditAction::MerchantChanged,
        AuditAction::ReceiptIssued,
        AuditAction::ReceiptReprinted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::OrderAdded => "order_added",
            AuditAction::OrderEdited => "order_edited",
            AuditAction::OrderCancelled => "order_cancelled",
            AuditAction::PaymentStarted => "payment_started",
            AuditAction::PaymentResent => "payment_resent",
            AuditAction::StatusSettled => "status_settled",
            AuditAction::PersonDecided => "person_decided",
            AuditAction::ProfileAdded => "profile_added",
            AuditAction::ProfileChanged => "profile_changed",
            AuditAction::ProfileRemoved => "profile_removed",
            AuditAction::SecretSet => "secret_set",
            AuditAction::SecretDeleted => "secret_deleted",
            AuditAction::OrdersImported => "orders_imported",
            AuditAction::OrdersExported => "orders_exported",
            AuditAction::PersonalDataRevealed => "personal_data_revealed",
            AuditAction::ShiftOpened => "shift_opened",
            AuditAction::ShiftClosed => "shift_closed",
            AuditAction::MerchantChanged => "merchant_changed",
            AuditAction::ReceiptIssued => "receipt_issued",
            AuditAction::ReceiptReprinted => "receipt_reprinted",
            AuditAction::Unrecognized => "unrecognized",
        }
    }

    pub fn parse(text: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

/// One entry of the trail, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditEntry {
    pub id: i64,
    /// Unix ms, by the clock of the store of record.
    pub at: i64,
    pub desk: String,
    pub operator: String,
    pub action: AuditAction,
    /// The action's name as the store holds it: `action`'s own, or a newer paydesk's where
    /// `action` is `unrecognized`.
    pub recorded_as: String,
    /// What it was done to: an order number, a profile's name, a file, an attempt.
    pub subject: String,
    /// What else says what was done (an edit's terms before and after, a decision's note, how
    /// many rows): a JSON object, never a secret.
    #[ts(type = "Record<string, unknown>")]
    pub detail: serde_json::Value,
}

/// An entry to write: who and when are the store's to add.
#[derive(Debug, Clone, PartialEq)]
pub struct Audited {
    pub action: AuditAction,
    pub subject: String,
    pub detail: serde_json::Value,
}

impl Audited {
    pub fn new(action: AuditAction, subject: impl Into<String>) -> Audited {
        Audited {
            action,
            subject: subject.into(),
            detail: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn with(mut self, key: &str, value: impl Serialize) -> Audited {
        if let serde_json::Value::Object(map) = &mut self.detail {
            map.insert(
                key.to_string(),
                serde_json::to_value(value).unwrap_or(serde_json::Value::Null),
            );
        }
        self
    }
}

/// Which entries to read: newest first, from `since_ms`, of one action where given.
#[derive(Debug, Clone, Default, serde::Deserialize, TS)]
#[serde(default)]
#[ts(optional_fields = nullable)]
pub struct AuditQuery {
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
    pub action: Option<AuditAction>,
    /// Entries whose subject is this (an order number, a profile).
    pub subject: Option<String>,
    pub limit: Option<i64>,
}

/// The most entries one read returns.
pub const MAX_AUDIT_ROWS: i64 = 10_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_name() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
            assert_eq!(
                serde_json::to_value(action).unwrap(),
                serde_json::Value::String(action.as_str().into())
            );
        }
        assert_eq!(AuditAction::parse("order_deleted"), None);
    }
}
