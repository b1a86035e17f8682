//! The command line: the same binary as the window. Subcommands parse, delegate to the core
//! and print. Exit codes: 0 succeeded or pending, 1 failed (the gateway said no), 2 bad input
//! or refused (nothing sent), 3 unknown or needs review.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use paydesk_core::domain::AttemptState;
use paydesk_core::engine::{PayCommand, PayError};
use paydesk_core::gateways::GATEWAYS;
use paydesk_core::report::{PaymentReport, ProfileView};
use paydesk_core::store::{NewOrder, NewProfile, StoreError};
use paydesk_core::{Channel, Currency, Money};
use paydesk_sandbox::SandboxConfig;
use secrecy::SecretString;

use crate::runtime;

#[derive(Parser, Debug)]
#[command(
    name = "paydesk",
    version,
    about = "Desktop merchant payment console. With no subcommand, opens the window."
)]
pub struct Args {
    /// Use this data directory instead of the platform's (also: PAYDESK_DATA_DIR).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the gateway emulators and print one JSON line per gateway.
    Sandbox {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
    },
    /// Gateway profiles.
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Secrets, kept in the OS keyring.
    #[command(subcommand)]
    Secret(SecretCommand),
    /// Orders.
    #[command(subcommand)]
    Order(OrderCommand),
    /// Pay an order.
    Pay {
        order_no: String,
        #[arg(long)]
        channel: Option<String>,
        /// A voucher deduction, ID=AMOUNT (repeatable).
        #[arg(long = "voucher", value_name = "ID=AMOUNT")]
        vouchers: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show an order's payment state.
    Status {
        order_no: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProfileCommand {
    Add {
        name: String,
        #[arg(long)]
        gateway: String,
        #[arg(long = "base-url")]
        base_url: String,
        /// A setting, KEY=VALUE (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        settings: Vec<String>,
    },
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum SecretCommand {
    /// Store a secret read from standard input into the OS keyring.
    Set { profile: String, key: String },
}

#[derive(Subcommand, Debug)]
pub enum OrderCommand {
    Add {
        #[arg(long)]
        profile: String,
        #[arg(long = "order-no")]
        order_no: String,
        #[arg(long)]
        amount: String,
        #[arg(long, default_value = "CNY")]
        currency: String,
        #[arg(long, default_value = "")]
        subject: String,
        /// An order attribute, KEY=VALUE (repeatable).
        #[arg(long = "attr", value_name = "KEY=VALUE")]
        attributes: Vec<String>,
    },
}

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

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        let code = match e {
            StoreError::NoSuchOrder(_)
            | StoreError::NoSuchProfile(_)
            | StoreError::DuplicateOrder(_)
            | StoreError::DuplicateProfile(_)
            | StoreError::AttemptInProgress(_)
            | StoreError::AlreadyPaid(_) => 2,
            _ => 1,
        };
        Failure {
            code,
            message: e.to_string(),
        }
    }
}

impl From<PayError> for Failure {
    fn from(e: PayError) -> Self {
        match e {
            PayError::Store(s) => s.into(),
            other => bad_input(other.to_string()),
        }
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

pub fn run(data_dir: Option<PathBuf>, command: Command) -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let outcome = runtime.block_on(async move {
        if let Command::Sandbox { listen } = command {
            return serve_sandbox(&listen).await;
        }
        let dir = runtime::data_dir(data_dir).map_err(bad_input)?;
        runtime::init_logging(&dir);
        execute(&dir, command).await
    });
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("paydesk: {}", failure.message.replace('\n', " "));
            ExitCode::from(failure.code)
        }
    }
}

async fn serve_sandbox(listen: &str) -> Result<u8, Failure> {
    let sandbox = paydesk_sandbox::start(listen, SandboxConfig::default())
        .await
        .map_err(|e| bad_input(e.to_string()))?;
    for listing in sandbox.listings() {
        println!("{}", serde_json::to_string(&listing).expect("serializable"));
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    shutdown_signal().await;
    drop(sandbox);
    Ok(0)
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

async fn execute(dir: &std::path::Path, command: Command) -> Result<u8, Failure> {
    let engine = runtime::open(dir).await.map_err(|e| Failure {
        code: 1,
        message: e,
    })?;
    let store = engine.store();
    match command {
        Command::Sandbox { .. } => unreachable!("handled before opening the store"),
        Command::Profile(ProfileCommand::Add {
            name,
            gateway,
            base_url,
            settings,
        }) => {
            if !GATEWAYS.contains(&gateway.as_str()) {
                return Err(bad_input(format!(
                    "unknown gateway {gateway:?}; one of {}",
                    GATEWAYS.join(", ")
                )));
            }
            paydesk_core::gateways::join_url(&base_url, "")
                .map_err(|e| bad_input(e.to_string()))?;
            let settings = key_values(&settings, "setting")?;
            let profile = store
                .create_profile(&NewProfile {
                    name,
                    gateway,
                    base_url,
                    settings,
                    is_sandbox: false,
                })
                .await?;
            println!("profile {} added", profile.name);
            Ok(0)
        }
        Command::Profile(ProfileCommand::List { json }) => {
            let profiles: Vec<ProfileView> = store
                .profiles()
                .await?
                .iter()
                .map(ProfileView::from)
                .collect();
            if json {
                println!(
                    "{}",
                    serde_json::to_string(&profiles).expect("serializable")
                );
            } else {
                for p in profiles {
                    let badge = if p.is_sandbox { " [SANDBOX]" } else { "" };
                    println!("{}\t{}\t{}{}", p.name, p.gateway, p.base_url, badge);
                }
            }
            Ok(0)
        }
        Command::Secret(SecretCommand::Set { profile, key }) => {
            let profile = store.profile(&profile).await?;
            let mut value = String::new();
            std::io::stdin()
                .read_to_string(&mut value)
                .map_err(|e| bad_input(format!("could not read the secret from stdin: {e}")))?;
            let value = value.trim_end_matches(['\n', '\r']).to_string();
            if value.is_empty() {
                return Err(bad_input("the secret read from stdin is empty"));
            }
            let vault = engine.vault();
            let vault_id = profile.vault_id.clone();
            let key_name = key.clone();
            tokio::task::spawn_blocking(move || {
                vault.set(&vault_id, &key_name, &SecretString::from(value))
            })
            .await
            .map_err(|e| Failure {
                code: 1,
                message: e.to_string(),
            })?
            .map_err(|e| Failure {
                code: 1,
                message: e.to_string(),
            })?;
            println!(
                "secret {key} of profile {} stored in the OS keyring",
                profile.name
            );
            Ok(0)
        }
        Command::Order(OrderCommand::Add {
            profile,
            order_no,
            amount,
            currency,
            subject,
            attributes,
        }) => {
            if order_no.trim().is_empty() {
                return Err(bad_input("the order number is empty"));
            }
            let currency = Currency::parse(&currency).map_err(|e| bad_input(e.to_string()))?;
            let amount =
                Money::parse_positive(&amount, currency).map_err(|e| bad_input(e.to_string()))?;
            let attributes = key_values(&attributes, "attribute")?;
            let order = store
                .add_order(&NewOrder {
                    order_no,
                    profile,
                    amount,
                    subject,
                    attributes,
                })
                .await?;
            println!("order {} added: {}", order.order_no, amount);
            Ok(0)
        }
        Command::Pay {
            order_no,
            channel,
            vouchers,
            json,
        } => {
            let channel = match channel {
                Some(text) => Channel::parse(&text)
                    .ok_or_else(|| bad_input(format!("unknown channel {text:?}")))?,
                None => return Err(bad_input("--channel is required for this gateway")),
            };
            let deductions = key_values(&vouchers, "voucher")?.into_iter().collect();
            let attempt = engine
                .pay(&PayCommand {
                    order_no: order_no.clone(),
                    channel,
                    deductions,
                    coupon: None,
                })
                .await?;
            let report = PaymentReport::new(&order_no, &attempt);
            print_report(&report, json);
            Ok(exit_code(report.state))
        }
        Command::Status { order_no, json } => {
            let detail = store.order_detail(&order_no).await?;
            let latest = detail.attempts.last();
            if json {
                let mut value = match latest {
                    Some(a) => serde_json::to_value(PaymentReport::new(&order_no, &a.attempt))
                        .expect("serializable"),
                    None => serde_json::json!({
                        "order_no": order_no, "state": "created", "attempt_id": null, "channel": null,
                        "idempotency_key": null, "gateway_ref": null, "pay_url": null, "error": null
                    }),
                };
                value["attempts"] = serde_json::to_value(&detail.attempts).expect("serializable");
                println!("{value}");
            } else {
                println!(
                    "order {} ({} {})",
                    order_no, detail.order.currency, detail.order.amount
                );
                for a in &detail.attempts {
                    println!(
                        "  attempt {} via {}: {}",
                        a.attempt.id, a.attempt.channel, a.attempt.state
                    );
                }
            }
            Ok(latest.map_or(0, |a| exit_code(a.attempt.state)))
        }
    }
}

fn exit_code(state: AttemptState) -> u8 {
    match state {
        AttemptState::Succeeded
        | AttemptState::Pending
        | AttemptState::Created
        | AttemptState::Submitting => 0,
        AttemptState::Failed => 1,
        AttemptState::Unknown | AttemptState::NeedsReview => 3,
    }
}

fn print_report(report: &PaymentReport, json: bool) {
    if json {
        println!("{}", serde_json::to_string(report).expect("serializable"));
        return;
    }
    print!("order {}: {}", report.order_no, report.state);
    if let Some(r) = &report.gateway_ref {
        print!(" (gateway ref {r})");
    }
    if let Some(url) = &report.pay_url {
        print!(" pay at {url}");
    }
    if let Some(e) = &report.error {
        print!(" — {}: {}", e.code, e.message);
    }
    println!();
}
