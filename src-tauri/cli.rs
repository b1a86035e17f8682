//! The command line: the same binary as the window. Subcommands parse, delegate to the core
//! and print. Exit codes: 0 succeeded or pending, 1 failed (the gateway said no), 2 bad input
//! or refused (nothing sent), 3 unknown or needs review.

use std::collections::BTreeMap;
use std::io::Read;
use std::process::ExitCode;

use paydesk_core::app::audit;
use paydesk_core::app::desk::DeskNames;
use paydesk_core::app::error::Problem;
use paydesk_core::app::lookups::{self, HistoryInput};
use paydesk_core::app::orders;
use paydesk_core::app::payments::{self, PayInput};
use paydesk_core::app::profiles::{self, ProfileInput};
use paydesk_core::app::{merchant, secrets, shared_store, status, AppError, ErrorKind};
use paydesk_core::data_set::DataSet;
use paydesk_core::gateways::transport::Transport;
use paydesk_core::import::ImportFormat;
use paydesk_core::report::PaymentReport;
use paydesk_sandbox::faults::{parse_fault_flag, FaultPlan};
use paydesk_sandbox::SandboxConfig;
use secrecy::SecretString;

use tracing::Instrument;

use crate::runtime;

/// `println!` for text a person reads in a terminal: what it quotes (a gateway's words, a row
/// another program wrote) may hold control characters, so every one but tab and newline, and
/// every bidirectional override, is shown escaped instead of acted on. JSON is printed as is.
macro_rules! say {
    ($($arg:tt)*) => {
        println!("{}", $crate::cli::terminal_safe(&format!($($arg)*)))
    };
}

/// [`say!`] without the newline.
macro_rules! say_part {
    ($($arg:tt)*) => {
        print!("{}", $crate::cli::terminal_safe(&format!($($arg)*)))
    };
}

/// `text` with its control characters (but tab and newline) and bidirectional overrides
/// escaped (`\u{1b}`), so a terminal shows them rather than obeys them.
pub(crate) fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let acted_on = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(acted_on) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if acted_on(c) {
            shown.extend(c.escape_unicode());
        } else {
            shown.push(c);
        }
    }
    std::borrow::Cow::Owned(shown)
}

mod args;
mod order_commands;
mod paper_commands;
mod print;
mod shift_commands;

use print::{exit_code, print_report, print_status, sandbox_badge};

pub use args::{
    Args, Command, DayCommand, MerchantCommand, OrderCommand, ProfileCommand, ReportOutput,
    SecretCommand, ShiftCommand, StoreCommand,
};

/// A failure with its exit code and one clear line for stderr.
struct Failure {
    code: u8,
    message: String,
}

fn bad_input(message: impl Into<String>) -> Failure {
    Failure {
        code: 2,
        message: message.into(),
    }
}

/// The command line's one table from a failure to its exit code: 2 when nothing was done
/// because of what was asked (bad input, a rule, a conflict), 1 when paydesk could not do it
/// (the keyring, the database), 3 when a payment left and its fate is not yet known.
fn exit_code_of(e: &AppError) -> u8 {
    if let Problem::SentNotRecorded { .. } = e.problem {
        return 3;
    }
    match e.kind() {
        ErrorKind::Refused
        | ErrorKind::NotFound
        | ErrorKind::InProgress
        | ErrorKind::AlreadyPaid
        | ErrorKind::Duplicate => 2,
        ErrorKind::Keyring | ErrorKind::Unavailable | ErrorKind::Internal => 1,
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        Failure {
            code: exit_code_of(&e),
            message: e.message,
        }
    }
}

impl Failure {
    /// A refusal about a file names the file.
    fn about(mut self, file: &std::path::Path) -> Self {
        if self.code == 2 {
            self.message = format!("{}: {}", file.display(), self.message);
        }
        self
    }
}

fn key_values(pairs: &[String], what: &str) -> Result<BTreeMap<String, String>, Failure> {
    let mut map = BTreeMap::new();
    for pair in pairs {
        let (k, v) = pair
            .split_once('=')
            .filter(|(k, _)| !k.trim().is_empty())
            .ok_or_else(|| bad_input(format!("{what} {pair:?} must look like KEY=VALUE")))?;
        if map.insert(k.trim().to_string(), v.to_string()).is_some() {
            return Err(bad_input(format!("{what} {k:?} is given twice")));
        }
    }
    Ok(map)
}

pub fn run(launch: runtime::Launch, command: Command) -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let outcome = runtime.block_on(async move {
        if let Command::Sandbox {
            listen,
            faults,
            seed,
        } = command
        {
            return serve_sandbox(&listen, &faults, seed).await;
        }
        check_argument_lengths()?;
        let dir = runtime::data_dir(launch.data_dir)?;
        runtime::init_logging(&dir);
        let span = tracing::info_span!("subcommand", name = command.name());
        // Scripts work on the live data unless they ask for the demo.
        let set = if launch.demo {
            DataSet::Demo
        } else {
            DataSet::Live
        };
        execute(&dir, set, launch.names, command)
            .instrument(span)
            .await
    });
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!(
                "paydesk: {}",
                terminal_safe(&failure.message.replace('\n', " "))
            );
            ExitCode::from(failure.code)
        }
    }
}

async fn serve_sandbox(listen: &str, fault_flags: &[String], seed: u64) -> Result<u8, Failure> {
    let mut plans = std::collections::BTreeMap::<String, FaultPlan>::new();
    for flag in fault_flags {
        let (gateways, kind, value) =
            parse_fault_flag(flag).map_err(|e| bad_input(e.to_string()))?;
        for gateway in gateways {
            plans
                .entry(gateway)
                .or_default()
                .set(&kind, &value)
                .map_err(|e| bad_input(e.to_string()))?;
        }
    }
    let config = SandboxConfig {
        fault_seed: seed,
        ..SandboxConfig::default()
    };
    let sandbox = paydesk_sandbox::start(listen, config)
        .await
        .map_err(|e| bad_input(e.to_string()))?;
    for (gateway, plan) in plans {
        sandbox
            .faults
            .set_plan(&gateway, plan)
            .map_err(|e| bad_input(e.to_string()))?;
    }
    for listing in sandbox.listings() {
        println!("{}", serde_json::to_string(&listing).expect("serializable"));
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    shutdown_signal().await;
    drop(sandbox);
    Ok(0)
}

async fn store_command(
    dir: &std::path::Path,
    set: DataSet,
    names: DeskNames,
    command: StoreCommand,
) -> Result<u8, Failure> {
    let (local, vault) = runtime::open_local(dir, set, names).await?;
    match command {
        StoreCommand::Connect { url } => {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .map_err(|e| bad_input(format!("could not read the password from stdin: {e}")))?;
            let password = password.trim_end_matches(['\n', '\r']);
            let password = (!password.is_empty()).then(|| SecretString::from(password.to_string()));
            let shared_store::Connected { status, moved_in } =
                shared_store::connect(&local, &vault, &url, password).await?;
            let m = &moved_in;
            if m.profiles + m.orders + m.attempts + m.already_there > 0 {
                say!(
                    "moved in from this desk's file: {} profiles, {} orders, {} attempts ({} events, {} review decisions); {} were there already",
                    m.profiles, m.orders, m.attempts, m.events, m.reviews, m.already_there
                );
            }
            say!(
                "this desk ({} · {}) keeps its history at {} from now on{}",
                status.desk,
                status.operator,
                url,
                if status.read_only { " (read only)" } else { "" }
            );
            Ok(0)
        }
        StoreCommand::Status { json } => {
            let status = shared_store::status(&local, &vault).await?;
            if json {
                println!("{}", serde_json::to_string(&status).expect("serializable"));
            } else {
                let place = status.url.as_deref().unwrap_or("this desk's own file");
                let reach = match (status.reachable, &status.why_unreachable) {
                    (true, _) => "reachable".to_string(),
                    (false, None) => "NOT reachable".to_string(),
                    (false, Some(why)) => format!("NOT usable: {why}"),
                };
                let access = if status.read_only { ", read only" } else { "" };
                say!(
                    "{} · {}: history in {place} ({}, {reach}{access})",
                    status.desk,
                    status.operator,
                    status.kind
                );
            }
            Ok(0)
        }
        StoreCommand::Disconnect => {
            if shared_store::disconnect(&local, &vault).await? {
                say!("this desk keeps its history in its own file again");
            } else {
                say!("this desk already keeps its history in its own file");
            }
            Ok(0)
        }
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

async fn execute(
    dir: &std::path::Path,
    set: DataSet,
    names: DeskNames,
    command: Command,
) -> Result<u8, Failure> {
    if let Command::Store(command) = command {
        // On the desk's own file: the shared store may be out of reach.
        return store_command(dir, set, names, command).await;
    }
    let engine = runtime::open(dir, set, names).await?;
    let store = engine.store();
    match command {
        Command::Sandbox { .. } | Command::Store(_) => {
            unreachable!("handled before opening the store")
        }
        Command::Profile(ProfileCommand::Add {
            name,
            gateway,
            base_url,
            settings,
        }) => {
            let input = ProfileInput {
                name,
                gateway,
                base_url,
                settings: key_values(&settings, "setting")?,
            };
            let profile = profiles::add_profile(store, &Transport::default(), input).await?;
            let badge = if profile.is_sandbox { " (SANDBOX)" } else { "" };
            say!("profile {} added{badge}", profile.name);
            Ok(0)
        }
        Command::Profile(ProfileCommand::List { json }) => {
            let profiles = profiles::list(store).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string(&profiles).expect("serializable")
                );
            } else {
                for p in profiles {
                    let badge = sandbox_badge(p.is_sandbox);
                    say!("{}\t{}\t{}{}", p.name, p.gateway, p.base_url, badge);
                }
            }
            Ok(0)
        }
        Command::Secret(SecretCommand::Set { profile, key }) => {
            let profile = profiles::get(store, &profile).await?;
            let mut value = String::new();
            std::io::stdin()
                .read_to_string(&mut value)
                .map_err(|e| bad_input(format!("could not read the secret from stdin: {e}")))?;
            let value = value.trim_end_matches(['\n', '\r']).to_string();
            if value.is_empty() {
                return Err(bad_input("the secret read from stdin is empty"));
            }
            secrets::set(&engine, &profile.name, &key, SecretString::from(value)).await?;
            say!(
                "secret {key} of profile {} stored in the OS keyring",
                profile.name
            );
            Ok(0)
        }
        Command::Order(command) => order_commands::run(store, command).await,
        Command::Shift(command) => shift_commands::run(store, command).await,
        Command::Day(command) => paper_commands::day(store, command).await,
        Command::Merchant(command) => paper_commands::merchant(store, command).await,
        Command::Receipt {
            order_no,
            pdf,
            lang,
        } => paper_commands::receipt(store, &order_no, &pdf, lang.as_deref()).await,
        Command::Pay {
            order_no,
            channel,
            vouchers,
            coupon,
            credit_amount,
            subscription_refunds,
            expect_amount,
            json,
        } => {
            let input = PayInput {
                order_no,
                channel,
                vouchers: key_values(&vouchers, "voucher")?.into_iter().collect(),
                coupon,
                credit_amount,
                subscription_refunds: key_values(&subscription_refunds, "subscription refund")?
                    .into_iter()
                    .collect(),
                revision: None,
                expected_amount: expect_amount,
            };
            let report = payments::pay(&engine, input).await?;
            print_report(&report, json);
            Ok(exit_code(report.state))
        }
        Command::Status {
            order_no,
            refresh,
            json,
            show_personal_data,
        } => {
            let detail = if refresh {
                payments::refresh(&engine, &order_no).await?
            } else {
                lookups::order_detail(store, &order_no).await?
            };
            let detail = if show_personal_data {
                audit::order_detail_shown(store, &order_no).await?
            } else {
                detail
            };
            // Read for the text alone: `--json` gives times as unix ms, and a refresh already
            // recorded must not end in an error over how to print it.
            let zone = if json {
                paydesk_core::merchant::Zone::System
            } else {
                merchant::zone(store)
                    .await
                    .unwrap_or(paydesk_core::merchant::Zone::System)
            };
            print_status(&detail, json, store, &zone);
            Ok(detail
                .attempts
                .last()
                .map_or(0, |a| exit_code(a.attempt.state)))
        }
        Command::Lookup {
            text,
            amount,
            since,
            until,
            json,
        } => {
            let hits = match (text, amount) {
                (_, Some(amount)) => {
                    let since = match since {
                        Some(d) => Some(merchant::moment(store, &d, false).await?),
                        None => None,
                    };
                    let until = match until {
                        Some(d) => Some(merchant::moment(store, &d, true).await?),
                        None => None,
                    };
                    lookups::lookup_amount(store, &amount, since, until).await?
                }
                (text, None) => lookups::lookup(store, text.as_deref().unwrap_or_default()).await?,
            };
            order_commands::print_hits(&hits, json);
            Ok(0)
        }
        Command::Audit { since, json } => {
            let since_ms = match since {
                Some(d) => Some(merchant::moment(store, &d, false).await?),
                None => None,
            };
            let query = paydesk_core::audit::AuditQuery {
                since_ms,
                ..Default::default()
            };
            let entries = audit::trail(store, &query).await?;
            order_commands::print_audit(&entries, json);
            Ok(0)
        }
        Command::Check => {
            status::full_check(store).await?;
            say!("{}: every page reads back intact", store.path().display());
            Ok(0)
        }
        Command::Callbacks => {
            let listeners = runtime::serve_callbacks(engine.clone()).await?.listeners;
            if listeners.is_empty() {
                return Err(bad_input("no profile has a loopback callback_url setting"));
            }
            for l in &listeners {
                println!(
                    "{}",
                    serde_json::json!({"profile": l.profile, "url": l.url})
                );
            }
            use std::io::Write;
            let _ = std::io::stdout().flush();
            shutdown_signal().await;
            Ok(0)
        }
        Command::Import {
            file,
            format,
            profile,
            json,
        } => {
            let format = match format.as_deref() {
                Some(name) => orders::import_format(name)?,
                None => ImportFormat::from_path(&file).ok_or_else(|| {
                    bad_input(format!(
                        "{}: say --format csv or --format json",
                        file.display()
                    ))
                })?,
            };
            let reader = std::fs::File::open(&file)
                .map_err(|e| bad_input(format!("{}: {e}", file.display())))?;
            let source = file.display().to_string();
            let report = orders::import(store, &source, reader, format, profile.as_deref(), |p| {
                eprintln!(
                    "paydesk: import: {} rows read, {} imported, {} rejected",
                    p.rows_read, p.imported, p.rejected
                );
            })
            .await
            .map_err(|e| Failure::from(e).about(&file))?;
            if json {
                println!("{}", serde_json::to_string(&report).expect("serializable"));
            } else {
                for r in &report.rejected {
                    say!(
                        "line {}{}: {}",
                        r.line,
                        r.order_no
                            .as_deref()
                            .map(|n| format!(" ({n})"))
                            .unwrap_or_default(),
                        r.reason
                    );
                }
                say!(
                    "{} of {} rows imported, {} rejected",
                    report.imported,
                    report.rows,
                    report.rejected.len()
                );
            }
            Ok(if report.rejected.is_empty() { 0 } else { 2 })
        }
        Command::Resolve {
            attempt_id,
            decision,
            note,
            code_unusable,
        } => {
            let detail =
                payments::resolve_review(&engine, attempt_id, &decision, &note, code_unusable)
                    .await?;
            if let Some(a) = detail.attempts.iter().find(|a| a.attempt.id == attempt_id) {
                print_report(&PaymentReport::new(&detail.order, &a.attempt), false);
            }
            Ok(0)
        }
        Command::Reconcile { json } => {
            let reports = payments::reconcile(&engine).await?;
            if json {
                println!("{}", serde_json::to_string(&reports).expect("serializable"));
            } else {
                for r in &reports {
                    print_report(r, false);
                }
                say!("{} payment(s) settled", reports.len());
            }
            Ok(0)
        }
        Command::History {
            state,
            channel,
            profile,
            since,
            json,
            csv,
        } => {
            let input = HistoryInput {
                state,
                channel,
                profile,
                since,
            };
            let rows = lookups::history(store, input).await?;
            if json {
                println!("{}", serde_json::to_string(&rows).expect("serializable"));
            } else if csv {
                let mut writer = csv::Writer::from_writer(std::io::stdout());
                for row in &rows {
                    writer.serialize(row).map_err(|e| Failure {
                        code: 1,
                        message: e.to_string(),
                    })?;
                }
                writer.flush().map_err(|e| Failure {
                    code: 1,
                    message: e.to_string(),
                })?;
            } else {
                for r in &rows {
                    say!(
                        "{}\t{}\t{} {}\t{}\t{}\t{}{}",
                        r.attempt_id,
                        r.order_no,
                        r.currency,
                        r.amount,
                        r.channel,
                        r.state,
                        r.profile,
                        sandbox_badge(r.sandbox)
                    );
                }
            }
            Ok(0)
        }
    }
}

/// No value paydesk takes comes near this; refusing longer arguments up front keeps every
/// error message, which quotes what it refuses, to one readable line.
const MAX_ARGUMENT_CHARS: usize = 4096;

fn check_argument_lengths() -> Result<(), Failure> {
    for (n, arg) in std::env::args_os().enumerate().skip(1) {
        let chars = arg.to_string_lossy().chars().count();
        if chars > MAX_ARGUMENT_CHARS {
            return Err(bad_input(format!(
                "argument {n} is {chars} characters long; none may be longer than {MAX_ARGUMENT_CHARS}"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod terminal_tests {
    #[test]
    fn control_characters_and_bidi_overrides_are_shown_not_obeyed() {
        for (text, shown) in [
            (
                "plain 中文\tcolumn\nnext line",
                "plain 中文\tcolumn\nnext line",
            ),
            ("\u{1b}[2J cleared", "\\u{1b}[2J cleared"),
            ("\u{9b}31m red", "\\u{9b}31m red"),
            ("paid\u{202e}diap", "paid\\u{202e}diap"),
            ("bell\u{7}\r", "bell\\u{7}\\u{d}"),
        ] {
            assert_eq!(super::terminal_safe(text), shown, "{text:?}");
        }
    }
}

#[cfg(test)]
mod exit_code_tests {
    use paydesk_core::app::error::Problem;
    use paydesk_core::app::AppError;

    #[test]
    fn a_payment_sent_but_not_recorded_exits_as_unknown_never_as_nothing_sent() {
        let sent = AppError::new(
            Problem::SentNotRecorded {
                attempt_id: 7,
                reason: "the shared store is out of reach".into(),
                because: paydesk_core::engine::NotRecordedBecause::SharedStoreOffline,
            },
            "sent",
        );
        assert_eq!(super::exit_code_of(&sent), 3);
        let busy = AppError::new(Problem::StoreBusy, "busy");
        assert_eq!(super::exit_code_of(&busy), 1);
        let refused = AppError::new(Problem::ReadOnly, "read only");
        assert_eq!(super::exit_code_of(&refused), 2);
    }
}
