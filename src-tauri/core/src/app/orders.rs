//! Adding an order by hand, for the window and the command line alike: the amount read
//! exactly in the order's currency, the order number checked before anything else and kept
//! exactly as typed (it is matched against the merchant's records, so an order number with
//! spaces around it is refused, never trimmed), the subject without spaces around it, and
//! every attribute kept.

use std::collections::BTreeMap;

use crate::domain::OrderView;
use crate::import::check_order_no;
use crate::store::{NewOrder, Store, StoreError};
use crate::{Currency, Money};

/// An order as a person typed it.
#[derive(Debug, Clone)]
pub struct OrderInput {
    pub profile: String,
    pub order_no: String,
    /// A decimal in the currency's main unit (`12.30`).
    pub amount: String,
    /// An ISO 4217 code (`CNY`).
    pub currency: String,
    pub subject: String,
    pub attributes: BTreeMap<String, String>,
}

/// Adds the order after every rule; nothing is written when one refuses it.
pub async fn add_order(store: &Store, input: OrderInput) -> Result<OrderView, StoreError> {
    check_order_no(&input.order_no).map_err(StoreError::BadInput)?;
    let currency =
        Currency::parse(input.currency.trim()).map_err(|e| StoreError::BadInput(e.to_string()))?;
    let amount = Money::parse_positive(input.amount.trim(), currency)
        .map_err(|e| StoreError::BadInput(e.to_string()))?;
    store
        .add_order(&NewOrder {
            order_no: input.order_no,
            profile: input.profile,
            amount,
            subject: input.subject.trim().to_string(),
            attributes: input.attributes,
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{add_profile, db_path, dump, temp_store};

    fn typed(order_no: &str, amount: &str, currency: &str) -> OrderInput {
        OrderInput {
            profile: "p".into(),
            order_no: order_no.into(),
            amount: amount.into(),
            currency: currency.into(),
            subject: " gift pack ".into(),
            attributes: BTreeMap::from([("user_id".to_string(), "u-1".to_string())]),
        }
    }

    #[tokio::test]
    async fn an_order_is_kept_as_typed_or_refused_whole() {
        let (dir, store) = temp_store().await;
        add_profile(&store, "p", "partner").await;
        let before = dump(&db_path(dir.path())).await;
        for (bad, why) in [
            (typed(" O-1", "12.30", "CNY"), "spaces"),
            (typed("", "12.30", "CNY"), "empty"),
            (typed("O-1", "12.345", "CNY"), "12.345"),
            (typed("O-1", "0", "CNY"), "positive"),
            (typed("O-1", "12.30", "XXX1"), "XXX1"),
        ] {
            let refused = add_order(&store, bad.clone())
                .await
                .expect_err(&format!("{bad:?}"));
            assert!(refused.to_string().contains(why), "{bad:?}: {refused}");
        }
        assert_eq!(dump(&db_path(dir.path())).await, before);

        let order = add_order(&store, typed("O/1 ?", " 12.30 ", "CNY"))
            .await
            .unwrap();
        assert_eq!(order.order_no, "O/1 ?");
        assert_eq!(order.amount_minor, 1230);
        assert_eq!(order.subject, "gift pack");
        assert_eq!(order.attributes["user_id"], "u-1", "attributes are kept");
    }
}
