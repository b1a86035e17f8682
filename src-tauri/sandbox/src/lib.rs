//! The sandbox: loopback emulators of the gateways paydesk speaks, each verifying auth the way
//! the real system does, keeping a ledger of charges and answering the documented errors.
//!
//! Every gateway lives under its own path prefix (`{root}/sensecore`, ...). Test and admin
//! endpoints live under `{root}/_sandbox`: registering orders and reading the ledger.

mod ledger;
mod sensecore;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use ledger::{Charge, Ledger, SandboxOrder};

/// The credentials each emulator accepts.
#[derive(Clone)]
pub struct SandboxConfig {
    pub sensecore_token: String,
}

impl Default for SandboxConfig {
    /// Fixed, documented test credentials for the standalone `paydesk sandbox`.
    fn default() -> Self {
        SandboxConfig {
            sensecore_token: "sandbox-sensecore-token".into(),
        }
    }
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig").finish_non_exhaustive()
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
}

/// A running sandbox. Dropping it stops the server.
pub struct RunningSandbox {
    pub addr: SocketAddr,
    pub ledger: Ledger,
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
        let mut secrets = serde_json::Map::new();
        secrets.insert("token".into(), self.config.sensecore_token.clone().into());
        let mut settings = serde_json::Map::new();
        settings.insert("billing_account_id".into(), "sandbox-ba-1".into());
        vec![GatewayListing {
            gateway: "sensecore",
            base_url: self.base_url("sensecore"),
            settings,
            secrets,
        }]
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
    let state = AppState {
        config: config.clone(),
        ledger: ledger.clone(),
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
        config,
        shutdown: Some(tx),
    })
}

fn router(state: AppState) -> Router {
    Router::new()
        .nest("/sensecore", sensecore::routes())
        .route("/_sandbox/orders", post(register_order))
        .route("/_sandbox/ledger", get(read_ledger))
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
        SandboxOrder::new(&order.order_no, order.amount_minor, &order.currency, &order.subject),
    );
    Ok(Json(serde_json::json!({"registered": order.order_no})))
}

async fn read_ledger(State(state): State<AppState>) -> Json<Vec<Charge>> {
    Json(state.ledger.charges())
}
