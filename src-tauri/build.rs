/// The app's own IPC commands. Each gets an `allow-<command>` permission, and
/// `capabilities/main.json` grants exactly these to the main window: nothing else is callable.
const COMMANDS: &[&str] = &[
    "app_info",
    "switch_data_set",
    "list_orders",
    "list_profiles",
    "order_detail",
    "pay_order",
    "quote",
    "query_orders",
    "lookup",
    "lookup_amount",
    "add_order",
    "edit_order",
    "cancel_order",
    "check_status",
    "resolve_review",
    "takings",
    "daily_totals",
    "manager_day",
    "activity",
    "list_gateways",
    "save_profile",
    "remove_profile",
    "secret_status",
    "set_secret",
    "delete_secret",
    "test_connection",
    "status_checks",
    "desk_names",
    "save_desk_names",
    "list_desks",
    "audit_trail",
    "personal_data_revealed",
    "current_shift",
    "open_shift",
    "close_shift",
    "list_shifts",
    "shift_report",
    "paper",
    "issue_receipt",
    "day_report",
    "merchant_settings",
    "set_merchant_settings",
    "choose_import_file",
    "import_chosen_file",
    "export_orders_to_file",
    "save_paper_pdf",
    "set_language",
];

/// The commit the binary is built from (`unknown` outside a git checkout), for `--version`
/// and the About view; rebuilt when HEAD moves.
fn commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    // Only files that exist: a missing one would rerun this script at every build.
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        let head = git(&["symbolic-ref", "-q", "HEAD"]);
        let watched = ["HEAD", head.as_deref().unwrap_or("HEAD"), "packed-refs"];
        for file in watched.map(|f| format!("{dir}/{f}")) {
            if std::path::Path::new(&file).exists() {
                println!("cargo:rerun-if-changed={file}");
            }
        }
    }
    git(&["rev-parse", "--short=10", "HEAD"]).unwrap_or_else(|| "unknown".into())
}

/// The window's page is built into the binary (the `custom-protocol` feature, on by default):
/// without it there is nothing to embed, and one line says how to build it.
fn require_the_built_ui() {
    if std::env::var_os("CARGO_FEATURE_CUSTOM_PROTOCOL").is_none() {
        return; // `tauri dev`: the page comes from the UI's dev server.
    }
    println!("cargo:rerun-if-changed=ui/dist/index.html");
    if !std::path::Path::new("ui/dist/index.html").exists() {
        eprintln!(
            "paydesk: the UI is not built (ui/dist is missing): run `(cd ui && npm ci && npm run build)` first, or scripts/run.sh, which does both"
        );
        std::process::exit(1);
    }
}

fn main() {
    require_the_built_ui();
    println!("cargo:rustc-env=PAYDESK_COMMIT={}", commit());
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step");
}
