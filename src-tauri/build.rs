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
    "activity",
    "list_gateways",
    "save_profile",
    "remove_profile",
    "secret_status",
    "set_secret",
    "delete_secret",
    "test_connection",
    "import_orders",
    "export_orders",
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
    "set_language",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step");
}
