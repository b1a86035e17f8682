//! Paths to a second charge or a lost payment, each closed and shown here against the real
//! emulators over loopback HTTP, into a real SQLite file. A second sandbox that never saw the
//! payment plays a gateway that forgets or refuses what it was sent.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use paydesk_core::domain::{Attempt, AttemptState};
use paydesk_core::engine::{Engine, PayError, MAX_RESENDS};
use paydesk_core::gateways::connector_for;
use paydesk_core::gateways::transport::Transport;
use paydesk_core::pricing::PayCommand;
use paydesk_core::sender::Sender;
use paydesk_core::store::{NewOrder, NewProfile, Sending, Store};
use paydesk_core::vault::{MemoryVault, Vault};
use paydesk_core::{Currency, Money};
use paydesk_sandbox::faults::FaultPlan;
use paydesk_sandbox::{RunningSandbox, SandboxConfig, SandboxOrder};
use secrecy::SecretString;

struct World {
    _dir: tempfile::TempDir,
    engine: Engine,
    /// The gateway the payment went to.
    sandbox: RunningSandbox,
    /// The same gateway with no memory of it.
    amnesiac: RunningSandbox,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("paydesk.sqlite"))
        .await
        .unwrap();
    let sandbox = paydesk_sandbox::start("127.0.0.1:0", SandboxConfig::default())
        .await
        .unwrap();
    let amnesiac = paydesk_sandbox::start("127.0.0.1:0", SandboxConfig::default())
        .await
        .unwrap();
    let vault: Arc<dyn Vault> = Arc::new(MemoryVault::default());
    let engine = Engine::new(store, vault, Transport::new(Duration::from_millis(600)));
    World {
        _dir: dir,
        engine,
        sandbox,
        amnesiac,
    }
}

impl World {
    /// A profile named after `gateway`, with the sandbox's credentials, and one order of
    /// `amount` known to the first sandbox only.
    async fn gateway_with_order(&self, gateway: &str, order_no: &str, amount: Money) {
        self.gateway(gateway).await;
        self.order(gateway, order_no, amount, BTreeMap::new(), amount)
            .await;
    }

    /// A sandbox profile named after `gateway`, with the sandbox's credentials.
    async fn gateway(&self, gateway: &str) {
        self.profile(gateway, true).await;
    }

    /// A profile named after `gateway` at the sandbox, with its credentials; `is_sandbox` as
    /// the profile says (a live one's payments count in the takings).
    async fn profile(&self, gateway: &str, is_sandbox: bool) {
        let credentials = &SandboxConfig::default().gateways[gateway];
        let profile = self
            .engine
            .store()
            .create_profile(&NewProfile {
                name: gateway.into(),
                gateway: gateway.into(),
                base_url: self.sandbox.base_url(gateway),
                settings: credentials.settings.clone(),
                is_sandbox,
            })
            .await
            .unwrap();
        for (key, value) in &credentials.secrets {
            self.engine
                .vault()
                .set(&profile.vault_id, key, &SecretString::from(value.clone()))
                .unwrap();
        }
    }

    /// An order of `amount` at paydesk, which the first sandbox's order book prices at
    /// `priced`.
    async fn order(
        &self,
        gateway: &str,
        order_no: &str,
        amount: Money,
        attributes: BTreeMap<String, String>,
        priced: Money,
    ) {
        self.engine
            .store()
            .add_order(&NewOrder {
                order_no: order_no.into(),
                profile: gateway.into(),
                amount,
                subject: "money safety".into(),
                attributes: attributes.clone(),
            })
            .await
            .unwrap();
        self.sandbox.ledger.register(
            gateway,
            SandboxOrder::new(
                order_no,
                priced.minor,
                priced.currency.code(),
                "money safety",
            )
            .with_attributes(attributes),
        );
    }

    async fn pay(&self, gateway: &str, order_no: &str) -> Result<Attempt, PayError> {
        self.pay_with_coupon(gateway, order_no, None).await
    }

    async fn pay_with_coupon(
        &self,
        gateway: &str,
        order_no: &str,
        coupon: Option<&str>,
    ) -> Result<Attempt, PayError> {
        self.engine
            .pay(&PayCommand {
                order_no: order_no.into(),
                channel: connector_for(gateway).unwrap().capabilities().channels[0],
                deductions: vec![],
                coupon: coupon.map(str::to_string),
                credit_amount: None,
                subscription_refunds: Vec::new(),
                seen_revision: None,
            })
            .await
    }

    /// The profile now reaches `base_url` (the amnesiac gateway, or nothing at all).
    async fn move_gateway(&self, gateway: &str, base_url: &str) {
        self.engine
            .store()
            .set_profile_base_url(gateway, base_url)
            .await
            .unwrap();
    }

    /// Every answer of the first gateway is lost after it has acted on the request.
    fn answers_lost(&self, gateway: &str) {
        let mut lost = FaultPlan::default();
        lost.set("lost_response", "1").unwrap();
        self.sandbox.faults.set_plan(gateway, lost).unwrap();
    }

    /// Charges for the order at either gateway, under its number or any of its attempts'
    /// keys (a payout is booked under its sourceNo).
    async fn charges(&self, gateway: &str, order_no: &str) -> usize {
        let mut names = vec![order_no.to_string()];
        for attempt in self.engine.store().attempts(order_no).await.unwrap() {
            names.push(attempt.idempotency_key);
        }
        names
            .iter()
            .map(|name| {
                self.sandbox.ledger.charges_for(gateway, name)
                    + self.amnesiac.ledger.charges_for(gateway, name)
            })
            .sum()
    }
}

fn rupees(amount: &str) -> Money {
    Money::parse(amount, Currency::INR).unwrap()
}

/// A port on this machine nothing listens on.
fn nowhere() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn a_payout_the_gateway_acknowledged_and_then_cannot_find_goes_to_a_person() {
    let w = world().await;
    // Above 1,000.00 the sandbox answers "processing" and settles at the first status query.
    w.gateway_with_order("debit", "P-1", rupees("2500.00"))
        .await;
    let sent = w.pay("debit", "P-1").await.unwrap();
    assert_eq!(sent.state, AttemptState::Pending, "{sent:?}");
    assert!(sent.gateway_ref.is_some(), "acknowledged with an order id");

    w.move_gateway("debit", &w.amnesiac.base_url("debit")).await;
    let checked = w.engine.check_status(sent.id).await.unwrap();
    assert_eq!(checked.state, AttemptState::NeedsReview, "{checked:?}");
    assert_eq!(checked.error_code.as_deref(), Some("CONTRADICTION"));
    let why = checked.error_message.unwrap();
    assert!(why.contains("order not found"), "{why}");

    // Nothing more leaves for this order until a person decides.
    assert!(matches!(
        w.pay("debit", "P-1").await,
        Err(PayError::NeedsAPerson { .. })
    ));
    // One payout, still processing at the gateway that took it; no second sourceNo anywhere.
    assert_eq!(w.engine.store().attempts("P-1").await.unwrap().len(), 1);
    assert_eq!(w.charges("debit", "P-1").await, 0);
}

#[tokio::test]
async fn a_refused_resend_of_an_unknown_payment_goes_to_a_person_not_to_failed() {
    let w = world().await;
    let amount = Money::parse("12.00", Currency::CNY).unwrap();
    w.gateway_with_order("top", "T-1", amount).await;
    w.answers_lost("top");
    let sent = w.pay("top", "T-1").await.unwrap();
    assert_eq!(sent.state, AttemptState::Unknown, "{sent:?}");
    assert_eq!(
        w.charges("top", "T-1").await,
        1,
        "the lost answer's request paid"
    );

    // TOP's status check resends the payment; this gateway refuses it (no such order).
    w.move_gateway("top", &w.amnesiac.base_url("top")).await;
    let checked = w.engine.check_status(sent.id).await.unwrap();
    assert_eq!(checked.state, AttemptState::NeedsReview, "{checked:?}");
    assert_eq!(
        checked.error_code.as_deref(),
        Some("isv.order-not-exist"),
        "the gateway's own words are kept"
    );
    assert!(matches!(
        w.pay("top", "T-1").await,
        Err(PayError::NeedsAPerson { .. })
    ));
    assert_eq!(w.charges("top", "T-1").await, 1);
}

#[tokio::test]
async fn a_resend_that_never_left_keeps_the_payment_unknown_and_the_order_unpayable() {
    let w = world().await;
    w.gateway_with_order("debit", "P-2", rupees("99.00")).await;
    w.answers_lost("debit");
    let sent = w.pay("debit", "P-2").await.unwrap();
    assert_eq!(sent.state, AttemptState::Unknown, "{sent:?}");

    // Paying again asks first and resends under the same sourceNo; neither can leave.
    w.move_gateway("debit", &nowhere()).await;
    let again = w.pay("debit", "P-2").await.unwrap();
    assert_eq!(again.id, sent.id, "no new attempt, no new sourceNo");
    assert_eq!(again.state, AttemptState::Unknown, "{again:?}");
    assert_eq!(again.error_code.as_deref(), Some("RESEND_NOT_SENT"));
    let attempts = w.engine.store().attempts("P-2").await.unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(w.charges("debit", "P-2").await, 1);
}

#[tokio::test]
async fn resends_are_bounded_whoever_asks_and_then_a_person_decides() {
    let w = world().await;
    w.gateway_with_order("debit", "P-3", rupees("10.00")).await;
    w.answers_lost("debit");
    let sent = w.pay("debit", "P-3").await.unwrap();
    assert_eq!(sent.state, AttemptState::Unknown);

    // Every status answer and every resend is lost: nothing settles it.
    let mut asked = 0;
    let mut last = sent.clone();
    while last.state == AttemptState::Unknown && asked <= MAX_RESENDS + 1 {
        last = w.pay("debit", "P-3").await.unwrap();
        asked += 1;
    }
    assert_eq!(last.state, AttemptState::NeedsReview, "{last:?}");
    assert_eq!(last.resends, MAX_RESENDS);
    assert_eq!(asked, MAX_RESENDS + 1, "the bound, then a person");
    assert_eq!(w.charges("debit", "P-3").await, 1);
}

/// A debit profile whose callbacks the engine reads, and one journaled payout per order,
/// moved through `states`.
async fn payout_in(w: &World, order_no: &str, key: &str, states: &[AttemptState]) -> Attempt {
    let store = w.engine.store();
    if store.profile("payouts").await.is_err() {
        let profile = store
            .create_profile(&NewProfile {
                name: "payouts".into(),
                gateway: "debit".into(),
                base_url: "http://127.0.0.1:9".into(),
                settings: BTreeMap::new(),
                is_sandbox: false,
            })
            .await
            .unwrap();
        w.engine
            .vault()
            .set(
                &profile.vault_id,
                "access_key",
                &SecretString::from(ACCESS_KEY.to_string()),
            )
            .unwrap();
    }
    let amount = rupees("100.50");
    let order = store
        .add_order(&NewOrder {
            order_no: order_no.into(),
            profile: "payouts".into(),
            amount,
            subject: "payout".into(),
            attributes: BTreeMap::new(),
        })
        .await
        .unwrap();
    let mut attempt = store
        .begin_attempt(
            &order,
            "bank",
            key,
            amount.minor,
            "[]",
            None,
            None,
            "[]",
            Sending {
                sender: &Sender::new(),
                timeout_ms: 600,
            },
        )
        .await
        .unwrap();
    for state in states {
        attempt = store
            .record(attempt.id, *state, &Default::default())
            .await
            .unwrap();
    }
    attempt
}

const ACCESS_KEY: &str = "ecb797f9e9feab0a92ab283978d33711";

/// The gateway's callback for `key`: paid out (30) or failed (40), sealed as it sends it.
fn payout_callback(key: &str, process_code: i64) -> Vec<u8> {
    payout_callback_of(key, process_code, "100.5")
}

/// [`payout_callback`] naming `fiat_amount` as the amount paid out.
fn payout_callback_of(key: &str, process_code: i64, fiat_amount: &str) -> Vec<u8> {
    let info = format!(
        r#"{{"channelDebitOrderSimpleInfo":{{"id":7,"merchantSourceNo":"{key}","fiatAmount":{fiat_amount},"processCode":{process_code}}}}}"#
    );
    let sealed: serde_json::Value =
        serde_json::from_str(&paydesk_core::gateways::debit::seal(ACCESS_KEY, &info).unwrap())
            .unwrap();
    serde_json::json!({"sourceNo": key, "data": sealed["data"]})
        .to_string()
        .into_bytes()
}

#[tokio::test]
async fn a_callback_never_decides_what_a_person_must() {
    let w = world().await;
    let store = w.engine.store();
    let waiting = payout_in(
        &w,
        "R-1",
        "k-review",
        &[AttemptState::Unknown, AttemptState::NeedsReview],
    )
    .await;
    let after = w
        .engine
        .receive_callback("payouts", &payout_callback("k-review", 30))
        .await
        .unwrap();
    assert_eq!(
        after.state,
        AttemptState::NeedsReview,
        "a person still decides"
    );
    let evidence = store.events(waiting.id).await.unwrap().pop().unwrap();
    assert_eq!(evidence.state, AttemptState::NeedsReview);
    assert!(
        evidence
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("callback reports this payment succeeded")),
        "{evidence:?}"
    );
}

#[tokio::test]
async fn a_callback_speaks_only_for_the_payments_of_the_profile_it_came_for() {
    let w = world().await;
    let store = w.engine.store();
    let real = payout_in(&w, "R-9", "k-real", &[AttemptState::Pending]).await;
    // A sandbox profile whose access key is public: anyone can seal a callback with it.
    let sandbox = store
        .create_profile(&NewProfile {
            name: "demo-payouts".into(),
            gateway: "debit".into(),
            base_url: "http://127.0.0.1:9".into(),
            settings: BTreeMap::new(),
            is_sandbox: true,
        })
        .await
        .unwrap();
    w.engine
        .vault()
        .set(
            &sandbox.vault_id,
            "access_key",
            &SecretString::from(ACCESS_KEY.to_string()),
        )
        .unwrap();
    for process_code in [30, 40] {
        let refused = w
            .engine
            .receive_callback("demo-payouts", &payout_callback("k-real", process_code))
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("another profile"), "{refused}");
    }
    let after = store.attempt(real.id).await.unwrap();
    assert_eq!(
        after.state,
        AttemptState::Pending,
        "the real payout unchanged"
    );
    // Its own profile's callback settles it.
    let paid = w
        .engine
        .receive_callback("payouts", &payout_callback("k-real", 30))
        .await
        .unwrap();
    assert_eq!(paid.state, AttemptState::Succeeded);
}

#[tokio::test]
async fn a_callback_contradicting_a_settled_payment_is_raised_for_a_person_who_decides() {
    let w = world().await;
    let store = w.engine.store();
    let failed = payout_in(&w, "C-1", "k-failed", &[AttemptState::Failed]).await;
    let paid = payout_in(
        &w,
        "C-2",
        "k-paid",
        &[AttemptState::Pending, AttemptState::Succeeded],
    )
    .await;

    // Agreeing with the record changes nothing.
    let same = w
        .engine
        .receive_callback("payouts", &payout_callback("k-paid", 30))
        .await
        .unwrap();
    assert_eq!(
        (same.state, same.contested.clone()),
        (AttemptState::Succeeded, None)
    );
    assert_eq!(store.activity().await.unwrap().needs_review, 0);

    // The gateway says a payout recorded as failed was paid out: kept, and raised.
    let contested = w
        .engine
        .receive_callback("payouts", &payout_callback("k-failed", 30))
        .await
        .unwrap();
    assert_eq!(contested.state, AttemptState::Failed, "no machine moves it");
    let why = contested.contested.clone().expect("raised for a person");
    assert!(
        why.contains("succeeded") && why.contains("recorded as failed"),
        "{why}"
    );
    assert_eq!(store.activity().await.unwrap().needs_review, 1);
    // A settled attempt nobody contests is not for a person to rewrite.
    assert!(w
        .engine
        .resolve_review(paid.id, AttemptState::Failed, "typo", true)
        .await
        .is_err());

    let decided = w
        .engine
        .resolve_review(
            failed.id,
            AttemptState::Succeeded,
            "bank statement shows the payout",
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        (decided.state, decided.contested),
        (AttemptState::Succeeded, None)
    );
    assert_eq!(store.activity().await.unwrap().needs_review, 0);
    let last = store.events(failed.id).await.unwrap().pop().unwrap();
    assert_eq!(last.state, AttemptState::Succeeded);
    assert!(last.detail.unwrap().contains("bank statement"));
}

#[tokio::test]
async fn a_payout_callback_reporting_another_amount_goes_to_a_person() {
    let w = world().await;
    for (order_no, key, fiat_amount, settles_to) in [
        ("D-1", "k-same", "100.5", AttemptState::Succeeded),
        ("D-2", "k-less", "99.5", AttemptState::NeedsReview),
    ] {
        payout_in(&w, order_no, key, &[AttemptState::Pending]).await;
        let settled = w
            .engine
            .receive_callback("payouts", &payout_callback_of(key, 30, fiat_amount))
            .await
            .unwrap();
        assert_eq!(settled.state, settles_to, "{order_no}: {settled:?}");
        if settles_to == AttemptState::NeedsReview {
            assert_eq!(settled.error_code.as_deref(), Some("AMOUNT_MISMATCH"));
            let why = settled.error_message.unwrap();
            assert!(why.contains("99.5") && why.contains("100.50"), "{why}");
        }
    }
}

fn yuan(amount: &str) -> Money {
    Money::parse(amount, Currency::CNY).unwrap()
}

#[tokio::test]
async fn the_partners_price_is_held_against_the_order_and_its_coupon_recorded() {
    let w = world().await;
    w.profile("partner", false).await;
    let user = "41840909af844632885424fbc20cae79";
    for (order_no, pack, asked, priced) in [
        ("G-1", "pack-1", yuan("58.00"), yuan("58.00")),
        // A wrong gift pack, or a price changed at the partner.
        ("G-2", "pack-2", yuan("58.00"), yuan("60.00")),
    ] {
        let attributes = BTreeMap::from([
            ("user_id".to_string(), user.to_string()),
            ("gift_pos_id".to_string(), pack.to_string()),
            ("address_id".to_string(), "1".to_string()),
        ]);
        w.order("partner", order_no, asked, attributes, priced)
            .await;
        paydesk_sandbox::bind_gift_order(&w.sandbox.ledger, order_no, user, pack).unwrap();
    }

    let paid = w
        .pay_with_coupon("partner", "G-1", Some("sandbox-coupon-500"))
        .await
        .unwrap();
    assert_eq!(paid.state, AttemptState::Succeeded, "{paid:?}");
    assert_eq!(
        paid.gateway_deduction_minor,
        Some(500),
        "the coupon's deduction"
    );
    let detail = w.engine.store().order_detail("G-1").await.unwrap();
    assert_eq!(
        detail.attempts[0].amount, "53.00",
        "charged: the price less the coupon"
    );
    let takings = w.engine.store().takings(0).await.unwrap();
    assert_eq!(takings[0].amount_minor, 5300);

    let disputed = w.pay("partner", "G-2").await.unwrap();
    assert_eq!(disputed.state, AttemptState::NeedsReview, "{disputed:?}");
    assert_eq!(disputed.error_code.as_deref(), Some("AMOUNT_MISMATCH"));
    let why = disputed.error_message.unwrap();
    assert!(why.contains("¥60.00") && why.contains("¥58.00"), "{why}");
    assert!(matches!(
        w.pay("partner", "G-2").await,
        Err(PayError::NeedsAPerson { .. })
    ));
}

#[tokio::test]
async fn gateway_traffic_goes_through_a_proxy_only_where_the_profile_names_one() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let w = world().await;
    w.gateway_with_order("debit", "X-1", rupees("5.00")).await;
    w.order(
        "debit",
        "X-2",
        rupees("5.00"),
        BTreeMap::new(),
        rupees("5.00"),
    )
    .await;
    // The profile's proxy: it opens no tunnel, but it shows what it was handed.
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let (handed, mut heard) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = proxy.accept().await {
            let mut head = vec![0; 8192];
            let n = socket.read(&mut head).await.unwrap_or(0);
            let _ = handed.send(String::from_utf8_lossy(&head[..n]).to_string());
            let _ = socket
                .write_all(
                    b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
        }
    });
    let profile = w.engine.store().profile("debit").await.unwrap();
    let mut settings = profile.settings.clone();
    settings.insert("proxy".into(), proxy_url);
    // A gateway elsewhere is reached through the proxy, and only through it.
    w.engine
        .store()
        .update_profile("debit", "https://debit.gateway.example", &settings)
        .await
        .unwrap();
    let sent = w.pay("debit", "X-1").await;
    let request = heard.recv().await.unwrap();
    assert!(
        request.starts_with("CONNECT debit.gateway.example:443 "),
        "{request} ({sent:?})"
    );
    assert_eq!(w.charges("debit", "X-1").await, 0);
    // The sandbox on this machine is reached directly: the proxy's loopback is not ours.
    w.engine
        .store()
        .update_profile("debit", &profile.base_url, &settings)
        .await
        .unwrap();
    let paid = w.pay("debit", "X-2").await.unwrap();
    assert_eq!(paid.state, AttemptState::Succeeded, "{paid:?}");
    assert_eq!(w.charges("debit", "X-2").await, 1);
    assert!(
        heard.try_recv().is_err(),
        "the proxy was handed a request for this machine"
    );
}

/// A gateway on loopback that answers every request with `body`, read whole first: a cache or
/// a misrouting proxy in front of the gateway, handing back another payment's answer.
async fn replaying(body: String) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut chunk = [0; 4096];
                loop {
                    let Ok(n) = socket.read(&mut chunk).await else {
                        return;
                    };
                    request.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&request).to_lowercase();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .map_or(0, |v| v.trim().parse::<usize>().unwrap());
                        if request.len() >= end + 4 + length {
                            break;
                        }
                    }
                    if n == 0 {
                        return;
                    }
                }
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    url
}

#[tokio::test]
async fn an_answer_for_another_order_settles_nothing_and_goes_to_a_person() {
    let w = world().await;
    let amount = Money::parse("99.00", Currency::CNY).unwrap();
    w.gateway("yian").await;
    for order_no in ["Y-1", "Y-2", "Y-3"] {
        w.order("yian", order_no, amount, BTreeMap::new(), amount)
            .await;
    }
    // Y-2 is sent to the gateway and waits for its payer.
    let waiting = w.pay("yian", "Y-2").await.unwrap();
    assert_eq!(waiting.state, AttemptState::Pending, "{waiting:?}");

    // From here every answer is Y-1's charge, paid, for the same amount on the same channel.
    let y1_paid = serde_json::json!({"status": 0, "message": "", "ch": {
        "id": "ch_Y1Y1Y1Y1Y1Y1Y1Y1Y1Y1Y1Y1", "object": "charge", "created": 1_700_000_000,
        "livemode": false, "paid": true, "channel": "alipay", "order_no": "Y-1",
        "amount": 9900, "currency": "cny", "time_paid": 1_700_000_100, "credential": {}
    }});
    w.move_gateway("yian", &replaying(y1_paid.to_string()).await)
        .await;

    // Asked about Y-2, the answer is Y-1's payment: Y-2 is not paid by it.
    let checked = w.engine.check_status(waiting.id).await.unwrap();
    assert_eq!(checked.state, AttemptState::NeedsReview, "{checked:?}");
    assert_eq!(
        checked.error_code.as_deref(),
        Some("ANSWER_FOR_ANOTHER_PAYMENT")
    );
    let why = checked.error_message.unwrap();
    assert!(
        why.contains(r#"order_no "Y-1" where "Y-2" was sent"#),
        "{why}"
    );
    assert_eq!(
        checked.gateway_ref, waiting.gateway_ref,
        "the charge Y-2 was given"
    );

    // Y-3's own payment answered with it: not paid either, and not sent again.
    let answered = w.pay("yian", "Y-3").await.unwrap();
    assert_eq!(answered.state, AttemptState::NeedsReview, "{answered:?}");
    assert!(matches!(
        w.pay("yian", "Y-3").await,
        Err(PayError::NeedsAPerson { .. })
    ));
    assert_eq!(w.engine.store().attempts("Y-3").await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_top_payment_waiting_for_its_customer_is_asked_about_past_the_bound_on_resends() {
    let w = world().await;
    let amount = Money::parse("8.00", Currency::CNY).unwrap();
    w.gateway("top").await;
    w.order("top", "W-1", amount, BTreeMap::new(), amount).await;
    // TOP's answer while the customer has not opened the pay URL: every repeat of the payment
    // under its idempotency code gets the same answer, never a second charge.
    let waiting = serde_json::json!({"alibaba_cloudgame_tradeplatform_payorder_response": {
        "result_success": true,
        "value": {"pay_status": "WAIT_PAY", "pay_url": "https://pay.example/w-1"},
        "request_id": "r-1"
    }});
    w.move_gateway("top", &replaying(waiting.to_string()).await)
        .await;
    let sent = w.pay("top", "W-1").await.unwrap();
    assert_eq!(sent.state, AttemptState::Pending, "{sent:?}");
    // A customer who takes a few minutes: more status checks (each a resend) than the bound.
    for _ in 0..MAX_RESENDS + 2 {
        let checked = w.engine.check_status(sent.id).await.unwrap();
        assert_eq!(checked.state, AttemptState::Pending, "{checked:?}");
    }
}

#[tokio::test]
async fn a_status_answer_from_the_other_world_than_the_profiles_settles_nothing() {
    // A live profile whose pay answer was lost: the status query's charge is in test mode
    // (the sandbox's), so it moved no money, whatever it says.
    let w = world().await;
    w.profile("yian", false).await;
    let amount = Money::parse("1.00", Currency::CNY).unwrap();
    w.order("yian", "Y-9", amount, BTreeMap::new(), amount)
        .await;
    w.answers_lost("yian");
    let lost = w.pay("yian", "Y-9").await.unwrap();
    assert_eq!(lost.state, AttemptState::Unknown, "{lost:?}");
    w.sandbox.faults.clear();
    let checked = w.engine.check_status(lost.id).await.unwrap();
    assert_eq!(checked.state, AttemptState::NeedsReview, "{checked:?}");
    assert_eq!(checked.error_code.as_deref(), Some("ANSWER_IN_OTHER_MODE"));
    assert_eq!(w.charges("yian", "Y-9").await, 1, "nothing sent again");
}
