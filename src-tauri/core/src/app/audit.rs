//! Reading the audit trail ([`crate::audit`]) and recording what only a shell knows was
//! done: a customer's personal data shown.

use crate::audit::{AuditAction, AuditEntry, AuditQuery, Audited};
use crate::personal_data;
use crate::report::OrderDetail;
use crate::store::Store;

use super::{AppError, Result};

/// The entries asked for, newest first. A time range that ends before it starts is refused.
pub async fn trail(store: &Store, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
    if let (Some(since), Some(until)) = (query.since_ms, query.until_ms) {
        if until <= since {
            let (field, rule) = (
                paydesk_gateways::invalid::Field::TimeRange,
                paydesk_gateways::invalid::Rule::EndsBeforeStart,
            );
            return Err(paydesk_gateways::Invalid::new(field, rule).into());
        }
    }
    Ok(store.audit_trail(query).await?)
}

/// Records that a person was shown the customer's personal data in an attempt's raw gateway
/// answers (which the window hides until asked).
pub async fn personal_data_revealed(store: &Store, attempt_id: i64) -> Result<()> {
    let attempt = store.attempt(attempt_id).await?;
    let order = store.order_of(&attempt).await.map_err(AppError::from)?;
    let entry = Audited::new(AuditAction::PersonalDataRevealed, &order.order_no)
        .with("attempt_id", attempt_id);
    Ok(store.audit(&entry).await?)
}

/// Whether a person asked to see the customers' personal data in the gateways' answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalData {
    Hidden,
    Shown,
}

/// An order's payments as a person reads them: the customers' personal data in the gateways'
/// answers hidden, or shown once the audit trail records it for each attempt that has some
/// (if that fails, nothing is shown).
pub async fn order_detail_as_read(
    store: &Store,
    detail: OrderDetail,
    personal: PersonalData,
) -> Result<OrderDetail> {
    let (hidden, had) = personal_data::hidden_in(detail.clone());
    match personal {
        PersonalData::Hidden => Ok(hidden),
        PersonalData::Shown => {
            for attempt_id in had {
                personal_data_revealed(store, attempt_id).await?;
            }
            Ok(detail)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::OrderQuery;
    use crate::test_support::{add_order, add_profile, begin_attempt, temp_store};

    #[tokio::test]
    async fn an_export_and_a_reveal_are_on_the_trail_and_a_backwards_range_is_refused() {
        let (_dir, store) = temp_store().await;
        add_profile(&store, "shop", "partner").await;
        let order = add_order(&store, "shop", "P-1", "3.00", "gift pack").await;
        let attempt = begin_attempt(&store, &order, "alipay", "key-p1")
            .await
            .unwrap();
        let now = chrono::Local::now();
        let file = crate::app::orders::export(&store, &OrderQuery::default(), "csv", now)
            .await
            .unwrap();
        personal_data_revealed(&store, attempt.id).await.unwrap();
        let entries = trail(&store, &AuditQuery::default()).await.unwrap();
        let revealed = &entries[0];
        assert_eq!(
            (revealed.action, revealed.subject.as_str()),
            (AuditAction::PersonalDataRevealed, "P-1")
        );
        assert_eq!(revealed.detail["attempt_id"], attempt.id);
        let exported = &entries[1];
        assert_eq!(
            (exported.action, exported.subject.as_str()),
            (AuditAction::OrdersExported, file.file_name.as_str())
        );
        assert_eq!(exported.detail["rows"], 1);
        let backwards = AuditQuery {
            since_ms: Some(10),
            until_ms: Some(5),
            ..Default::default()
        };
        let refused = trail(&store, &backwards).await.unwrap_err();
        assert!(
            matches!(refused.problem, super::super::Problem::Invalid(_)),
            "{refused:?}"
        );
    }
}
