//! Start-up and memory: the release `paydesk` from launch to an interactive window, and the
//! proportional memory (PSS) of all its processes, with an empty store and with a million
//! attempts; against WebKitGTK's own MiniBrowser opening a page with a table, and opening
//! paydesk's own built page with no Tauri or Rust behind it (the floor of a window drawn by
//! that page). All are launched by WebKitWebDriver (as tauri-driver launches paydesk), under
//! a virtual display, with the keyring of the session the bench runs in.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::figures::{Better, Check, Figure, GroupResult};
use crate::startup_page::{
    page_times, serve_built_page, set_up_live_data, PageTimes, PAGE_TIMES_SCRIPT,
};
use crate::stats::{median, show_ms, thousands, Spread};
use crate::world::{self, BulkShape};

pub struct Config {
    pub app: PathBuf,
    pub rows: i64,
    pub launches: usize,
}

/// WebKitWebDriver on a free port.
struct Driver {
    child: Child,
    url: String,
    client: reqwest::Client,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn minibrowser() -> PathBuf {
    [
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/usr/lib",
        "/usr/libexec",
    ]
    .iter()
    .map(|d| Path::new(d).join("webkit2gtk-4.1/MiniBrowser"))
    .find(|p| p.exists())
    .expect("WebKitGTK's MiniBrowser (package libwebkit2gtk-4.1-0)")
}

impl Driver {
    async fn start() -> Driver {
        let port = free_port();
        let child = Command::new("WebKitWebDriver")
            .arg(format!("--port={port}"))
            .env("TAURI_AUTOMATION", "true")
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            // paydesk paints without GL compositing (desktop.rs); the baseline browser does
            // the same, so the two differ only in what they show.
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("WebKitWebDriver (package webkit2gtk-driver)");
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            // A page that never answers fails the run rather than stalling it.
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("an HTTP client"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while driver
            .client
            .get(format!("{}/status", driver.url))
            .send()
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "WebKitWebDriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        driver
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let response = self
            .client
            .request(method, format!("{}{path}", self.url))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("WebKitWebDriver answers");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert!(status.is_success(), "WebDriver {path}: {status} {text}");
        value["value"].clone()
    }

    async fn session(&self, binary: &Path, args: &[String]) -> String {
        let value = self
            .call(
                reqwest::Method::POST,
                "/session",
                json!({"capabilities": {"alwaysMatch": {
                    "webkitgtk:browserOptions": {"binary": binary, "args": args}
                }}}),
            )
            .await;
        value["sessionId"].as_str().expect("a session").to_string()
    }

    async fn script(&self, session: &str, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            &format!("/session/{session}/execute/sync"),
            json!({"script": script, "args": []}),
        )
        .await
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every process: pid → (parent, name).
fn processes() -> HashMap<u32, (u32, String)> {
    let mut all = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // "pid (name) state ppid ...": the name may hold spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = stat[open + 1..close].to_string();
        let ppid = stat[close + 2..]
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        all.insert(pid, (ppid, name));
    }
    all
}

fn descendants(root: u32, all: &HashMap<u32, (u32, String)>) -> Vec<u32> {
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            all.iter()
                .filter(|(_, (ppid, _))| *ppid == parent)
                .map(|(pid, _)| *pid),
        );
        i += 1;
    }
    found
}

/// Proportional set size of one process, MB.
fn pss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("Pss:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Seconds since boot, as /proc/uptime gives them (10 ms resolution).
fn uptime() -> f64 {
    std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|t| t.split_whitespace().next()?.parse().ok())
        .expect("/proc/uptime")
}

/// When a process was started, in seconds since boot.
fn started_at(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let close = stat.rfind(')')?;
    let ticks: f64 = stat[close + 2..].split_whitespace().nth(19)?.parse().ok()?;
    Some(ticks / 100.0)
}

/// When the back end was ready (the built-in sandbox listening, after the store and the
/// keyring), in ms after the process started, from the app's log in its data directory.
fn backend_ready_ms(data_dir: &Path, started_wall: chrono::DateTime<chrono::Utc>) -> Option<f64> {
    let log = std::fs::read_to_string(data_dir.join("paydesk.log")).ok()?;
    let line = log
        .lines()
        .rev()
        .find(|l| l.contains("built-in sandbox listening"))?;
    let stamp = chrono::DateTime::parse_from_rfc3339(line.split_whitespace().next()?).ok()?;
    let ms = (stamp.with_timezone(&chrono::Utc) - started_wall).num_microseconds()? as f64 / 1000.0;
    (ms >= 0.0).then_some(ms)
}

struct Launch {
    /// From asking WebKitWebDriver for a session to the first order rows in the page.
    from_request_ms: f64,
    /// From the process's start to the first order rows (10 ms resolution).
    from_start_ms: f64,
    pss_mb: f64,
    /// The back end ready, ms after the process started (paydesk only).
    backend_ms: Option<f64>,
    page: Option<PageTimes>,
    processes: usize,
    /// PSS by process name (the app, its web process, its network process), MB.
    by_process: Vec<(String, f64)>,
}

/// Launches `binary`, waits for order rows and a search box in its page, measures, closes.
async fn launch(driver: &Driver, binary: &Path, args: &[String], url: Option<&str>) -> Launch {
    let ready_script = "return document.querySelectorAll('tr[data-order-no]').length > 0 \
                        && document.querySelector('input') !== null";
    let requested = Instant::now();
    let session = driver.session(binary, args).await;
    if let Some(url) = url {
        driver
            .call(
                reqwest::Method::POST,
                &format!("/session/{session}/url"),
                json!({ "url": url }),
            )
            .await;
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while driver.script(&session, ready_script).await != Value::Bool(true) {
        assert!(
            Instant::now() < deadline,
            "{} never showed its orders",
            binary.display()
        );
    }
    let from_request_ms = requested.elapsed().as_secs_f64() * 1000.0;
    let ready_uptime = uptime();
    let ready_wall = chrono::Utc::now();
    let times = driver.script(&session, PAGE_TIMES_SCRIPT).await;
    let all = processes();
    let name: String = binary
        .file_name()
        .unwrap()
        .to_string_lossy()
        .chars()
        .take(15)
        .collect();
    let app = *all
        .iter()
        .find(|(_, (ppid, n))| *ppid == driver.child.id() && *n == name)
        .map(|(pid, _)| pid)
        .expect("the launched process");
    let from_start_ms = started_at(app).map_or(f64::NAN, |s| (ready_uptime - s) * 1000.0);
    let started_wall = ready_wall - chrono::Duration::microseconds((from_start_ms * 1000.0) as i64);
    let data_dir = args
        .iter()
        .position(|a| a == "--data-dir")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from);
    let backend_ms = data_dir.and_then(|d| backend_ready_ms(&d, started_wall));
    let page = page_times(&times, started_wall);
    // Let it settle (the first reconciler pass, caches) before reading memory.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let all = processes();
    let tree = descendants(app, &all);
    let mut by_process: Vec<(String, f64)> = Vec::new();
    for pid in &tree {
        let name = all.get(pid).map_or("?".to_string(), |(_, n)| n.clone());
        let mb = pss_mb(*pid);
        match by_process.iter_mut().find(|(n, _)| *n == name) {
            Some((_, total)) => *total += mb,
            None => by_process.push((name, mb)),
        }
    }
    let pss: f64 = by_process.iter().map(|(_, mb)| mb).sum();
    driver
        .call(
            reqwest::Method::DELETE,
            &format!("/session/{session}"),
            Value::Null,
        )
        .await;
    let gone = Instant::now() + Duration::from_secs(15);
    while Path::new(&format!("/proc/{app}")).exists() && Instant::now() < gone {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if Path::new(&format!("/proc/{app}")).exists() {
        // A zombie until its parent reaps it, or still closing: stop it by its id.
        let _ = Command::new("kill").arg(app.to_string()).status();
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Launch {
        from_request_ms,
        from_start_ms,
        pss_mb: pss,
        backend_ms,
        page,
        processes: tree.len(),
        by_process,
    }
}

const BASELINE_PAGE: &str =
    "<!doctype html><html><head><meta charset=utf-8><title>orders</title></head>
<body><input type=search placeholder=Search><table><tbody>ROWS</tbody></table></body></html>";

pub fn run(work: &Path, config: &Config) -> GroupResult {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "start-up needs a display (scripts/bench.sh starts Xvfb)"
    );
    let dir = world::fresh_dir(&work.join("startup"));
    let rows: String = (0..30)
        .map(|i| {
            format!(
                "<tr data-order-no=\"PD{i}\"><td>PD{i}</td><td>12.34</td><td>succeeded</td></tr>"
            )
        })
        .collect();
    let page = dir.join("baseline.html");
    std::fs::write(&page, BASELINE_PAGE.replace("ROWS", &rows)).unwrap();
    let page_url = format!("file://{}", page.display());
    let empty = dir.join("empty");
    let big = dir.join("big");
    let browser = minibrowser();
    let runtime = crate::engine_runtime();
    // The empty store is the demo's, as on a first launch (the built-in sandbox runs); the big
    // one is live data, as a merchant's million attempts are: the window opens it by itself.
    let app_args = |d: &Path| {
        let mut args = vec!["--data-dir".to_string(), d.display().to_string()];
        if d == empty {
            args.push("--demo".to_string());
        }
        args
    };
    let big_db = big.join("paydesk.sqlite");
    let gateway = world::Gateway::start(1);
    set_up_live_data(&config.app, &big, &gateway);

    let result = runtime.block_on(async {
        let driver = Driver::start().await;
        let app_page_url = serve_built_page().await;
        let bare = ["--automation".to_string()];
        // The demo's first run: the sandbox profiles, their secrets in the keyring, its orders.
        launch(&driver, &config.app, &app_args(&empty), None).await;
        let started = Instant::now();
        world::bulk_fill(&big_db, &BulkShape::last_year(config.rows))
            .await
            .expect("bulk fill");
        let built_s = started.elapsed().as_secs_f64();
        // Warm: every file has been read once.
        launch(&driver, &browser, &bare, Some(&page_url)).await;
        launch(&driver, &browser, &bare, Some(&app_page_url)).await;
        launch(&driver, &config.app, &app_args(&big), None).await;

        let mut base = Vec::new();
        let mut page_alone = Vec::new();
        let mut small = Vec::new();
        let mut large = Vec::new();
        for _ in 0..config.launches {
            base.push(launch(&driver, &browser, &bare, Some(&page_url)).await);
            page_alone.push(launch(&driver, &browser, &bare, Some(&app_page_url)).await);
            small.push(launch(&driver, &config.app, &app_args(&empty), None).await);
            large.push(launch(&driver, &config.app, &app_args(&big), None).await);
        }
        (base, page_alone, small, large, built_s)
    });
    drop(runtime);
    let (base, page_alone, small, large, built_s) = result;
    let db_mb = std::fs::metadata(&big_db).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;

    let per = |launches: &[Launch], f: fn(&Launch) -> f64| -> Vec<f64> {
        launches.iter().map(f).collect()
    };
    let ratios = |a: &[Launch], b: &[Launch], f: fn(&Launch) -> f64| -> Spread {
        Spread::of(
            &a.iter()
                .zip(b)
                .map(|(x, y)| f(x) / f(y))
                .collect::<Vec<_>>(),
        )
    };
    let request = |l: &Launch| l.from_request_ms;
    let start = |l: &Launch| l.from_start_ms;
    let pss = |l: &Launch| l.pss_mb;
    let describe = |what: &str, launches: &[Launch]| {
        // Each process's median share, in the order the last launch listed them.
        let names: Vec<String> = launches
            .last()
            .map(|l| l.by_process.iter().map(|(n, _)| n.clone()).collect())
            .unwrap_or_default();
        let shares: Vec<String> = names
            .iter()
            .map(|name| {
                let mb: Vec<f64> = launches
                    .iter()
                    .map(|l| {
                        l.by_process
                            .iter()
                            .find(|(n, _)| n == name)
                            .map_or(0.0, |(_, mb)| *mb)
                    })
                    .collect();
                format!("{name} {:.0}", median(&mb))
            })
            .collect();
        let backend: Vec<f64> = launches.iter().filter_map(|l| l.backend_ms).collect();
        let page = |f: fn(&PageTimes) -> Option<f64>| -> Option<f64> {
            let v: Vec<f64> = launches
                .iter()
                .filter_map(|l| l.page.as_ref().and_then(f))
                .collect();
            (!v.is_empty()).then(|| median(&v))
        };
        let mut page_line = Vec::new();
        if let Some(ms) = page(|p| Some(p.navigation_ms)) {
            page_line.push(format!(
                "the page's navigation starts {} after launch",
                show_ms(ms)
            ));
        }
        if let Some(ms) = page(|p| p.script_ms) {
            page_line.push(format!("its script runs at {}", show_ms(ms)));
        }
        if let Some(ms) = page(|p| p.first_page_ms) {
            page_line.push(format!(
                "its first page of orders answered at {}",
                show_ms(ms)
            ));
        }
        if let Some(ms) = page(|p| p.rows_ms) {
            page_line.push(format!("its first rows are in the DOM at {}", show_ms(ms)));
        }
        if let Some(ms) = page(|p| Some(p.ready_ms)) {
            page_line.push(format!(
                "seen interactive at {} after navigation start",
                show_ms(ms)
            ));
        }
        format!(
            "{what}: {} from launch{} ({} from the WebDriver request; {}), PSS {:.0} MB in {} processes ({})",
            show_ms(median(&per(launches, start))),
            if backend.is_empty() {
                String::new()
            } else {
                format!(", the back end ready after {}", show_ms(median(&backend)))
            },
            show_ms(median(&per(launches, request))),
            page_line.join(", "),
            median(&per(launches, pss)),
            launches.iter().map(|l| l.processes).max().unwrap_or(0),
            shares.join(", ")
        )
    };
    let show_mb = |v: f64| format!("{v:.0} MB");
    let empty_line = describe("paydesk, the demo's empty store", &small);
    let big_line = describe(
        &format!(
            "paydesk, live data: {} attempts ({db_mb:.0} MB file)",
            thousands(config.rows)
        ),
        &large,
    );
    let base_line = describe("MiniBrowser opening a 30-row table page", &base);
    let page_line = describe(
        "MiniBrowser opening paydesk's built page over loopback HTTP, its back end the UI tests' in-page stand-in",
        &page_alone,
    );
    let small_start = median(&per(&small, start));
    let large_start = median(&per(&large, start));
    let startup_ratio = ratios(&small, &base, request);
    let big_ratio = ratios(&large, &small, start);
    let live_ratio = ratios(&large, &base, request);
    let page_ratio = ratios(&page_alone, &base, request);
    let behind_page_ratio = ratios(&small, &page_alone, request);
    let live_behind_page_ratio = ratios(&large, &page_alone, request);
    let memory_ratio = ratios(&small, &base, pss);
    let big_memory = ratios(&large, &small, pss);

    GroupResult {
        group: "startup".into(),
        setup: vec![
            format!("release `paydesk`, {} launches of each, interleaved", config.launches),
            format!(
                "the large store: live data (a SenseCore profile set up at the command line, pointing at the bench's sandbox, its secrets in the keyring) with {} orders with an attempt and three events each, added in {built_s:.0} s; the empty store: the demo on a first launch",
                thousands(config.rows)
            ),
            "Xvfb 1400×900, WebKitGTK 4.1 from Debian, gnome-keyring in a private D-Bus session; MiniBrowser's window is 1024×730 inside, paydesk's 1280×800; every program paints without GL compositing (WEBKIT_DISABLE_COMPOSITING_MODE=1, as paydesk sets it)".into(),
        ],
        method: vec![
            "Each program is launched by WebKitWebDriver (as tauri-driver launches paydesk in the e2e tests) and polled over WebDriver until its page has order rows (`tr[data-order-no]`) and a search box: interactive.".into(),
            "Launch time is counted from the process's start (/proc start time, 10 ms resolution); the ratio uses the time from the WebDriver request, which MiniBrowser's also includes (plus its page load).".into(),
            "Memory: the sum of `Pss` in /proc/PID/smaps_rollup over the launched process and all its descendants (web and network processes), one second after it became interactive.".into(),
        ],
        figures: vec![
            Figure {
                id: "startup.vs_minibrowser".into(),
                title: "Start-up, empty store ÷ MiniBrowser".into(),
                ratio: startup_ratio,
                better: Better::Lower,
                subject: empty_line.clone(),
                baseline: base_line.clone(),
                target: Some(Check::at_most("ratio", startup_ratio.median, 1.05, |v| {
                    format!("{v:.2}×")
                })),
                checks: vec![Check::at_most("launch to interactive", small_start, 600.0, show_ms)],
                rounds: config.launches,
                checked: true,
            },
            Figure {
                id: "startup.live_vs_minibrowser".into(),
                title: "Start-up, live data with a million attempts ÷ MiniBrowser".into(),
                ratio: live_ratio,
                better: Better::Lower,
                subject: big_line.clone(),
                baseline: base_line.clone(),
                target: Some(Check::at_most("ratio", live_ratio.median, 1.05, |v| {
                    format!("{v:.2}×")
                })),
                checks: vec![],
                rounds: config.launches,
                checked: true,
            },
            Figure {
                id: "startup.page_vs_minibrowser".into(),
                title: "Start-up of paydesk's page alone in MiniBrowser ÷ MiniBrowser".into(),
                ratio: page_ratio,
                better: Better::Lower,
                subject: page_line.clone(),
                baseline: base_line.clone(),
                target: None,
                checks: vec![],
                rounds: config.launches,
                checked: true,
            },
            Figure {
                id: "startup.vs_page_in_minibrowser".into(),
                title: "Start-up, empty store ÷ paydesk's page alone in MiniBrowser".into(),
                ratio: behind_page_ratio,
                better: Better::Lower,
                subject: empty_line.clone(),
                baseline: page_line.clone(),
                target: Some(Check::at_most("ratio", behind_page_ratio.median, 1.05, |v| {
                    format!("{v:.2}×")
                })),
                checks: vec![],
                rounds: config.launches,
                checked: true,
            },
            Figure {
                id: "startup.live_vs_page_in_minibrowser".into(),
                title: "Start-up, live data with a million attempts ÷ paydesk's page alone in MiniBrowser".into(),
                ratio: live_behind_page_ratio,
                better: Better::Lower,
                subject: big_line.clone(),
                baseline: page_line,
                target: Some(Check::at_most("ratio", live_behind_page_ratio.median, 1.05, |v| {
                    format!("{v:.2}×")
                })),
                checks: vec![],
                rounds: config.launches,
                checked: true,
            },
            Figure {
                id: "startup.large_vs_empty".into(),
                title: "Start-up, live data with a million attempts ÷ the demo's empty store".into(),
                ratio: big_ratio,
                better: Better::Lower,
                subject: big_line.clone(),
                baseline: empty_line.clone(),
                target: Some(Check::at_most("ratio", big_ratio.median, 1.1, |v| format!("{v:.2}×"))),
                checks: vec![Check::at_most("launch to interactive", large_start, 600.0, show_ms)],
                rounds: config.launches,
                checked: true,
            },
            Figure {
                id: "startup.memory_vs_minibrowser".into(),
                title: "Memory (PSS), empty store ÷ MiniBrowser".into(),
                ratio: memory_ratio,
                better: Better::Lower,
                subject: empty_line,
                baseline: base_line,
                target: None,
                checks: vec![Check::at_most("PSS", median(&per(&small, pss)), 300.0, show_mb)],
                rounds: config.launches,
                checked: true,
            },
            Figure {
                id: "startup.memory_large_vs_empty".into(),
                title: "Memory (PSS), live data with a million attempts ÷ the demo's empty store".into(),
                ratio: big_memory,
                better: Better::Lower,
                subject: big_line,
                baseline: describe("paydesk, the demo's empty store", &small),
                target: None,
                checks: vec![Check::at_most("PSS", median(&per(&large, pss)), 300.0, show_mb)],
                rounds: config.launches,
                checked: true,
            },
        ],
        load: (0.0, 0.0),
        seconds: 0.0,
    }
}
