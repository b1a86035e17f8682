//! A paid order's receipt: the merchant's name and address, the order, what it came to (each
//! voucher and coupon deducted), how and through which gateway it was paid with the gateway's
//! reference, when (the merchant's calendar), at which desk by whom, and a QR code of the order
//! number, in the reader's language. A reprint says COPY / 副本; a sandbox payment's says
//! SPECIMEN / 样张. Pure: the store says which receipt this is ([`crate::store`]'s `receipts`).

use paydesk_paper::{Block, Paper, PaperSize};

use crate::domain::Attempt;
use crate::merchant::{Merchant, Zone};
use crate::pricing::{Charges, DeductionKind};
use crate::shifts::Amount;
use crate::words::Words;

/// An order's paid attempt with what its receipt prints of the order and its profile.
#[derive(Debug, Clone)]
pub struct PaidOrder {
    pub attempt: Attempt,
    pub order_no: String,
    pub subject: String,
    pub currency: String,
    /// What the order came to, before any voucher or coupon.
    pub order_amount_minor: i64,
    pub gateway: String,
    pub profile: String,
    /// The profile is a paydesk sandbox: the receipt is a specimen.
    pub sandbox: bool,
}

/// Which receipt of the payment this is, and where and when it is printed.
#[derive(Debug, Clone)]
pub struct Issue {
    /// How many were issued before (0: the original).
    pub earlier: i64,
    pub printed_at: i64,
    pub desk: String,
}

fn money(amount_minor_text: &str, currency: &str) -> String {
    format!("{currency} {amount_minor_text}")
}

/// The receipt's paper.
pub fn paper(
    paid: &PaidOrder,
    merchant: &Merchant,
    issue: &Issue,
    zone: Zone,
    words: Words,
) -> Paper {
    let a = &paid.attempt;
    let charges = Charges::of(a, &paid.currency);
    let order_amount = Amount::of(paid.order_amount_minor, &paid.currency).amount;
    let mut blocks = Vec::new();
    if !merchant.name.is_empty() {
        blocks.push(Block::Heading {
            text: merchant.name.clone(),
        });
    }
    if !merchant.address.is_empty() {
        blocks.push(Block::Text {
            text: merchant.address.clone(),
        });
    }
    if paid.sandbox {
        blocks.push(Block::Banner {
            text: words.get("specimen"),
        });
    }
    if issue.earlier > 0 {
        blocks.push(Block::Banner {
            text: words.get("copy"),
        });
    }
    blocks.push(Block::Heading {
        text: words.get("receipt"),
    });
    let field = |label: String, value: String| Block::Field { label, value };
    blocks.push(field(words.get("order_no"), paid.order_no.clone()));
    if !paid.subject.is_empty() {
        blocks.push(field(words.get("subject"), paid.subject.clone()));
    }
    let deducted = !charges.deductions.is_empty();
    if deducted {
        blocks.push(field(
            words.get("order_amount"),
            money(&order_amount, &paid.currency),
        ));
    }
    for deduction in &charges.deductions {
        let kind = match deduction.kind {
            DeductionKind::Voucher => words.get("voucher"),
            DeductionKind::Coupon => words.get("coupon"),
        };
        let amount = deduction.amount.as_deref().map_or_else(
            || "?".to_string(),
            |a| format!("-{}", money(a, &paid.currency)),
        );
        blocks.push(field(format!("{kind} {}", deduction.id), amount));
    }
    if deducted {
        blocks.push(Block::Rule);
    }
    blocks.push(field(
        words.get("paid"),
        money(&charges.charged_amount, &paid.currency),
    ));
    if let Some(credit) = &charges.credit_amount {
        blocks.push(field(
            words.get("paid_on_credit"),
            money(credit, &paid.currency),
        ));
    }
    blocks.push(field(words.get("state"), words.state(a.state)));
    blocks.push(field(words.get("channel"), words.channel(&a.channel)));
    blocks.push(field(words.get("gateway"), words.gateway(&paid.gateway)));
    if let Some(reference) = &a.gateway_ref {
        blocks.push(field(words.get("gateway_ref"), reference.clone()));
    }
    if let Some(reference) = &a.customer_ref {
        blocks.push(field(words.get("customer_ref"), reference.clone()));
    }
    blocks.push(field(words.get("paid_at"), zone.time(a.updated_at)));
    if !a.desk.is_empty() {
        blocks.push(field(words.get("desk"), a.desk.clone()));
    }
    if !a.operator.is_empty() {
        blocks.push(field(words.get("operator"), a.operator.clone()));
    }
    blocks.push(Block::Rule);
    blocks.push(Block::Qr {
        text: paid.order_no.clone(),
    });
    blocks.push(Block::Text {
        text: words.fill(
            "printed",
            &[
                ("time", &zone.time(issue.printed_at)),
                ("desk", &issue.desk),
            ],
        ),
    });
    Paper {
        title: format!("{} {}", words.get("receipt"), paid.order_no),
        size: PaperSize::Roll80,
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shifts::tests::{paid, row, Paid};
    use crate::words::Lang;

    fn paid_order(sandbox: bool) -> PaidOrder {
        let mut attempt = row(Paid {
            vouchers: r#"[{"id":"V-9","amount_minor":230}]"#,
            ..paid(1, "yian", "alipay", "CNY", 9_770)
        })
        .attempt;
        attempt.gateway_ref = Some("YA-778899".into());
        attempt.updated_at = 1_765_000_000_000;
        PaidOrder {
            attempt,
            order_no: "O-1".into(),
            subject: "咖啡 Coffee".into(),
            currency: "CNY".into(),
            order_amount_minor: 10_000,
            gateway: "yian".into(),
            profile: "yian-main".into(),
            sandbox,
        }
    }

    fn texts(paper: &Paper) -> Vec<String> {
        paper
            .blocks
            .iter()
            .map(|b| match b {
                Block::Heading { text } | Block::Text { text } | Block::Banner { text } => {
                    text.clone()
                }
                Block::Field { label, value } => format!("{label}: {value}"),
                Block::Qr { text } => format!("QR {text}"),
                Block::Rule => "---".into(),
                Block::Table { .. } => "table".into(),
            })
            .collect()
    }

    #[test]
    fn a_receipt_says_what_was_paid_how_and_where_in_the_readers_language() {
        let merchant = Merchant {
            name: "益安便利店".into(),
            address: "上海市徐汇区 1 号".into(),
            time_zone: Some("Asia/Shanghai".into()),
        };
        let issue = Issue {
            earlier: 0,
            printed_at: 1_765_000_060_000,
            desk: "desk-1".into(),
        };
        let zh = texts(&paper(
            &paid_order(false),
            &merchant,
            &issue,
            merchant.zone(),
            Words::of(Lang::ZhCn),
        ));
        for line in [
            "益安便利店",
            "收款凭证",
            "订单号: O-1",
            "商品: 咖啡 Coffee",
            "订单金额: CNY 100.00",
            "代金券 V-9: -CNY 2.30",
            "实付: CNY 97.70",
            "状态: 支付成功",
            "支付方式: 支付宝",
            "支付网关: 益安",
            "网关流水号: YA-778899",
            "支付时间: 2025-12-06 13:46:40",
            "收银台: desk-1",
            "收银员: lin",
            "QR O-1",
        ] {
            assert!(zh.iter().any(|t| t == line), "{line:?} not in {zh:#?}");
        }
        assert!(!zh.iter().any(|t| t == "副本" || t.starts_with("样张")));

        let copy = Issue {
            earlier: 1,
            ..issue
        };
        let en = texts(&paper(
            &paid_order(true),
            &merchant,
            &copy,
            merchant.zone(),
            Words::of(Lang::En),
        ));
        assert!(en.contains(&"COPY".to_string()), "{en:#?}");
        assert!(en.iter().any(|t| t.starts_with("SPECIMEN")), "{en:#?}");
        assert!(en.contains(&"Paid with: Alipay".to_string()), "{en:#?}");
    }
}
