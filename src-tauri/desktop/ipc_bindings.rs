//! The window's TypeScript view of the IPC shapes (`ui/src/ipc/`) is generated from the Rust
//! types the commands take and return, so the two cannot drift apart: this test fails when a
//! committed declaration differs from what the types say. To write them anew:
//! `PAYDESK_WRITE_BINDINGS=1 cargo test --lib ipc_bindings`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use paydesk_core::app::connection::ConnectionReport;
use paydesk_core::app::gateways::GatewayInfo;
use paydesk_core::app::orders::{Cancelled, ExportFile};
use paydesk_core::app::secrets::SecretState;
use paydesk_core::changes::Change;
use paydesk_core::console::{Activity, DailyTotal, LookupHit, OrderPage, OrderQuery, TakingsRow};
use paydesk_core::domain::{Actor, OrderView};
use paydesk_core::import::Progress;
use paydesk_core::pricing::Quote;
use paydesk_core::report::{OrderDetail, PaymentReport, ProfileView};
use ts_rs::{Config, TS};

use super::orders::ImportSummary;
use super::payments::{DeductionInput, RefundInput};
use super::status::StatusChecks;
use super::{AppInfo, IpcError};

/// Every shape a command takes or returns, or an event carries; the types they hold come along.
fn export_every_shape(cfg: &Config) -> Result<(), ts_rs::ExportError> {
    AppInfo::export_all(cfg)?;
    Actor::export_all(cfg)?;
    IpcError::export_all(cfg)?;
    OrderView::export_all(cfg)?;
    OrderPage::export_all(cfg)?;
    OrderQuery::export_all(cfg)?;
    OrderDetail::export_all(cfg)?;
    ProfileView::export_all(cfg)?;
    PaymentReport::export_all(cfg)?;
    DeductionInput::export_all(cfg)?;
    RefundInput::export_all(cfg)?;
    Quote::export_all(cfg)?;
    LookupHit::export_all(cfg)?;
    TakingsRow::export_all(cfg)?;
    DailyTotal::export_all(cfg)?;
    paydesk_core::app::dashboard::ManagerDay::export_all(cfg)?;
    Activity::export_all(cfg)?;
    GatewayInfo::export_all(cfg)?;
    SecretState::export_all(cfg)?;
    ConnectionReport::export_all(cfg)?;
    ImportSummary::export_all(cfg)?;
    Progress::export_all(cfg)?;
    ExportFile::export_all(cfg)?;
    Cancelled::export_all(cfg)?;
    StatusChecks::export_all(cfg)?;
    paydesk_core::audit::AuditEntry::export_all(cfg)?;
    paydesk_core::audit::AuditQuery::export_all(cfg)?;
    paydesk_core::shifts::Shift::export_all(cfg)?;
    paydesk_core::shifts::ShiftReport::export_all(cfg)?;
    paydesk_core::day_report::DayReport::export_all(cfg)?;
    paydesk_core::app::merchant::MerchantView::export_all(cfg)?;
    paydesk_core::words::Lang::export_all(cfg)?;
    paydesk_paper::Paper::export_all(cfg)?;
    super::papers::PaperOf::export_all(cfg)?;
    paydesk_core::app::papers::Receipt::export_all(cfg)?;
    super::files::ChosenFile::export_all(cfg)?;
    super::files::SavedExport::export_all(cfg)?;
    super::files::SavedFile::export_all(cfg)?;
    super::notification_words::Language::export_all(cfg)?;
    super::notification_words::ShowOrders::export_all(cfg)?;
    Change::export_all(cfg)
}

/// The declarations under `dir`, by file name.
fn declarations(dir: &Path) -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "ts"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (
                name,
                std::fs::read_to_string(&p).expect("a readable declaration"),
            )
        })
        .collect()
}

fn config(out_dir: &Path) -> Config {
    // JavaScript numbers hold every integer paydesk sends exactly: ids, counts, unix
    // milliseconds and minor units all stay far below 2^53.
    Config::new()
        .with_large_int("number")
        .with_out_dir(out_dir.to_path_buf())
}

#[test]
fn the_window_s_typescript_shapes_match_the_rust_types() {
    let committed_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/src/ipc");
    if std::env::var_os("PAYDESK_WRITE_BINDINGS").is_some() {
        for stale in declarations(&committed_dir).keys() {
            std::fs::remove_file(committed_dir.join(stale)).unwrap();
        }
        export_every_shape(&config(&committed_dir)).unwrap();
        super::ipc_commands::write_commands(&committed_dir);
        return;
    }
    let fresh_dir = tempfile::tempdir().unwrap();
    export_every_shape(&config(fresh_dir.path())).unwrap();
    super::ipc_commands::write_commands(fresh_dir.path());
    let fresh = declarations(fresh_dir.path());
    let committed = declarations(&committed_dir);
    assert!(fresh.len() > 20, "{:?}", fresh.keys());
    let differing: BTreeSet<&String> = fresh
        .keys()
        .chain(committed.keys())
        .filter(|name| fresh.get(*name) != committed.get(*name))
        .collect();
    assert!(
        differing.is_empty(),
        "ui/src/ipc is out of date with the Rust types ({differing:?}); \
         run `PAYDESK_WRITE_BINDINGS=1 cargo test --lib ipc_bindings` and commit the result"
    );
}
