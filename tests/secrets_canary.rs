//! The secrets canary: a unique random secret for every gateway's profile goes into the real OS
//! keyring; then payments, refusals, server faults, panics while secrets are loaded (with
//! backtraces), a killed payment and the reconciler run through the real binary. Afterwards no
//! secret may appear in any file of the data directory (the database, its WAL, backups,
//! `paydesk.log`), in any process's stdout or stderr (crash output included), or in the JSON
//! the window would be shown (`profile list`, `status`, `history`).
//!
//! The panics come from the test-only panic points of debug builds
//! (`paydesk_gateways::test_panic`, `PAYDESK_TEST_PANIC`), whose messages quote the request or
//! the secret in hand: the worst a careless `unwrap` could print.
//!
//! Runs inside the keyring session (scripts/in-keyring-session.sh): it needs the Secret Service.

mod common;

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::*;
use paydesk_sandbox::faults::FaultPlan;
use paydesk_sandbox::{Credentials, SandboxConfig};

/// Random lowercase hex: std's per-process random hash keys, so no extra crate is needed.
fn random_hex(len: usize) -> String {
    let mut out = String::new();
    while out.len() < len {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_usize(out.len());
        out.push_str(&format!("{:016x}", hasher.finish()));
    }
    out.truncate(len);
    out
}

/// A secret of the shape each gateway demands, unique to this run.
fn canary(gateway: &str, key: &str) -> String {
    match (gateway, key) {
        ("yian", "token") => random_hex(40),
        ("debit", "access_key") => random_hex(32),
        _ => format!("canary-{gateway}-{key}-{}", random_hex(24)),
    }
}

/// Every command's output, kept to be searched at the end.
#[derive(Default)]
struct Transcript {
    outputs: Vec<(String, Vec<u8>)>,
}

impl Transcript {
    fn keep(&mut self, label: &str, output: &Output) {
        let mut bytes = output.stdout.clone();
        bytes.extend_from_slice(&output.stderr);
        self.outputs.push((label.to_string(), bytes));
    }

    fn run(&mut self, data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
        self.run_env(data, args, stdin, &[])
    }

    /// Runs the binary with extra environment variables.
    fn run_env(
        &mut self,
        data: &Path,
        args: &[&str],
        stdin: Option<&str>,
        env: &[(&str, &str)],
    ) -> Output {
        let mut command = common::command(data);
        command
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        let output = child.wait_with_output().unwrap();
        let label = env
            .iter()
            .map(|(k, v)| format!("{k}={v} "))
            .chain(std::iter::once(args.join(" ")))
            .collect::<String>();
        self.keep(&label, &output);
        output
    }
}

/// The process panicked at `place` (a source file) and said so through paydesk's panic hook,
/// with a backtrace, and ended with `code`.
fn assert_panicked(output: &Output, place: &str, code: Option<i32>) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), code, "{stderr}");
    let report = stderr
        .lines()
        .find(|l| l.starts_with("paydesk: internal error (a bug)"))
        .unwrap_or_else(|| panic!("no panic report: {stderr}"));
    assert!(report.contains(place), "{report}");
    assert!(stderr.contains("stack backtrace:"), "{stderr}");
}

fn files_under(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, found);
        } else {
            found.push(path);
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn channel(gateway: &str) -> &'static str {
    match gateway {
        "yian" => "alipay",
        "debit" => "bank",
        _ => "balance",
    }
}

#[test]
fn no_secret_is_in_any_file_log_output_or_ipc_answer() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let defaults = SandboxConfig::default();
    // Good secrets the emulators accept, and wrong ones that they refuse: both are canaries.
    let mut good: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut wrong: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut config = SandboxConfig {
        gateways: BTreeMap::new(),
        fault_seed: 7,
    };
    for (gateway, credentials) in &defaults.gateways {
        let mut keys: Vec<&str> = credentials.secrets.keys().map(String::as_str).collect();
        if gateway == "top" {
            keys.push("session");
        }
        let secrets: BTreeMap<String, String> = keys
            .iter()
            .map(|k| (k.to_string(), canary(gateway, k)))
            .collect();
        wrong.insert(
            gateway.clone(),
            keys.iter()
                .map(|k| (k.to_string(), canary(gateway, k)))
                .collect(),
        );
        config.gateways.insert(
            gateway.clone(),
            Credentials {
                settings: credentials.settings.clone(),
                secrets: secrets.clone(),
            },
        );
        good.insert(gateway.clone(), secrets);
    }
    let sandbox = runtime
        .block_on(paydesk_sandbox::start("127.0.0.1:0", config.clone()))
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut transcript = Transcript::default();

    for (gateway, credentials) in &config.gateways {
        let base_url = sandbox.base_url(gateway);
        for (profile, secrets) in [
            (format!("good-{gateway}"), &good[gateway]),
            (format!("bad-{gateway}"), &wrong[gateway]),
        ] {
            let mut args = vec![
                "profile".to_string(),
                "add".into(),
                profile.clone(),
                "--gateway".into(),
                gateway.clone(),
                "--base-url".into(),
                base_url.clone(),
            ];
            for (k, v) in &credentials.settings {
                args.push("--set".into());
                args.push(format!("{k}={v}"));
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            ok(&transcript.run(data.path(), &args, None));
            for (key, value) in secrets {
                let set = transcript.run(
                    data.path(),
                    &["secret", "set", &profile, key],
                    Some(&format!("{value}\n")),
                );
                ok(&set);
            }
            for n in 0..3 {
                let order_no = format!("{profile}-{n}");
                let mut args: Vec<String> = [
                    "order",
                    "add",
                    "--profile",
                    &profile,
                    "--order-no",
                    &order_no,
                    "--amount",
                    "12.34",
                    "--currency",
                    currency(gateway),
                ]
                .iter()
                .map(|s| s.to_string())
                .collect();
                for attr in attributes(gateway, n + if profile.starts_with("bad") { 10 } else { 0 })
                {
                    args.push("--attr".into());
                    args.push(attr);
                }
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                ok(&transcript.run(data.path(), &args, None));
            }
        }
        // A payment that succeeds (or is pending), one the gateway refuses (wrong credentials),
        // and one that meets a server fault.
        let paid = transcript.run(
            data.path(),
            &[
                "pay",
                &format!("good-{gateway}-0"),
                "--channel",
                channel(gateway),
                "--json",
            ],
            None,
        );
        assert!(
            matches!(paid.status.code(), Some(0)),
            "{gateway}: {}",
            String::from_utf8_lossy(&paid.stderr)
        );
        let refused = transcript.run(
            data.path(),
            &[
                "pay",
                &format!("bad-{gateway}-0"),
                "--channel",
                channel(gateway),
                "--json",
            ],
            None,
        );
        assert_ne!(
            refused.status.code(),
            Some(0),
            "{gateway}: wrong secrets were accepted"
        );
        sandbox
            .faults
            .set_plan(
                gateway,
                FaultPlan {
                    server_error: 1.0,
                    ..FaultPlan::default()
                },
            )
            .unwrap();
        // Logged at the most verbose level: not even a trace line may carry a secret.
        let faulted = Command::new(BIN)
            .args([
                "pay",
                &format!("good-{gateway}-1"),
                "--channel",
                channel(gateway),
                "--json",
            ])
            .env("PAYDESK_DATA_DIR", data.path())
            .env("PAYDESK_LOG", "trace")
            .output()
            .unwrap();
        transcript.keep(&format!("pay good-{gateway}-1 (trace)"), &faulted);
        sandbox.faults.clear();
    }

    // Panics while secrets are loaded, each with RUST_BACKTRACE=1: reading a profile's secrets
    // from the keyring for a payment, storing one (`secret set`), and sending a signed request
    // (which kills the process: exit 101, Rust's code for a panic).
    let mut sent_panics = 0;
    for (gateway, secrets) in &good {
        let profile = format!("good-{gateway}");
        let order_no = format!("{profile}-2");
        let pay_args = ["pay", &order_no, "--channel", channel(gateway), "--json"];
        let in_keyring = transcript.run_env(
            data.path(),
            &pay_args,
            None,
            &[("PAYDESK_TEST_PANIC", "vault_get"), ("RUST_BACKTRACE", "1")],
        );
        // The keyring failing is paydesk's failure, not the caller's input: exit 1, as for
        // `secret set` below (one table from a failure's kind to an exit code).
        assert_panicked(&in_keyring, "vault.rs", Some(1));
        let (key, value) = secrets.iter().next().unwrap();
        let storing = transcript.run_env(
            data.path(),
            &["secret", "set", &profile, key],
            Some(&format!("{value}\n")),
            &[("PAYDESK_TEST_PANIC", "vault_set"), ("RUST_BACKTRACE", "1")],
        );
        assert_panicked(&storing, "vault.rs", Some(1));
        let sending = transcript.run_env(
            data.path(),
            &pay_args,
            None,
            &[("PAYDESK_TEST_PANIC", "send"), ("RUST_BACKTRACE", "1")],
        );
        assert_panicked(&sending, "transport.rs", Some(101));
        sent_panics += 1;
    }
    assert_eq!(sent_panics, good.len());

    // A crash: the pay process is killed (SIGKILL) while the gateway holds its request.
    ok(&transcript.run(
        data.path(),
        &[
            "order",
            "add",
            "--profile",
            "good-sensecore",
            "--order-no",
            "crash-1",
            "--amount",
            "1.00",
            "--attr",
            "resource_pack_id=rp-1",
        ],
        None,
    ));
    sandbox
        .faults
        .set_plan(
            "sensecore",
            FaultPlan {
                timeout: 1.0,
                hold_ms: Some(60_000),
                ..FaultPlan::default()
            },
        )
        .unwrap();
    let mut child = Command::new(BIN)
        .args(["pay", "crash-1", "--channel", "balance", "--json"])
        .env("PAYDESK_DATA_DIR", data.path())
        .env("PAYDESK_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let before = sandbox
        .faults
        .requests()
        .get("sensecore")
        .copied()
        .unwrap_or(0);
    for _ in 0..200 {
        if sandbox
            .faults
            .requests()
            .get("sensecore")
            .copied()
            .unwrap_or(0)
            > before
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    child.kill().unwrap();
    let killed = child.wait_with_output().unwrap();
    assert!(killed.status.code().is_none(), "killed by a signal");
    transcript.keep("pay crash-1 (killed)", &killed);
    sandbox.faults.clear();
    transcript.run(data.path(), &["reconcile", "--json"], None);

    // What the window's IPC and the command line's JSON show.
    for args in [
        &["profile", "list", "--json"][..],
        &["history", "--json"],
        &["status", "good-sensecore-0", "--json"],
        &["status", "bad-top-0", "--json"],
        &["status", "good-debit-1", "--json"],
        &["status", "crash-1", "--json"],
    ] {
        transcript.run(data.path(), args, None);
    }
    drop(sandbox);

    let mut files = Vec::new();
    files_under(data.path(), &mut files);
    assert!(
        files.iter().any(|f| f.ends_with("paydesk.log")),
        "{files:?}"
    );
    assert!(
        files.iter().any(|f| f.ends_with("paydesk.sqlite")),
        "{files:?}"
    );
    let mut hits = Vec::new();
    for secrets in good.values().chain(wrong.values()) {
        for secret in secrets.values() {
            for file in &files {
                if contains(&std::fs::read(file).unwrap(), secret) {
                    hits.push(format!("{} holds {secret}", file.display()));
                }
            }
            for (label, output) in &transcript.outputs {
                if contains(output, secret) {
                    hits.push(format!("output of `{label}` holds {secret}"));
                }
            }
        }
    }
    assert!(hits.is_empty(), "{hits:#?}");
    // The searches looked at real material: payments were recorded and logged.
    let history = &transcript
        .outputs
        .iter()
        .find(|(label, _)| label == "history --json")
        .unwrap()
        .1;
    assert!(contains(history, "succeeded") || contains(history, "pending"));
    let log = std::fs::read_to_string(data.path().join("paydesk.log")).unwrap();
    assert!(log.lines().count() > 10, "{log}");
    assert_eq!(
        log.matches("ERROR paydesk::panic: paydesk: internal error")
            .count(),
        3 * good.len(),
        "every panic is in the log"
    );
}
