//! Fault injection: what real networks and gateways do to a payment request, on demand, per
//! gateway, by rate — so the engine's guarantees can be tested against the worst of it.
//!
//! Each request to an emulator draws at most one fault:
//! - `timeout`: held without an answer for `hold_ms` (the client gives up), never processed;
//! - `server_error`: a 503 from "the load balancer", never processed;
//! - `reset`: the connection drops before anything is processed;
//! - `malformed`: processed (it may have charged), then the body is replaced by garbage;
//! - `lost_response`: processed (it may have charged), then the connection drops — "charged
//!   but the response was lost".
//!
//! `latency_ms` is added to every request. Draws come from a seeded generator, so a failing
//! run can be replayed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::AppState;

/// Fault rates (0.0 to 1.0) and delays for one gateway.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FaultPlan {
    pub latency_ms: u64,
    pub timeout: f64,
    pub server_error: f64,
    pub reset: f64,
    pub malformed: f64,
    pub lost_response: f64,
    /// How long a `timeout` holds the request (default 30 s).
    pub hold_ms: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Timeout,
    ServerError,
    Reset,
    Malformed,
    LostResponse,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FaultError {
    #[error("{0:?} is not a fault kind (timeout, server_error, reset, malformed, lost_response, latency_ms, hold_ms)")]
    UnknownKind(String),
    #[error("fault {0} must be a rate between 0 and 1, got {1:?}")]
    BadRate(String, String),
    #[error("the fault rates of a gateway add up to more than 1")]
    Overfull,
    #[error("fault {0:?} must look like GATEWAY:KIND=VALUE")]
    Syntax(String),
}

impl FaultPlan {
    fn total(&self) -> f64 {
        self.timeout + self.server_error + self.reset + self.malformed + self.lost_response
    }

    pub fn validate(&self) -> Result<(), FaultError> {
        for (name, rate) in [
            ("timeout", self.timeout),
            ("server_error", self.server_error),
            ("reset", self.reset),
            ("malformed", self.malformed),
            ("lost_response", self.lost_response),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(FaultError::BadRate(name.into(), rate.to_string()));
            }
        }
        if self.total() > 1.0 + 1e-9 {
            return Err(FaultError::Overfull);
        }
        Ok(())
    }

    /// Sets one `KIND=VALUE`.
    pub fn set(&mut self, kind: &str, value: &str) -> Result<(), FaultError> {
        let rate = || {
            value
                .parse::<f64>()
                .ok()
                .filter(|r| (0.0..=1.0).contains(r))
                .ok_or_else(|| FaultError::BadRate(kind.into(), value.into()))
        };
        let millis = || {
            value
                .parse::<u64>()
                .map_err(|_| FaultError::BadRate(kind.into(), value.into()))
        };
        match kind {
            "timeout" => self.timeout = rate()?,
            "server_error" => self.server_error = rate()?,
            "reset" => self.reset = rate()?,
            "malformed" => self.malformed = rate()?,
            "lost_response" => self.lost_response = rate()?,
            "latency_ms" => self.latency_ms = millis()?,
            "hold_ms" => self.hold_ms = Some(millis()?),
            other => return Err(FaultError::UnknownKind(other.into())),
        }
        self.validate()
    }

    /// Every kind at `rate` (so the total fault rate is five times it).
    pub fn uniform(rate: f64) -> Self {
        FaultPlan {
            timeout: rate,
            server_error: rate,
            reset: rate,
            malformed: rate,
            lost_response: rate,
            ..FaultPlan::default()
        }
    }
}

/// Parses `GATEWAY:KIND=VALUE` (GATEWAY may be `all`) into the gateways it applies to.
pub fn parse_fault_flag(flag: &str) -> Result<(Vec<String>, String, String), FaultError> {
    let (gateway, rest) = flag
        .split_once(':')
        .ok_or_else(|| FaultError::Syntax(flag.into()))?;
    let (kind, value) = rest
        .split_once('=')
        .ok_or_else(|| FaultError::Syntax(flag.into()))?;
    let gateways = if gateway == "all" {
        crate::GATEWAYS.iter().map(|g| g.to_string()).collect()
    } else if crate::GATEWAYS.contains(&gateway) {
        vec![gateway.to_string()]
    } else {
        return Err(FaultError::Syntax(flag.into()));
    };
    Ok((gateways, kind.trim().into(), value.trim().into()))
}

/// The plans in force, and the seeded generator that draws faults.
#[derive(Clone)]
pub struct Faults {
    inner: Arc<Mutex<FaultState>>,
}

struct FaultState {
    plans: HashMap<String, FaultPlan>,
    rng: u64,
    injected: HashMap<String, u64>,
    /// Every request that reached an emulator, as "METHOD /path" → count.
    requests: HashMap<String, u64>,
}

impl Faults {
    pub fn new(seed: u64) -> Self {
        Faults {
            inner: Arc::new(Mutex::new(FaultState {
                plans: HashMap::new(),
                rng: seed ^ 0x9E37_79B9_7F4A_7C15,
                injected: HashMap::new(),
                requests: HashMap::new(),
            })),
        }
    }

    pub fn set_plan(&self, gateway: &str, plan: FaultPlan) -> Result<(), FaultError> {
        plan.validate()?;
        self.inner
            .lock()
            .expect("faults lock")
            .plans
            .insert(gateway.into(), plan);
        Ok(())
    }

    pub fn clear(&self) {
        self.inner.lock().expect("faults lock").plans.clear();
    }

    pub fn plan(&self, gateway: &str) -> FaultPlan {
        self.inner
            .lock()
            .expect("faults lock")
            .plans
            .get(gateway)
            .cloned()
            .unwrap_or_default()
    }

    /// How many faults of each kind were injected so far (e.g. `"lost_response"` → 12).
    pub fn injected(&self) -> HashMap<String, u64> {
        self.inner.lock().expect("faults lock").injected.clone()
    }

    /// Every request that reached an emulator so far, as `"POST /top/router/rest"` → count.
    pub fn requests(&self) -> HashMap<String, u64> {
        self.inner.lock().expect("faults lock").requests.clone()
    }

    fn count(&self, request: String) {
        *self
            .inner
            .lock()
            .expect("faults lock")
            .requests
            .entry(request)
            .or_insert(0) += 1;
    }

    fn draw(&self, gateway: &str) -> (FaultPlan, Option<Fault>) {
        let mut state = self.inner.lock().expect("faults lock");
        let plan = state.plans.get(gateway).cloned().unwrap_or_default();
        if plan.total() <= 0.0 {
            return (plan, None);
        }
        // splitmix64: small, seeded, good enough to pick faults.
        state.rng = state.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let roll = (z >> 11) as f64 / (1u64 << 53) as f64;
        let mut edge = 0.0;
        let mut picked = None;
        for (fault, rate) in [
            (Fault::Timeout, plan.timeout),
            (Fault::ServerError, plan.server_error),
            (Fault::Reset, plan.reset),
            (Fault::Malformed, plan.malformed),
            (Fault::LostResponse, plan.lost_response),
        ] {
            edge += rate;
            if roll < edge {
                picked = Some(fault);
                break;
            }
        }
        if let Some(fault) = picked {
            *state.injected.entry(format!("{fault:?}")).or_insert(0) += 1;
        }
        (plan, picked)
    }
}

/// A response whose body fails mid-stream: the client has the status line and then loses the
/// connection, exactly like a reset after the request was read.
fn dropped_connection() -> Response {
    let failing = futures_util_stream();
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .body(Body::from_stream(failing))
        .expect("static response")
}

fn futures_util_stream() -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    struct Failing(bool);
    impl futures_core::Stream for Failing {
        type Item = Result<Vec<u8>, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            if self.0 {
                return std::task::Poll::Ready(None);
            }
            self.0 = true;
            std::task::Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "injected connection reset",
            ))))
        }
    }
    Failing(false)
}

/// The middleware in front of every emulator.
pub(crate) async fn inject(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let gateway = request
        .uri()
        .path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("")
        .to_string();
    // The emulators' own test hooks (e.g. /partner/_sandbox/bind) are not the gateway.
    if request.uri().path().contains("/_sandbox/") {
        return next.run(request).await;
    }
    state
        .faults
        .count(format!("{} {}", request.method(), request.uri().path()));
    let (plan, fault) = state.faults.draw(&gateway);
    if plan.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(plan.latency_ms)).await;
    }
    match fault {
        None => next.run(request).await,
        Some(Fault::Timeout) => {
            tokio::time::sleep(Duration::from_millis(plan.hold_ms.unwrap_or(30_000))).await;
            (StatusCode::GATEWAY_TIMEOUT, "upstream timed out").into_response()
        }
        Some(Fault::ServerError) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [("content-type", "text/html")],
            "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
        )
            .into_response(),
        Some(Fault::Reset) => dropped_connection(),
        Some(Fault::Malformed) => {
            let processed = next.run(request).await;
            let status = processed.status();
            (status, [("content-type", "application/json")], "{\"truncat").into_response()
        }
        Some(Fault::LostResponse) => {
            let _processed = next.run(request).await;
            dropped_connection()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_parse_and_validate() {
        let mut plan = FaultPlan::default();
        plan.set("reset", "0.25").unwrap();
        plan.set("latency_ms", "20").unwrap();
        assert_eq!(plan.reset, 0.25);
        assert_eq!(
            plan.set("reset", "1.5"),
            Err(FaultError::BadRate("reset".into(), "1.5".into()))
        );
        assert!(matches!(
            plan.set("explode", "0.1"),
            Err(FaultError::UnknownKind(_))
        ));
        plan.set("timeout", "0.5").unwrap();
        assert_eq!(plan.set("malformed", "0.5"), Err(FaultError::Overfull));
        let (gateways, kind, value) = parse_fault_flag("all:lost_response=0.1").unwrap();
        assert_eq!(
            (gateways.len(), kind.as_str(), value.as_str()),
            (5, "lost_response", "0.1")
        );
        assert!(parse_fault_flag("paypal:reset=0.1").is_err());
        assert!(parse_fault_flag("top-reset").is_err());
    }

    #[test]
    fn draws_follow_the_rates_and_the_seed() {
        let faults = Faults::new(7);
        faults.set_plan("top", FaultPlan::uniform(0.05)).unwrap();
        let hits = (0..10_000)
            .filter(|_| faults.draw("top").1.is_some())
            .count();
        assert!((2_200..2_800).contains(&hits), "{hits} of 10000 at 25%");
        assert!(faults.draw("yian").1.is_none(), "no plan, no faults");
        let a: Vec<_> = (0..50).map(|_| Faults::new(1).draw("x").1).collect();
        assert!(a.iter().all(Option::is_none));
        let replay = |seed| {
            let f = Faults::new(seed);
            f.set_plan("top", FaultPlan::uniform(0.1)).unwrap();
            (0..100).map(|_| f.draw("top").1).collect::<Vec<_>>()
        };
        assert_eq!(replay(3), replay(3));
    }
}
