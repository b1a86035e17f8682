//! What the whole-system tests share: the real `paydesk` binary and `paydesk sandbox` in
//! another process.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

/// How long the binary under test waits for a gateway: short, so that lost answers settle in
/// seconds (a lost answer is only ruled "not charged" after twice this).
pub const GATEWAY_TIMEOUT_MS: &str = "1500";

/// The `paydesk` binary with the test environment (data dir, gateway timeout). The data
/// directory is made private first, as a careful user's is: a temporary directory is 0755
/// under the usual umask, and paydesk warns on stderr about a directory it did not create that
/// other users can read (`tests/private_files.rs` shows that warning).
pub fn command(data: &Path) -> Command {
    #[cfg(unix)]
    if data.is_dir() {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(data, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let mut command = Command::new(BIN);
    command
        .env("PAYDESK_DATA_DIR", data)
        .env("PAYDESK_GATEWAY_TIMEOUT_MS", GATEWAY_TIMEOUT_MS);
    command
}

pub const BIN: &str = env!("CARGO_BIN_EXE_paydesk");

pub struct Sandbox {
    pub child: Child,
    pub listings: Vec<Value>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_sandbox() -> Sandbox {
    start_sandbox_with(&[])
}

/// Starts `paydesk sandbox` with extra flags (e.g. `--fault`).
pub fn start_sandbox_with(flags: &[&str]) -> Sandbox {
    let mut child = Command::new(BIN)
        .args(["sandbox", "--listen", "127.0.0.1:0"])
        .args(flags)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("paydesk sandbox starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let listings: Vec<Value> = (0..5)
        .map(|_| serde_json::from_str(&lines.next().expect("a listing line").unwrap()).unwrap())
        .collect();
    Sandbox { child, listings }
}

pub fn paydesk(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    run(command(data), args, stdin)
}

/// Runs `command` (made by [`command`]) with `args`, `stdin` written to it, to its end.
pub fn run(mut command: Command, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

pub fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}: {}{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Order attributes a gateway needs, as KEY=VALUE. Partner pays a gift pack per user: each
/// order gets its own pack (`n`).
pub fn attributes(gateway: &str, n: usize) -> Vec<String> {
    match gateway {
        "partner" => vec![
            "user_id=41840909af844632885424fbc20cae79".into(),
            format!("gift_pos_id=gift-pack-{n}"),
            "address_id=1".into(),
        ],
        "sensecore" => vec!["resource_pack_id=rp-cli".into()],
        _ => vec![],
    }
}

/// A ¥3.00 order on the partner profile "pt", with the attributes partner requires.
pub fn add_partner_order(data: &Path, order_no: &str, n: usize) {
    let mut args = vec![
        "order",
        "add",
        "--profile",
        "pt",
        "--order-no",
        order_no,
        "--amount",
        "3.00",
    ];
    let attrs = attributes("partner", n);
    for a in &attrs {
        args.extend(["--attr", a.as_str()]);
    }
    ok(&paydesk(data, &args, None));
}

/// Sets up a profile for `gateway` from the sandbox's own listing, secrets through stdin.
pub fn add_profile(
    data: &Path,
    listing: &Value,
    name: &str,
    secret_override: Option<&str>,
) -> Vec<String> {
    let gateway = listing["gateway"].as_str().unwrap();
    let mut args = vec![
        "profile".to_string(),
        "add".into(),
        name.into(),
        "--gateway".into(),
        gateway.into(),
        "--base-url".into(),
        listing["base_url"].as_str().unwrap().into(),
    ];
    for (k, v) in listing["settings"].as_object().unwrap() {
        args.push("--set".into());
        args.push(format!("{k}={}", v.as_str().unwrap()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert!(
        ok(&paydesk(data, &args, None)).contains("SANDBOX"),
        "a sandbox profile is labelled"
    );
    for (key, value) in listing["secrets"].as_object().unwrap() {
        let value = secret_override.unwrap_or(value.as_str().unwrap());
        ok(&paydesk(
            data,
            &["secret", "set", name, key],
            Some(&format!("{value}\n")),
        ));
    }
    let profiles: Value =
        serde_json::from_str(&ok(&paydesk(data, &["profile", "list", "--json"], None))).unwrap();
    let profile = profiles
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap()
        .clone();
    assert_eq!(profile["is_sandbox"], true);
    assert!(!profile
        .to_string()
        .contains(listing["secrets"].to_string().trim_matches(['{', '}'])));
    profile["capabilities"]["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

impl Sandbox {
    pub fn listing(&self, gateway: &str) -> &Value {
        self.listings
            .iter()
            .find(|l| l["gateway"] == gateway)
            .unwrap()
    }

    pub fn root(&self) -> String {
        let base = self.listings[0]["base_url"].as_str().unwrap();
        base.rsplit_once('/').unwrap().0.to_string()
    }

    /// `GET {root}/_sandbox/{what}` as JSON (ledger, requests).
    pub fn admin(&self, what: &str) -> Value {
        let url = format!("{}/_sandbox/{what}", self.root());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let response = reqwest::get(&url)
                .await
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            response
                .json::<Value>()
                .await
                .unwrap_or_else(|e| panic!("{url}: {e}"))
        })
    }
}

/// The currency a gateway's sandbox charges in (BharatPay pays out rupees).
pub fn currency(gateway: &str) -> &'static str {
    if gateway == "debit" {
        "INR"
    } else {
        "CNY"
    }
}

/// A fresh database on the test server and its URL (without the password), or None where the
/// test command gave no server.
pub fn shared_database() -> Option<String> {
    if std::env::var_os("PAYDESK_TEST_POSTGRES").is_none() {
        eprintln!("skipped: no PostgreSQL given (PAYDESK_TEST_POSTGRES=1 inside pg_virtualenv)");
        return None;
    }
    static DATABASES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = DATABASES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("cli_{}_{n}", std::process::id());
    let created = Command::new("psql")
        .args(["-qc", &format!("CREATE DATABASE {name}")])
        .status()
        .unwrap();
    assert!(created.success());
    let var = |k: &str| std::env::var(k).unwrap();
    Some(format!(
        "postgres://{}@{}:{}/{name}",
        var("PGUSER"),
        var("PGHOST"),
        var("PGPORT")
    ))
}

/// `paydesk ARGS` at the desk `desk` (its operator `DESK-operator`) in `data`.
pub fn at_desk(data: &Path, desk: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = command(data);
    command
        .env("PAYDESK_DESK", desk)
        .env("PAYDESK_OPERATOR", format!("{desk}-operator"));
    run(command, args, stdin)
}

/// `pg_ctlcluster VERSION NAME ACTION` (stop, start, restart) for the cluster the test command
/// started, the one on `PGPORT`. Only a test binary of its own may do this: the tests of one
/// binary run together.
pub fn pg_cluster(action: &str) {
    let port = std::env::var("PGPORT").unwrap();
    let listed = Command::new("pg_lsclusters")
        .arg("--no-header")
        .output()
        .unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    let (version, name) = listed
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .find(|fields| fields.get(2) == Some(&port.as_str()))
        .map(|fields| (fields[0].to_string(), fields[1].to_string()))
        .expect("the test server's cluster");
    let done = Command::new("pg_ctlcluster")
        .args([&version, &name, action])
        .status()
        .unwrap();
    assert!(done.success(), "pg_ctlcluster {action}");
}

impl Sandbox {
    /// How many pay requests for `order_no` reached the emulators.
    pub fn pay_requests(&self, order_no: &str) -> u64 {
        self.admin("requests")
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| {
                k.starts_with("POST ") && k.ends_with(&format!("/v1/orders/{order_no}:pay"))
            })
            .map(|(_, v)| v.as_u64().unwrap())
            .sum()
    }

    /// Takes every injected fault off `gateway`: the storm passes.
    pub fn clear_faults(&self, gateway: &str) {
        let url = format!("{}/_sandbox/faults/{gateway}", self.root());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let response = reqwest::Client::new()
                .delete(&url)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(
                response.status().is_success(),
                "{url}: {}",
                response.status()
            );
        });
    }
}
