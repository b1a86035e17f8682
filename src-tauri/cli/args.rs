//! The command line's arguments and subcommands, as clap parses them.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "paydesk",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("PAYDESK_COMMIT"), ")"),
    about = "Desktop merchant payment console. With no subcommand, opens the window."
)]
pub struct Args {
    /// Use this data directory instead of the platform's (also: PAYDESK_DATA_DIR).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// This desk's name for this run, recorded on every payment (also: PAYDESK_DESK; by
    /// default the one saved in Settings, else the host name).
    #[arg(long, global = true, value_name = "NAME")]
    pub desk: Option<String>,
    /// The operator working this desk for this run (also: PAYDESK_OPERATOR; by default the
    /// one saved in Settings, else the OS user).
    #[arg(long, global = true, value_name = "NAME")]
    pub operator: Option<String>,
    /// Work on the demo (the built-in sandbox's profiles and orders, in the data directory's
    /// `demo` folder) instead of the live data; the window opens the demo with it too.
    #[arg(long, global = true)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the gateway emulators and print one JSON line per gateway.
    Sandbox {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
        /// Inject faults: GATEWAY:KIND=VALUE with GATEWAY a gateway or `all` and KIND one of
        /// timeout, server_error, reset, malformed, lost_response (rates 0..1), latency_ms,
        /// hold_ms (repeatable). Also at run time: PUT /_sandbox/faults/{gateway}.
        #[arg(long = "fault", value_name = "GATEWAY:KIND=VALUE")]
        faults: Vec<String>,
        /// Seed for fault injection, to replay a run.
        #[arg(long, default_value_t = 1)]
        seed: u64,
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
    /// Where this desk keeps its history: its own file, or a PostgreSQL server its merchant's
    /// desks share.
    #[command(subcommand)]
    Store(StoreCommand),
    /// This desk's shifts (交班): open one, close it with its report, list them, report one.
    #[command(subcommand)]
    Shift(ShiftCommand),
    /// The day's report (日结) across every desk of the merchant.
    #[command(subcommand)]
    Day(DayCommand),
    /// The merchant's name and address (printed on receipts) and time zone (its days).
    #[command(subcommand)]
    Merchant(MerchantCommand),
    /// Issue a paid order's receipt as PDF (exit 2 when the order is not paid). A receipt
    /// printed before makes this one a copy (COPY / 副本).
    Receipt {
        order_no: String,
        /// Where to write the PDF.
        #[arg(long, value_name = "FILE")]
        pdf: std::path::PathBuf,
        /// zh-CN or en (default: from LANG).
        #[arg(long)]
        lang: Option<String>,
    },
    /// Pay an order.
    Pay {
        order_no: String,
        /// balance, alipay, wechat, credit, unionpay, ... (may be left out when the gateway has one channel).
        #[arg(long)]
        channel: Option<String>,
        /// A voucher deduction, ID=AMOUNT (repeatable).
        #[arg(long = "voucher", value_name = "ID=AMOUNT")]
        vouchers: Vec<String>,
        /// A coupon id, where the gateway takes coupons.
        #[arg(long)]
        coupon: Option<String>,
        /// The part of the amount paid on credit rather than balance (TOP).
        #[arg(long = "credit-amount", value_name = "AMOUNT")]
        credit_amount: Option<String>,
        /// A subscription this payment replaces and its refund, SUBSCRIBE_ID=AMOUNT
        /// (repeatable; TOP). The amounts to pay are not changed by it.
        #[arg(long = "refund-subscription", value_name = "SUBSCRIBE_ID=AMOUNT")]
        subscription_refunds: Vec<String>,
        /// The order's amount as you expect it: another amount (the order edited meanwhile,
        /// the wrong order) is refused and nothing is sent.
        #[arg(long = "expect-amount", value_name = "AMOUNT")]
        expect_amount: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Find the orders a customer means: by a reference or part of one (six characters or
    /// more: order number, the gateway's or the customer's payment reference), words of the
    /// subject, or by --amount within a time range. Best match first.
    Lookup {
        /// What the customer quotes.
        #[arg(required_unless_present = "amount", conflicts_with = "amount")]
        text: Option<String>,
        /// The amount the customer quotes (12.30).
        #[arg(long)]
        amount: Option<String>,
        /// With --amount: orders added from this day (YYYY-MM-DD, the merchant's) or time.
        #[arg(long, requires = "amount")]
        since: Option<String>,
        /// With --amount: orders added up to this day, the whole day (or before this time).
        #[arg(long, requires = "amount")]
        until: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show an order's payment state.
    Status {
        order_no: String,
        /// Ask the gateway about a pending or unknown payment first.
        #[arg(long)]
        refresh: bool,
        /// Every attempt with its events, the gateways' raw answers among them, as JSON. The
        /// customers' personal data in those answers (names, phones, addresses) is hidden.
        #[arg(long)]
        json: bool,
        /// Show the customers' personal data in the gateways' answers; each showing is
        /// recorded on the audit trail first.
        #[arg(long, requires = "json")]
        show_personal_data: bool,
    },
    /// Receive gateways' callbacks at every profile's loopback `callback_url` until stopped.
    Callbacks,
    /// Read every page of the database and report any damage (changes nothing).
    Check,
    /// Import orders from a CSV or JSON file (see the README for the columns).
    Import {
        file: PathBuf,
        /// csv or json (default: from the file's extension).
        #[arg(long)]
        format: Option<String>,
        /// The profile for rows that name none.
        #[arg(long)]
        profile: Option<String>,
        /// Print the report as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Record a person's decision on a payment that needs review.
    Resolve {
        attempt_id: i64,
        /// succeeded or failed
        #[arg(long)]
        decision: String,
        /// Why (kept in the audit log).
        #[arg(long)]
        note: String,
        /// With --decision failed on a payment the customer may yet pay (it waits on them, or
        /// they were given a code): you are sure they did not pay and its payment code can no
        /// longer be used (it was never shown, or it has expired).
        #[arg(long)]
        code_unusable: bool,
    },
    /// Settle every open payment now: attempts whose sender died, unknown and pending ones.
    Reconcile {
        #[arg(long)]
        json: bool,
    },
    /// List payment attempts, newest first.
    History {
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        channel: Option<String>,
        #[arg(long)]
        profile: Option<String>,
        /// Only attempts made on or after this date (YYYY-MM-DD, the merchant's calendar) or
        /// time (RFC 3339).
        #[arg(long)]
        since: Option<String>,
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// CSV for scripts: every value byte for byte, so a cell may start with `=`, `+`, `-`
        /// or `@`. Not neutralised for spreadsheets: for a spreadsheet, use the window's
        /// export, which writes such cells behind a `'`.
        #[arg(long)]
        csv: bool,
    },
    /// The audit trail, newest first: who added, edited or cancelled orders, paid, resent,
    /// settled or decided payments, changed profiles and secrets (never a value), imported,
    /// exported or was shown customers' personal data.
    Audit {
        /// Only entries on or after this day (YYYY-MM-DD, the merchant's calendar) or time
        /// (RFC 3339).
        #[arg(long)]
        since: Option<String>,
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
pub enum StoreCommand {
    /// Keep this desk's history on a shared PostgreSQL server from now on:
    /// postgres://USER@HOST[:PORT]/DB[?sslmode=verify-full&sslrootcert=FILE]. The password is
    /// read from standard input into the OS keyring (empty: none); the URL must not carry one.
    Connect { url: String },
    /// Where this desk keeps its history and whether it can be reached.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Back to this desk's own file (what it held before is still there).
    Disconnect,
}

#[derive(Subcommand, Debug)]
pub enum ShiftCommand {
    /// Open a shift at this desk, as its operator (one open shift per desk).
    Open {
        #[arg(long)]
        json: bool,
    },
    /// Close this desk's shift and print its report. Refused (exit 2, each named) while a
    /// payment of it is still open, unless acknowledged.
    Close {
        /// A payment still open that the closing operator acknowledges (repeatable).
        #[arg(long = "acknowledge", value_name = "ATTEMPT_ID")]
        acknowledge: Vec<i64>,
        /// Acknowledge every payment still open.
        #[arg(long)]
        acknowledge_all: bool,
        #[arg(long)]
        json: bool,
    },
    /// This desk's shifts, newest first.
    List {
        /// Every desk's shifts.
        #[arg(long)]
        all_desks: bool,
        #[arg(long)]
        json: bool,
    },
    /// A shift's report: this desk's open shift (else its last) unless one is named.
    Report {
        shift_id: Option<i64>,
        #[command(flatten)]
        output: ReportOutput,
    },
}

/// How a report is written: words on the terminal, JSON, CSV (one row per total line), or a
/// PDF file in a language.
#[derive(clap::Args, Debug)]
pub struct ReportOutput {
    #[arg(long, conflicts_with_all = ["csv", "pdf"])]
    pub json: bool,
    #[arg(long, conflicts_with = "pdf")]
    pub csv: bool,
    /// Write the report as PDF to this file.
    #[arg(long, value_name = "FILE")]
    pub pdf: Option<std::path::PathBuf>,
    /// The PDF's language: zh-CN or en (default: from LANG).
    #[arg(long, requires = "pdf")]
    pub lang: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum DayCommand {
    /// What every desk took on a day of the merchant's calendar (today unless named): by desk,
    /// by shift, and outside any shift.
    /// As CSV, each row is led by what it is a total of: `all`, `desk:NAME`, `shift:ID` or
    /// `outside_shifts`.
    Report {
        /// YYYY-MM-DD.
        date: Option<String>,
        #[command(flatten)]
        output: ReportOutput,
    },
}

#[derive(Subcommand, Debug)]
pub enum MerchantCommand {
    /// The merchant's settings and the time zone its days follow.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Change the settings given; the others stay.
    Set {
        #[arg(long)]
        name: Option<String>,
        /// Lines separated by a newline.
        #[arg(long)]
        address: Option<String>,
        /// An IANA time zone (Asia/Shanghai).
        #[arg(long, conflicts_with = "system_time_zone")]
        time_zone: Option<String>,
        /// Follow each desk's system time zone.
        #[arg(long)]
        system_time_zone: bool,
    },
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
        /// ISO 4217 (default: the currency the profile's gateway takes, else CNY).
        #[arg(long)]
        currency: Option<String>,
        #[arg(long, default_value = "")]
        subject: String,
        /// An order attribute, KEY=VALUE (repeatable).
        #[arg(long = "attr", value_name = "KEY=VALUE")]
        attributes: Vec<String>,
    },
    /// Change an unpaid order (what is not named stays as it is).
    Edit {
        order_no: String,
        #[arg(long)]
        amount: Option<String>,
        #[arg(long)]
        subject: Option<String>,
        /// Set an order attribute, KEY=VALUE (repeatable).
        #[arg(long = "attr", value_name = "KEY=VALUE")]
        attributes: Vec<String>,
        /// Remove an order attribute (repeatable).
        #[arg(long = "unset-attr", value_name = "KEY")]
        unset_attributes: Vec<String>,
    },
    /// Cancel an unpaid order: it is kept, shown as cancelled, and never paid.
    Cancel {
        order_no: String,
        /// Why (kept with the order).
        #[arg(long)]
        note: Option<String>,
    },
}

impl Command {
    /// The subcommand's name, as its tracing span records it (never an argument: a value
    /// typed on the command line is no business of the log).
    pub fn name(&self) -> &'static str {
        match self {
            Command::Sandbox { .. } => "sandbox",
            Command::Profile(ProfileCommand::Add { .. }) => "profile add",
            Command::Profile(ProfileCommand::List { .. }) => "profile list",
            Command::Secret(SecretCommand::Set { .. }) => "secret set",
            Command::Order(OrderCommand::Add { .. }) => "order add",
            Command::Order(OrderCommand::Edit { .. }) => "order edit",
            Command::Order(OrderCommand::Cancel { .. }) => "order cancel",
            Command::Store(StoreCommand::Connect { .. }) => "store connect",
            Command::Store(StoreCommand::Status { .. }) => "store status",
            Command::Store(StoreCommand::Disconnect) => "store disconnect",
            Command::Shift(ShiftCommand::Open { .. }) => "shift open",
            Command::Shift(ShiftCommand::Close { .. }) => "shift close",
            Command::Shift(ShiftCommand::List { .. }) => "shift list",
            Command::Shift(ShiftCommand::Report { .. }) => "shift report",
            Command::Day(DayCommand::Report { .. }) => "day report",
            Command::Merchant(MerchantCommand::Show { .. }) => "merchant show",
            Command::Merchant(MerchantCommand::Set { .. }) => "merchant set",
            Command::Receipt { .. } => "receipt",
            Command::Pay { .. } => "pay",
            Command::Status { .. } => "status",
            Command::Lookup { .. } => "lookup",
            Command::Callbacks => "callbacks",
            Command::Check => "check",
            Command::Import { .. } => "import",
            Command::Resolve { .. } => "resolve",
            Command::Reconcile { .. } => "reconcile",
            Command::History { .. } => "history",
            Command::Audit { .. } => "audit",
        }
    }
}
