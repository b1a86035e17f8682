//! The sandbox: loopback emulators of the gateways paydesk speaks, each verifying auth the way
//! the real system does, keeping a ledger of charges and answering the documented errors.
//!
//! Every gateway lives under its own path prefix (`{root}/sensecore`, ...). Test and admin
//! endpoints live under `{root}/_sandbox`: registering orders and reading the ledger.
//!
//! Hostile requests get each gateway's own refusal and change nothing:
//! `tests/bad_requests.rs` sends every emulator empty values, 1 MB strings, control
//! characters, other scripts, path- and URL-like order numbers, wrong JSON types, duplicate
//! fields and headers and bad signatures over loopback, comparing [`Ledger::snapshot`] before
//! and after. JSON bodies are read by `strict_json` (a key given twice is refused) and
//! refusals quote at most a short head of a value (`clip`).

mod debit;
pub mod faults;
mod gmt8;
mod html;
mod ledger;
mod partner;
mod sensecore;
mod strict_json;
mod top;
mod yian;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use ledger::{Charge, Ledger, SandboxOrder};
pub use partner::{bind_gift_order, BindError};

/// A value as an error message quotes it: whole up to 40 characters, cut after that, so a
/// hostile megabyte gets a short answer (the answers are JSON, which escapes the rest).
pub(crate) fn clip(text: &str) -> String {
    const KEEP: usize = 40;
    let count = text.chars().count();
    if count <= KEEP {
        text.to_string()
    } else {
        let head: String = text.chars().take(KEEP).collect();
        format!("{head}… ({count} characters)")
    }
}

/// Every gateway the sandbox emulates, in the order it lists them.
pub const GATEWAYS: [&str; 5] = ["sensecore", "yian", "top", "partner", "debit"];

/// The settings and secrets one emulator accepts, under the names paydesk's gateway profiles
/// use (`token`, `app_secret`, `app_key`, `access_key`, ...).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub settings: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("settings", &self.settings)
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn pairs(items: &[(&str, &str)]) -> BTreeMap<String, String> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The credentials each emulator accepts, per gateway id.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    pub gateways: BTreeMap<String, Credentials>,
    /// Seeds fault injection, so a run with faults can be replayed.
    pub fault_seed: u64,
}

impl SandboxConfig {
    /// A secret the emulator for `gateway` accepts ("" when none is configured, which no
    /// request can match).
    pub fn secret(&self, gateway: &str, key: &str) -> &str {
        self.gateways
            .get(gateway)
            .and_then(|c| c.secrets.get(key))
            .map_or("", String::as_str)
    }

    pub fn setting(&self, gateway: &str, key: &str) -> &str {
        self.gateways
            .get(gateway)
            .and_then(|c| c.settings.get(key))
            .map_or("", String::as_str)
    }
}

impl Default for SandboxConfig {
    /// Fixed, documented test credentials for the standalone `paydesk sandbox`.
    fn default() -> Self {
        let gateways = BTreeMap::from([
            (
                "sensecore".to_string(),
                Credentials {
                    settings: pairs(&[("billing_account_id", "sandbox-ba-1")]),
                    secrets: pairs(&[("token", "sandbox-sensecore-token")]),
                },
            ),
            (
                "yian".to_string(),
                Credentials {
                    settings: BTreeMap::new(),
                    secrets: pairs(&[("token", "5a4dbe3f9c1e4b7d8a2f6c0e1b3d5f7a9c2e4b6d")]),
                },
            ),
            (
                "top".to_string(),
                Credentials {
                    settings: pairs(&[
                        ("app_key", "12345678"),
                        ("sign_method", "md5"),
                        ("tenant_id", "1"),
                        ("charge_item_code", "1"),
                        ("category_code", "1"),
                        ("commodity_code", "1"),
                        ("user_country", "CHINA"),
                    ]),
                    secrets: pairs(&[("app_secret", "sandbox-top-app-secret")]),
                },
            ),
            (
                "partner".to_string(),
                Credentials {
                    settings: BTreeMap::new(),
                    secrets: pairs(&[("sign_key", "sandbox-partner-sign-key")]),
                },
            ),
            (
                "debit".to_string(),
                Credentials {
                    settings: pairs(&[
                        ("merchant_id", "10001"),
                        ("api_version", "v2"),
                        ("currency", "INR"),
                    ]),
                    secrets: pairs(&[("access_key", "sandboxdebitaccesskey0123456789a")]),
                },
            ),
        ]);
        SandboxConfig {
            gateways,
            fault_seed: 1,
        }
    }
}

/// What `paydesk sandbox` prints per gateway: where it listens and the credentials it accepts.
#[derive(Debug, Clone, Serialize)]
pub struct GatewayListing {
    pub gateway: &'static str,
    pub base_url: String,
    pub settings: serde_json::Map<String, serde_json::Value>,
    pub secrets: serde_json::Map<String, serde_json::Value>,
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub config: Arc<SandboxConfig>,
    pub ledger: Ledger,
    pub faults: faults::Faults,
}

/// A running sandbox. Dropping it stops the server.
pub struct RunningSandbox {
    pub addr: SocketAddr,
    pub ledger: Ledger,
    pub faults: faults::Faults,
    config: Arc<SandboxConfig>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl RunningSandbox {
    pub fn root_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn base_url(&self, gateway: &str) -> String {
        format!("{}/{gateway}", self.root_url())
    }

    pub fn listings(&self) -> Vec<GatewayListing> {
        let to_json = |map: &BTreeMap<String, String>| {
            map.iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str())))
                .collect()
        };
        GATEWAYS
            .iter()
            .map(|gateway| {
                let credentials = self
                    .config
                    .gateways
                    .get(*gateway)
                    .cloned()
                    .unwrap_or_default();
                GatewayListing {
                    gateway,
                    base_url: self.base_url(gateway),
                    settings: to_json(&credentials.settings),
                    secrets: to_json(&credentials.secrets),
                }
            })
            .collect()
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the sandbox could not listen on {addr}: {source}")]
pub struct StartError {
    addr: String,
    source: std::io::Error,
}

/// Starts every emulator on `addr` (use port 0 for a free loopback port).
pub async fn start(addr: &str, config: SandboxConfig) -> Result<RunningSandbox, StartError> {
    let listener = TcpListener::bind(addr).await.map_err(|source| StartError {
        addr: addr.to_string(),
        source,
    })?;
    let local = listener.local_addr().map_err(|source| StartError {
        addr: addr.to_string(),
        source,
    })?;
    let config = Arc::new(config);
    let ledger = Ledger::default();
    let faults = faults::Faults::new(config.fault_seed);
    let state = AppState {
        config: config.clone(),
        ledger: ledger.clone(),
        faults: faults.clone(),
    };
    let app = router(state);
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "sandbox server stopped");
        }
    });
    Ok(RunningSandbox {
        addr: local,
        ledger,
        faults,
        config,
        shutdown: Some(tx),
    })
}

/// Every emulator and the admin endpoints as one service with a fresh ledger, without a
/// listener: for driving requests in-process (the fuzz targets).
#[doc(hidden)]
pub fn service(config: SandboxConfig) -> Router {
    service_with_ledger(config).0
}

/// [`service`], with the ledger it keeps: the judge of what was charged (the simulation).
#[doc(hidden)]
pub fn service_with_ledger(config: SandboxConfig) -> (Router, Ledger) {
    let faults = faults::Faults::new(config.fault_seed);
    let ledger = Ledger::default();
    let router = router(AppState {
        config: Arc::new(config),
        ledger: ledger.clone(),
        faults,
    });
    (router, ledger)
}

fn router(state: AppState) -> Router {
    let emulators = Router::new()
        .nest("/sensecore", sensecore::routes())
        .nest("/yian", yian::routes())
        .nest("/top", top::routes())
        .nest("/partner", partner::routes())
        .nest("/debit", debit::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults::inject,
        ));
    Router::new()
        .merge(emulators)
        .route(
            "/_sandbox/faults/{gateway}",
            axum::routing::put(set_faults).delete(clear_faults),
        )
        .route("/_sandbox/orders", post(register_order))
        .route("/_sandbox/ledger", get(read_ledger))
        .route("/_sandbox/info", get(info))
        .route("/_sandbox/requests", get(read_requests))
        .with_state(state)
}

#[derive(Debug, Deserialize)]
struct RegisterOrder {
    gateway: String,
    order_no: String,
    amount_minor: i64,
    #[serde(default = "default_currency")]
    currency: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
}

fn default_currency() -> String {
    "CNY".into()
}

async fn register_order(
    State(state): State<AppState>,
    Json(order): Json<RegisterOrder>,
) -> Result<Json<serde_json::Value>, (axum::http::StatusCode, String)> {
    if order.amount_minor <= 0 || order.order_no.is_empty() {
        return Err((
            axum::http::StatusCode::BAD_REQUEST,
            "order_no must be non-empty and amount_minor positive".into(),
        ));
    }
    state.ledger.register(
        &order.gateway,
        SandboxOrder::new(
            &order.order_no,
            order.amount_minor,
            &order.currency,
            &order.subject,
        )
        .with_attributes(order.attributes.clone()),
    );
    // The partner API identifies what is paid by (user_id, gift_pos_id), not by an order
    // number: link the pair to this order so the emulator knows what a pay request pays.
    if order.gateway == "partner" {
        if let (Some(user), Some(gift)) = (
            order.attributes.get("user_id"),
            order.attributes.get("gift_pos_id"),
        ) {
            match bind_gift_order(&state.ledger, &order.order_no, user, gift) {
                Ok(()) => {}
                Err(e) => return Err((axum::http::StatusCode::CONFLICT, e.to_string())),
            }
        }
    }
    Ok(Json(serde_json::json!({"registered": order.order_no})))
}

async fn set_faults(
    State(state): State<AppState>,
    axum::extract::Path(gateway): axum::extract::Path<String>,
    Json(plan): Json<faults::FaultPlan>,
) -> Result<Json<faults::FaultPlan>, (axum::http::StatusCode, String)> {
    let bad = |m: String| (axum::http::StatusCode::BAD_REQUEST, m);
    let targets: Vec<&str> = if gateway == "all" {
        GATEWAYS.to_vec()
    } else if GATEWAYS.contains(&gateway.as_str()) {
        vec![gateway.as_str()]
    } else {
        return Err(bad(format!("unknown gateway {gateway:?}")));
    };
    for target in targets {
        state
            .faults
            .set_plan(target, plan.clone())
            .map_err(|e| bad(e.to_string()))?;
    }
    Ok(Json(plan))
}

async fn clear_faults(State(state): State<AppState>) -> axum::http::StatusCode {
    state.faults.clear();
    axum::http::StatusCode::NO_CONTENT
}

/// Lets paydesk recognise a sandbox (and label its profiles SANDBOX) before registering orders.
async fn info() -> Json<serde_json::Value> {
    Json(serde_json::json!({"sandbox": "paydesk", "gateways": GATEWAYS}))
}

async fn read_requests(
    State(state): State<AppState>,
) -> Json<std::collections::HashMap<String, u64>> {
    Json(state.faults.requests())
}

async fn read_ledger(State(state): State<AppState>) -> Json<Vec<Charge>> {
    Json(state.ledger.charges())
}
