//! The engine under a seeded simulation: the real engine and store (SQLite files on tmpfs,
//! copied from a template) against the five emulators in this process, every fault chosen by
//! a seed. Requests reach the emulators through the transport's in-memory carrier, which
//! delivers, delays, loses (the request or its answer), fails them (before or after the
//! gateway acted), or "kills" the desk that sent them: its task is dropped at that await point
//! and a fresh engine with a new sender identity takes over the same file, as a restart
//! would. Two desks race on one file, round by round (the clock moves between rounds, so a
//! request leaves at the time it was journaled); debit's callbacks arrive duplicated and
//! reordered; the clock is the simulation's and moves when the seed says. A seed replays its
//! faults, kills and clock exactly; how two desks' writes interleave within a round depends
//! on SQLite's worker threads.
//!
//! After each seed the emulators' ledgers judge: no order charged twice, no charge paydesk
//! does not hold as paid (or hand to a person), no success without a charge, states moved
//! only along legal edges, and once settled every attempt is succeeded, failed or waiting
//! for a person.
//!
//! `PAYDESK_SIM_SEEDS` runs that many seeds (default 5,000), or a range `FROM..TO`;
//! `PAYDESK_SIM_SEED=N` replays one seed and prints what it did; `PAYDESK_SIM_PROGRESS=FILE`
//! makes a long run resumable (the next seed to run is kept there).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use paydesk_core::clock::SimulatedClock;
use paydesk_core::domain::{Attempt, AttemptState};
use paydesk_core::engine::Engine;
use paydesk_core::gateways::transport::{Carried, Carrier, Transport, TransportError};
use paydesk_core::gateways::{connector_for, debit};
use paydesk_core::pricing::PayCommand;
use paydesk_core::store::{NewOrder, NewProfile, Store};
use paydesk_core::vault::{MemoryVault, Vault};
use paydesk_core::{Currency, Money};
use paydesk_sandbox::{Ledger, SandboxConfig, SandboxOrder};
use secrecy::SecretString;
use tower::ServiceExt;

const GATEWAYS: [&str; 5] = ["sensecore", "yian", "top", "partner", "debit"];
/// How long every simulated sender waits for an answer.
const TIMEOUT_MS: i64 = 2_000;
const START_MS: i64 = 1_800_000_000_000;
const PARTNER_USER: &str = "41840909af844632885424fbc20cae79";

/// splitmix64: small, seeded, the same sequence everywhere.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x005E_ED0F_FA1D_u64.rotate_left(17))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// One of `weights`' indexes, in proportion.
    fn pick(&mut self, weights: &[u64]) -> usize {
        let mut roll = self.below(weights.iter().sum());
        for (i, w) in weights.iter().enumerate() {
            if roll < *w {
                return i;
            }
            roll -= w;
        }
        weights.len() - 1
    }
}

/// What the carrier does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Deliver,
    NotSent,
    RequestLost,
    AnswerLost,
    /// Delivered later (within twice the sender's timeout); the sender's answer is lost.
    Late,
    ServerErrorBefore,
    ServerErrorAfter,
    /// The desk is killed before its request reaches the gateway.
    CrashBefore,
    /// The desk is killed after the gateway acted on its request.
    CrashAfter,
}

const FAULTS: [(Fault, u64); 9] = [
    (Fault::Deliver, 500),
    (Fault::NotSent, 60),
    (Fault::RequestLost, 60),
    (Fault::AnswerLost, 100),
    (Fault::Late, 80),
    (Fault::ServerErrorBefore, 50),
    (Fault::ServerErrorAfter, 50),
    (Fault::CrashBefore, 50),
    (Fault::CrashAfter, 50),
];

/// The emulators and everything the seed decides about reaching them.
struct World {
    router: axum::Router,
    ledger: Ledger,
    /// Once the storm is over: every request is delivered and answered.
    calm: Mutex<bool>,
    /// Requests delivered later: (when, request).
    late: Mutex<Vec<(i64, http::Request<Vec<u8>>)>>,
    /// What happened, in order: printed for a seed replayed or one that broke a guarantee.
    trace: Mutex<Vec<String>>,
}

impl World {
    fn note(&self, line: String) {
        self.trace.lock().unwrap().push(line);
    }

    async fn deliver(&self, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        let (parts, body) = request.into_parts();
        let path = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        let mut routed = http::Request::builder()
            .method(parts.method.clone())
            .uri(path);
        for (name, value) in &parts.headers {
            routed = routed.header(name, value);
        }
        let routed = routed.body(Body::from(body)).expect("a request");
        let response = self
            .router
            .clone()
            .oneshot(routed)
            .await
            .expect("infallible");
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 4 << 20)
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default();
        http::Response::from_parts(parts, bytes)
    }

    /// Lands every late request whose time has come, before anything else reaches the gateway.
    async fn land_late(&self, now: i64) {
        let due: Vec<_> = {
            let mut late = self.late.lock().unwrap();
            let (due, wait): (Vec<_>, Vec<_>) = late.drain(..).partition(|(at, _)| *at <= now);
            *late = wait;
            due
        };
        for (_, request) in due {
            self.note(format!("  late request lands: {}", request.uri().path()));
            self.deliver(request).await;
        }
    }
}

/// One desk's way to the gateways: its own stream of faults, and a way to be killed.
struct DeskCarrier {
    world: Arc<World>,
    desk: usize,
    rng: Mutex<Rng>,
    killed: Arc<tokio::sync::Notify>,
}

impl Carrier for DeskCarrier {
    fn carry(&self, request: http::Request<Vec<u8>>) -> Carried {
        let world = self.world.clone();
        let calm = *world.calm.lock().unwrap();
        let fault = if calm {
            Fault::Deliver
        } else {
            let weights: Vec<u64> = FAULTS.iter().map(|(_, w)| *w).collect();
            FAULTS[self.rng.lock().unwrap().pick(&weights)].0
        };
        let late_by = self.rng.lock().unwrap().below(2 * TIMEOUT_MS as u64) as i64;
        let killed = self.killed.clone();
        let desk = self.desk;
        Box::pin(async move {
            let now = paydesk_core::clock::now_ms();
            world.land_late(now).await;
            world.note(format!(
                "  desk {desk} {} {}: {fault:?}",
                request.method(),
                request.uri().path()
            ));
            let lost = || TransportError::AnswerLost("simulated".into());
            match fault {
                Fault::Deliver => Ok(world.deliver(request).await),
                Fault::NotSent => Err(TransportError::NotSent("simulated".into())),
                Fault::RequestLost => Err(lost()),
                Fault::AnswerLost => {
                    world.deliver(request).await;
                    Err(lost())
                }
                Fault::Late => {
                    world.late.lock().unwrap().push((now + late_by, request));
                    Err(lost())
                }
                Fault::ServerErrorBefore => Ok(server_error()),
                Fault::ServerErrorAfter => {
                    world.deliver(request).await;
                    Ok(server_error())
                }
                Fault::CrashBefore | Fault::CrashAfter => {
                    if fault == Fault::CrashAfter {
                        world.deliver(request).await;
                    }
                    killed.notify_one();
                    std::future::pending().await
                }
            }
        })
    }
}

fn server_error() -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(503)
        .header("content-type", "text/html")
        .body(b"<html>503 Service Unavailable</html>".to_vec())
        .expect("a response")
}

/// What a desk does at one step.
#[derive(Debug, Clone)]
enum Action {
    Pay(usize),
    CheckStatus(usize),
    Reconcile,
    /// Debit's callbacks for every final payout, `copies` times each, in a shuffled order.
    Callbacks {
        copies: u64,
        shuffle: u64,
    },
    Wait(i64),
}

struct Order {
    order_no: String,
    gateway: &'static str,
}

/// The file every seed starts from: one profile per gateway, their secrets in `vault`.
struct Template {
    _dir: tempfile::TempDir,
    db: PathBuf,
    vault: Arc<MemoryVault>,
}

fn scratch_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = tempfile::tempdir_in(shm) {
            return dir;
        }
    }
    tempfile::tempdir().unwrap()
}

fn template() -> Template {
    let dir = scratch_dir();
    let db = dir.path().join("paydesk.sqlite");
    let vault = Arc::new(MemoryVault::default());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = Store::open(&db).await.unwrap();
        let config = SandboxConfig::default();
        for gateway in GATEWAYS {
            let credentials = &config.gateways[gateway];
            let profile = store
                .create_profile(&NewProfile {
                    name: gateway.into(),
                    gateway: gateway.into(),
                    base_url: format!("http://127.0.0.1:1/{gateway}"),
                    settings: credentials.settings.clone(),
                    is_sandbox: true,
                })
                .await
                .unwrap();
            for (key, value) in &credentials.secrets {
                vault
                    .set(&profile.vault_id, key, &SecretString::from(value.clone()))
                    .unwrap();
            }
        }
        store.close().await;
    });
    Template {
        _dir: dir,
        db,
        vault,
    }
}

/// What went wrong with a seed, for the person who replays it.
type Verdict = Result<(), Vec<String>>;

/// A seed that broke a guarantee: which, what broke, and what it did.
type Failure = (u64, Vec<String>, Vec<String>);

fn run_seed(seed: u64, template: &Template) -> (Verdict, Vec<String>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let clock = SimulatedClock::start(START_MS);
    let dir = scratch_dir();
    let db = dir.path().join("paydesk.sqlite");
    std::fs::copy(&template.db, &db).unwrap();
    // Whatever the template's last connection did not fold back into the file.
    let wal = |db: &Path| db.with_extension("sqlite-wal");
    if wal(&template.db).exists() {
        std::fs::copy(wal(&template.db), wal(&db)).unwrap();
    }
    let (router, ledger) = paydesk_sandbox::service_with_ledger(SandboxConfig::default());
    let world = Arc::new(World {
        router,
        ledger,
        calm: Mutex::new(false),
        late: Mutex::new(Vec::new()),
        trace: Mutex::new(Vec::new()),
    });
    let verdict = runtime.block_on(simulate(seed, &db, template, &world, &clock));
    let trace = std::mem::take(&mut *world.trace.lock().unwrap());
    (verdict, trace)
}

async fn simulate(
    seed: u64,
    db: &Path,
    template: &Template,
    world: &Arc<World>,
    clock: &SimulatedClock,
) -> Verdict {
    let mut rng = Rng::new(seed);
    let store = Store::open(db).await.unwrap();
    let vault: Arc<dyn Vault> = template.vault.clone();

    let mut orders = Vec::new();
    for i in 0..(2 + rng.below(4)) {
        let gateway = GATEWAYS[rng.below(GATEWAYS.len() as u64) as usize];
        let order_no = format!("S{seed}-{i}");
        let (currency, minor) = match gateway {
            // Payouts up to 1,000.00 are final at once, larger ones at the first status
            // query; paise 40 ends in a failed payout.
            "debit" => (
                Currency::INR,
                [5_000, 250_000, 1_040, 90_000][rng.below(4) as usize],
            ),
            _ => (Currency::CNY, 100 + rng.below(50_000) as i64),
        };
        let amount = Money::from_minor(minor, currency);
        let attributes = match gateway {
            "partner" => BTreeMap::from([
                ("user_id".to_string(), PARTNER_USER.to_string()),
                ("gift_pos_id".to_string(), format!("gift-{seed}-{i}")),
                ("address_id".to_string(), "1".to_string()),
            ]),
            _ => BTreeMap::new(),
        };
        store
            .add_order(&NewOrder {
                order_no: order_no.clone(),
                profile: gateway.into(),
                amount,
                subject: "simulation".into(),
                attributes: attributes.clone(),
            })
            .await
            .unwrap();
        world.ledger.register(
            gateway,
            SandboxOrder::new(&order_no, minor, currency.code(), "simulation")
                .with_attributes(attributes.clone()),
        );
        if gateway == "partner" {
            paydesk_sandbox::bind_gift_order(
                &world.ledger,
                &order_no,
                PARTNER_USER,
                &attributes["gift_pos_id"],
            )
            .unwrap();
        }
        world.note(format!("order {order_no} on {gateway}: {amount}"));
        orders.push(Order { order_no, gateway });
    }

    let mut scripts: Vec<Vec<Action>> = vec![Vec::new(), Vec::new()];
    for script in &mut scripts {
        for _ in 0..(4 + rng.below(8)) {
            let order = rng.below(orders.len() as u64) as usize;
            script.push(match rng.pick(&[40, 15, 15, 10, 20]) {
                0 => Action::Pay(order),
                1 => Action::CheckStatus(order),
                2 => Action::Reconcile,
                3 => Action::Callbacks {
                    copies: 1 + rng.below(3),
                    shuffle: rng.next(),
                },
                _ => Action::Wait(rng.below(3 * TIMEOUT_MS as u64) as i64),
            });
        }
    }

    // Each desk has its own connection pool on the shared file, as a second process would.
    let mut desks = Vec::new();
    for desk in 0..scripts.len() {
        let rng = Rng::new(seed.wrapping_mul(31).wrapping_add(desk as u64 + 1));
        desks.push(Desk::open(desk, rng, db, &vault, world).await);
    }
    // In rounds: the desks' actions of one round run at once, racing on the file; the clock
    // moves between rounds, so a request leaves at the time it was journaled.
    let rounds = scripts.iter().map(Vec::len).max().unwrap_or(0);
    for round in 0..rounds {
        let mut waited = 0;
        let mut acting = Vec::new();
        for (desk, script) in desks.iter_mut().zip(&scripts) {
            match script.get(round) {
                Some(Action::Wait(ms)) => waited += ms,
                Some(action) => acting.push(desk.act(action.clone(), world, &orders)),
                None => {}
            }
        }
        join_all(acting).await;
        clock.advance(waited);
        world.note(format!("the clock moves {waited} ms"));
    }
    for desk in desks {
        desk.store.close().await;
    }

    settle(&store, &vault, world, clock, &orders).await;
    judge(&store, world, &orders).await
}

async fn join_all<F: std::future::Future<Output = ()>>(tasks: Vec<F>) {
    let mut tasks: Vec<_> = tasks.into_iter().map(|t| Some(Box::pin(t))).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for slot in &mut tasks {
            if let Some(task) = slot {
                if task.as_mut().poll(cx).is_ready() {
                    *slot = None;
                } else {
                    pending = true;
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await
}

fn desk_engine(store: &Store, vault: &Arc<dyn Vault>, carrier: Arc<DeskCarrier>) -> Engine {
    Engine::new(
        store.clone(),
        vault.clone(),
        Transport::carried_by(carrier, Duration::from_millis(TIMEOUT_MS as u64)),
    )
}

/// A desk: its store, its engine (replaced by a fresh one, a new sender, when it is killed)
/// and its way to the gateways.
struct Desk {
    id: usize,
    store: Store,
    vault: Arc<dyn Vault>,
    engine: Engine,
    carrier: Arc<DeskCarrier>,
    killed: Arc<tokio::sync::Notify>,
}

impl Desk {
    async fn open(
        id: usize,
        rng: Rng,
        db: &Path,
        vault: &Arc<dyn Vault>,
        world: &Arc<World>,
    ) -> Desk {
        let store = Store::open(db).await.unwrap();
        let killed = Arc::new(tokio::sync::Notify::new());
        let carrier = Arc::new(DeskCarrier {
            world: world.clone(),
            desk: id,
            rng: Mutex::new(rng),
            killed: killed.clone(),
        });
        let engine = desk_engine(&store, vault, carrier.clone());
        Desk {
            id,
            store,
            vault: vault.clone(),
            engine,
            carrier,
            killed,
        }
    }

    /// Does `action`, unless the desk is killed on the way: then its task is dropped where it
    /// stood and a fresh engine takes the desk over.
    async fn act(&mut self, action: Action, world: &World, orders: &[Order]) {
        let desk = self.id;
        world.note(format!("desk {desk}: {action:?}"));
        let work = act(&self.engine, &self.store, world, orders, &action);
        tokio::select! {
            biased;
            _ = self.killed.notified() => {
                world.note(format!("desk {desk} killed; restarts with a new sender"));
                self.engine = desk_engine(&self.store, &self.vault, self.carrier.clone());
            }
            said = work => world.note(format!("desk {desk}: {said}")),
        }
    }
}

async fn act(
    engine: &Engine,
    store: &Store,
    world: &World,
    orders: &[Order],
    action: &Action,
) -> String {
    match action {
        Action::Pay(i) => {
            let order = &orders[*i];
            let channel = connector_for(order.gateway)
                .unwrap()
                .capabilities()
                .channels[0];
            let command = PayCommand {
                order_no: order.order_no.clone(),
                channel,
                deductions: vec![],
                coupon: None,
                credit_amount: None,
                subscription_refunds: Vec::new(),
                seen_revision: None,
            };
            outcome(engine.pay(&command).await)
        }
        Action::CheckStatus(i) => {
            let order = store.order(&orders[*i].order_no).await.unwrap();
            match store.latest_attempt(order.id).await.unwrap() {
                Some(latest) => outcome(engine.check_status(latest.id).await),
                None => "nothing to check".into(),
            }
        }
        Action::Reconcile => match engine.reconcile_due().await {
            Ok(changed) => format!("reconciled {} attempts", changed.len()),
            Err(e) => format!("reconcile: {e}"),
        },
        Action::Callbacks { copies, shuffle } => {
            let mut bodies = payout_callbacks(store, world, orders).await;
            let mut sent = Vec::new();
            for _ in 0..*copies {
                sent.extend(bodies.iter().cloned());
            }
            let mut order_rng = Rng::new(*shuffle);
            for i in (1..sent.len()).rev() {
                sent.swap(i, order_rng.below(i as u64 + 1) as usize);
            }
            bodies.clear();
            let mut accepted = 0;
            for body in &sent {
                if engine.receive_callback("debit", body).await.is_ok() {
                    accepted += 1;
                }
            }
            format!("{accepted} of {} callbacks accepted", sent.len())
        }
        Action::Wait(_) => unreachable!("the clock moves between rounds"),
    }
}

fn outcome(result: Result<Attempt, paydesk_core::engine::PayError>) -> String {
    match result {
        Ok(attempt) => format!("attempt {} {}", attempt.id, attempt.state),
        Err(e) => format!("refused: {e}"),
    }
}

/// What debit's gateway would post for every payout it holds as final: paid out (30) for one
/// its ledger charged, failed (40) for one whose amount ends in 40 paise.
async fn payout_callbacks(store: &Store, world: &World, orders: &[Order]) -> Vec<Vec<u8>> {
    let access_key = SandboxConfig::default()
        .secret("debit", "access_key")
        .to_string();
    let mut bodies = Vec::new();
    for order in orders.iter().filter(|o| o.gateway == "debit") {
        let view = store.order(&order.order_no).await.unwrap();
        for attempt in store.attempts(&order.order_no).await.unwrap() {
            let key = &attempt.idempotency_key;
            let paid = world.ledger.charges_for("debit", key) > 0;
            let failed =
                view.amount_minor % 100 == 40 && world.ledger.order("debit", key).is_some();
            let code = match (paid, failed) {
                (true, _) => 30,
                (false, true) => 40,
                _ => continue,
            };
            let amount = Money::from_minor(view.amount_minor, Currency::INR).to_decimal_string();
            let info = format!(
                r#"{{"channelDebitOrderSimpleInfo":{{"id":1,"merchantSourceNo":"{key}","fiatAmount":{amount},"processCode":{code}}}}}"#
            );
            let sealed: serde_json::Value =
                serde_json::from_str(&debit::seal(&access_key, &info).unwrap()).unwrap();
            bodies.push(
                serde_json::json!({"sourceNo": key, "data": sealed["data"]})
                    .to_string()
                    .into_bytes(),
            );
        }
    }
    bodies
}

/// The storm passes: late requests land, nothing fails any more, and a fresh engine asks
/// about everything still open until nothing is (or a person has it).
async fn settle(
    store: &Store,
    vault: &Arc<dyn Vault>,
    world: &Arc<World>,
    clock: &SimulatedClock,
    orders: &[Order],
) {
    *world.calm.lock().unwrap() = true;
    clock.advance(2 * TIMEOUT_MS);
    world.land_late(paydesk_core::clock::now_ms()).await;
    let carrier = Arc::new(DeskCarrier {
        world: world.clone(),
        desk: 9,
        rng: Mutex::new(Rng::new(0)),
        killed: Arc::new(tokio::sync::Notify::new()),
    });
    let engine = desk_engine(store, vault, carrier);
    for round in 0..20 {
        clock.advance(3_600_000);
        let result = engine.reconcile_all().await;
        world.note(format!("settling, round {round}: {result:?}"));
        let open = open_attempts(store, orders).await;
        if open.is_empty() {
            return;
        }
    }
}

async fn open_attempts(store: &Store, orders: &[Order]) -> Vec<Attempt> {
    let mut open = Vec::new();
    for order in orders {
        for attempt in store.attempts(&order.order_no).await.unwrap() {
            if !matches!(
                attempt.state,
                AttemptState::Succeeded | AttemptState::Failed | AttemptState::NeedsReview
            ) {
                open.push(attempt);
            }
        }
    }
    open
}

/// The ledgers' verdict.
async fn judge(store: &Store, world: &World, orders: &[Order]) -> Verdict {
    let mut wrong = Vec::new();
    let charges = world.ledger.charges();
    for order in orders {
        let attempts = store.attempts(&order.order_no).await.unwrap();
        let keys: HashSet<&str> = attempts
            .iter()
            .map(|a| a.idempotency_key.as_str())
            .collect();
        // A payout is booked under its sourceNo (the attempt's key), anything else under the
        // order's number.
        let charged: Vec<_> = charges
            .iter()
            .filter(|c| {
                c.gateway == order.gateway
                    && (c.order_no == order.order_no || keys.contains(c.order_no.as_str()))
            })
            .collect();
        let no = &order.order_no;
        if charged.len() > 1 {
            wrong.push(format!("{no}: charged {} times", charged.len()));
        }
        let held = attempts
            .iter()
            .any(|a| matches!(a.state, AttemptState::Succeeded | AttemptState::NeedsReview));
        if !charged.is_empty() && !held {
            wrong.push(format!(
                "{no}: charged, but paydesk holds no payment nor a review"
            ));
        }
        for attempt in &attempts {
            let id = attempt.id;
            if attempt.state == AttemptState::Succeeded {
                let booked = charged
                    .iter()
                    .any(|c| c.order_no == *no || c.order_no == attempt.idempotency_key);
                if !booked {
                    wrong.push(format!("{no}: attempt {id} succeeded with no charge"));
                }
            }
            if !matches!(
                attempt.state,
                AttemptState::Succeeded | AttemptState::Failed | AttemptState::NeedsReview
            ) {
                wrong.push(format!("{no}: attempt {id} left {}", attempt.state));
            }
            let events = store.events(id).await.unwrap();
            let mut states = events.iter().map(|e| e.state);
            let mut previous = states.next();
            if previous != Some(AttemptState::Created) {
                wrong.push(format!("{no}: attempt {id} did not start as created"));
            }
            for next in states {
                let from = previous.expect("a first state");
                if from != next && !from.can_become(next) {
                    wrong.push(format!("{no}: attempt {id} moved {from} -> {next}"));
                }
                previous = Some(next);
            }
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong)
    }
}

fn replay_command(seed: u64) -> String {
    format!("PAYDESK_SIM_SEED={seed} cargo test -p paydesk --test simulation -- --nocapture")
}

/// The seeds to run: one to replay, a range, or a count; and where a long run keeps its place.
fn seeds() -> (std::ops::Range<u64>, bool) {
    if let Some(seed) = std::env::var("PAYDESK_SIM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return (seed..seed + 1, true);
    }
    let spec = std::env::var("PAYDESK_SIM_SEEDS").unwrap_or_else(|_| "5000".into());
    let range = match spec.split_once("..") {
        Some((from, to)) => from.parse().unwrap()..to.parse().unwrap(),
        None => 0..spec.parse().unwrap(),
    };
    (range, false)
}

#[test]
fn every_payment_is_kept_exactly_once_whatever_the_seed() {
    let (range, replay) = seeds();
    let progress = std::env::var_os("PAYDESK_SIM_PROGRESS").map(PathBuf::from);
    let mut next = progress
        .as_deref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|n| range.contains(n))
        .unwrap_or(range.start);
    let template = template();
    let failures: Mutex<Vec<Failure>> = Mutex::new(Vec::new());
    const CHUNK: u64 = 250;
    while next < range.end {
        let chunk = next..(next + CHUNK).min(range.end);
        std::thread::scope(|scope| {
            for lane in 0..2 {
                let (template, failures, chunk) = (&template, &failures, chunk.clone());
                scope.spawn(move || {
                    for seed in chunk.filter(|s| s % 2 == lane) {
                        let (verdict, trace) = run_seed(seed, template);
                        if replay {
                            println!("{}", trace.join("\n"));
                        }
                        if let Err(wrong) = verdict {
                            failures.lock().unwrap().push((seed, wrong, trace));
                        }
                    }
                });
            }
        });
        next = chunk.end;
        if let Some(path) = &progress {
            std::fs::write(path, next.to_string()).unwrap();
        }
        if !failures.lock().unwrap().is_empty() {
            break;
        }
    }
    let mut failures = failures.into_inner().unwrap();
    failures.sort_by_key(|(seed, _, _)| *seed);
    if let Some((seed, _, trace)) = failures.first() {
        println!("what seed {seed} did:\n{}", trace.join("\n"));
    }
    let report: Vec<String> = failures
        .iter()
        .take(5)
        .map(|(seed, wrong, _)| {
            format!(
                "seed {seed}: {}\n  replay: {}",
                wrong.join("; "),
                replay_command(*seed)
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} seed(s) broke a guarantee:\n{}",
        failures.len(),
        report.join("\n")
    );
    println!("{} seeds, every guarantee held", range.end - range.start);
}
