//! Reading the audit trail ([`crate::audit`]) and showing a customer's personal data, which
//! it records first.

use crate::audit::{AuditAction, AuditEntry, AuditQuery, Audited};
use crate::domain::AttemptEvent;
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

/// An attempt's events with the customer's personal data in the gateways' answers, once the
/// audit trail has recorded that a person is shown it (if that fails, nothing is shown).
pub async fn personal_data_revealed(store: &Store, attempt_id: i64) -> Result<Vec<AttemptEvent>> {
    record_shown(store, attempt_id).await?;
    Ok(store.events(attempt_id).await?)
}

/// An order's payments with the customers' personal data in the gateways' answers, once the
/// audit trail has recorded it for each attempt that has some.
pub async fn order_detail_shown(store: &Store, order_no: &str) -> Result<OrderDetail> {
    let detail = store.order_detail(order_no).await?;
    for attempt_id in personal_data::attempts_with_personal_data(&detail) {
        record_shown(store, attempt_id).await?;
    }
    Ok(detail)
}

async fn record_shown(store: &Store, attempt_id: i64) -> Result<()> {
    let attempt = store.attempt(attempt_id).await?;
    let order = store.order_of(&attempt).await.map_err(AppError::from)?;
    let entry = Audited::new(AuditAction::PersonalDataRevealed, &order.order_no)
        .with("attempt_id", attempt_id);
    Ok(store.audit(&entry).await?)
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

    #[tokio::test]
    async fn an_order_is_read_with_its_customers_data_hidden_and_shown_once_recorded() {
        let (_dir, store) = temp_store().await;
        add_profile(&store, "shop", "partner").await;
        let order = add_order(&store, "shop", "P-2", "3.00", "gift pack").await;
        let attempt = begin_attempt(&store, &order, "balance", "key-p2")
            .await
            .unwrap();
        let answer = r#"{"order_no":"G-1","user_phone":"18569557087","order_price":300}"#;
        let update = crate::settling::AttemptUpdate {
            detail: Some(answer.to_string()),
            ..Default::default()
        };
        store
            .record(attempt.id, crate::domain::AttemptState::Succeeded, &update)
            .await
            .unwrap();
        let shown_on_trail = |entries: &[AuditEntry]| {
            entries
                .iter()
                .filter(|e| e.action == AuditAction::PersonalDataRevealed)
                .count()
        };

        let read = crate::app::lookups::order_detail(&store, "P-2")
            .await
            .unwrap();
        let events = &read.attempts[0].events;
        let answered = events.last().unwrap();
        assert!(answered.personal_data_hidden);
        assert!(!answered.detail.as_deref().unwrap().contains("18569557087"));
        assert!(events[..events.len() - 1]
            .iter()
            .all(|e| !e.personal_data_hidden));
        let trail_now = trail(&store, &AuditQuery::default()).await.unwrap();
        assert_eq!(shown_on_trail(&trail_now), 0);

        let whole = personal_data_revealed(&store, attempt.id).await.unwrap();
        assert_eq!(whole.last().unwrap().detail.as_deref(), Some(answer));
        let shown = order_detail_shown(&store, "P-2").await.unwrap();
        let last = shown.attempts[0].events.last().unwrap();
        assert_eq!(last.detail.as_deref(), Some(answer));
        assert!(!last.personal_data_hidden);
        let trail_now = trail(&store, &AuditQuery::default()).await.unwrap();
        assert_eq!(
            shown_on_trail(&trail_now),
            2,
            "each showing is on the trail"
        );
    }
}
