//! The start-up bench's helpers: where a launched page's time went, by its own clock, and a
//! desk's live data set up as a merchant sets it up.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::world;

/// Where the page's time went, from the page's own clock (ms after its navigation started).
#[derive(Clone, Copy)]
pub(crate) struct PageTimes {
    /// Navigation start, ms after the process started (10 ms resolution).
    pub(crate) navigation_ms: f64,
    /// The app's script started running (paydesk only: its `paydesk:script` mark).
    pub(crate) script_ms: Option<f64>,
    /// The first page of orders answered (paydesk only: its `paydesk:first-page` mark).
    pub(crate) first_page_ms: Option<f64>,
    /// The first rows committed to the DOM (paydesk only: its `paydesk:rows` mark).
    pub(crate) rows_ms: Option<f64>,
    /// When the poll saw the page ready.
    pub(crate) ready_ms: f64,
}

/// Reads the page's clock once it is ready: its navigation's start in wall time, its marks.
pub(crate) const PAGE_TIMES_SCRIPT: &str = "const marks = {}; \
    for (const m of performance.getEntriesByType('mark')) marks[m.name] = m.startTime; \
    return { origin: performance.timeOrigin, now: performance.now(), marks: marks };";

pub(crate) fn page_times(
    value: &Value,
    started_wall: chrono::DateTime<chrono::Utc>,
) -> Option<PageTimes> {
    let origin = value["origin"].as_f64()?;
    let navigation_ms = origin - started_wall.timestamp_micros() as f64 / 1000.0;
    let mark = |name: &str| value["marks"][name].as_f64();
    Some(PageTimes {
        navigation_ms,
        script_ms: mark("paydesk:script"),
        first_page_ms: mark("paydesk:first-page"),
        rows_ms: mark("paydesk:rows"),
        ready_ms: value["now"].as_f64()?,
    })
}

/// Makes `dir` a desk's live data as a merchant sets it up at the command line: a SenseCore
/// profile pointing at `gateway` (not a sandbox profile: the window opens the live data because
/// it holds one), its secrets in the session's keyring.
pub(crate) fn set_up_live_data(app: &Path, dir: &Path, gateway: &world::Gateway) {
    let credentials = &gateway.config.gateways[world::GATEWAY];
    let paydesk = |args: &[String], stdin: Option<&str>| {
        let mut command = Command::new(app);
        command
            .arg("--data-dir")
            .arg(dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null());
        let mut child = command.spawn().expect("paydesk's command line");
        if let Some(text) = stdin {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(text.as_bytes())
                .expect("a secret written to paydesk");
        }
        drop(child.stdin.take());
        assert!(
            child.wait().expect("paydesk ran").success(),
            "paydesk {args:?} failed"
        );
    };
    let mut add: Vec<String> = [
        "profile",
        "add",
        "shop",
        "--gateway",
        world::GATEWAY,
        "--base-url",
    ]
    .map(String::from)
    .to_vec();
    add.push(gateway.sandbox.base_url(world::GATEWAY));
    for (key, value) in &credentials.settings {
        add.push("--set".into());
        add.push(format!("{key}={value}"));
    }
    paydesk(&add, None);
    for (key, value) in &credentials.secrets {
        let args = ["secret", "set", "shop", key.as_str()].map(String::from);
        paydesk(&args, Some(&format!("{value}\n")));
    }
}

/// paydesk's built page (ui/dist) served over loopback, with the e2e tests' stand-in for its
/// back end (ui/e2e/mock-backend.js) run before the app's script: what the page alone costs
/// a bare browser, without Tauri or Rust behind it. Over HTTP, not `file://`: the page's
/// module script and its absolute `/assets/` paths need an origin.
pub(crate) async fn serve_built_page() -> String {
    use axum::response::Html;
    use tower_http::services::ServeDir;

    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui");
    let dist = ui.join("dist");
    let index = std::fs::read_to_string(dist.join("index.html"))
        .expect("the built UI (ui/dist: npm run build in ui)");
    let mock = std::fs::read_to_string(ui.join("e2e/mock-backend.js")).expect("the UI's mock");
    // A classic script in the head runs before the page's deferred module, as Tauri's own
    // initialisation scripts do in the window.
    let page = index.replacen(
        "<head>",
        "<head><script src=\"/mock-backend.js\"></script>",
        1,
    );
    assert_ne!(page, index, "ui/dist/index.html has no <head>");
    let app = axum::Router::new()
        .route("/", axum::routing::get(move || async move { Html(page) }))
        .route(
            "/mock-backend.js",
            axum::routing::get(
                move || async move { ([("content-type", "text/javascript")], mock) },
            ),
        )
        .fallback_service(ServeDir::new(dist));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!("http://{}/", listener.local_addr().expect("its address"));
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("the page's server");
    });
    url
}
