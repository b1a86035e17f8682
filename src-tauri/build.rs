/// The app's own IPC commands. Each gets an `allow-<command>` permission, and
/// `capabilities/main.json` grants exactly these to the main window: nothing else is callable.
const COMMANDS: &[&str] = &[
    "app_info",
    "list_orders",
    "list_profiles",
    "order_detail",
    "pay_order",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step");
}
