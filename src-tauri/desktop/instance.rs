//! One window per data directory, and the window where it was left. A second launch on the
//! same data directory hands its arguments to the running window over D-Bus and exits; that
//! window comes to the front. Two desks on one machine (two data directories) each keep their
//! own window, and the command line's subcommands never go through here. The window's size,
//! position and maximised state are kept per data directory too, and a position on a monitor
//! that is gone is not restored (the plugin checks the monitors present). They are written
//! shortly after each move or resize, not only at a clean exit, so a window ended by a logout,
//! a kill or a crash still comes back where it was.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tauri::{Manager, Runtime};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// What is remembered of the window.
const REMEMBERED: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED);

/// How long the window must stay put before where it is gets written: a drag is one write.
const SETTLE: Duration = Duration::from_millis(500);

/// A short name of the data directory, usable in a D-Bus name and a file name.
pub(crate) fn key_of(data_dir: &Path) -> String {
    let hash = paydesk_crypto::md5_hex(data_dir.as_os_str().as_encoded_bytes());
    format!("d{}", &hash[..16])
}

/// Brings the main window to the front: shown, not minimised, focused.
fn bring_to_front<R: Runtime>(app: &tauri::AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        if let Err(e) = window.set_focus() {
            tracing::warn!(error = %e, "could not bring the window to the front");
        }
    }
    tracing::info!("another launch on this data directory: the window brought to the front");
}

/// The plugins that keep one window per data directory and remember where it was.
pub(crate) fn plugins<R: Runtime>(
    builder: tauri::Builder<R>,
    identifier: &str,
    key: &str,
) -> tauri::Builder<R> {
    builder
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(format!("{identifier}.{key}"))
                .callback(|app, _args, _cwd| bring_to_front(app))
                .build(),
        )
        .plugin(
            tauri_plugin_window_state::Builder::new()
                .with_state_flags(REMEMBERED)
                .with_filename(format!("window-state-{key}.json"))
                .build(),
        )
}

/// Writes where the main window is once it has stayed put for [`SETTLE`] after a move or a
/// resize.
pub(crate) fn remember_moves<R: Runtime>(app: &tauri::AppHandle<R>) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let moves = Arc::new(AtomicU64::new(0));
    let app = app.clone();
    window.on_window_event(move |event| {
        if !matches!(
            event,
            tauri::WindowEvent::Moved(_) | tauri::WindowEvent::Resized(_)
        ) {
            return;
        }
        let this_move = moves.fetch_add(1, Ordering::SeqCst) + 1;
        let (moves, app) = (moves.clone(), app.clone());
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(SETTLE).await;
            if moves.load(Ordering::SeqCst) != this_move {
                return;
            }
            // Written from the main thread: the plugin holds its lock while it asks the window
            // where it is, and its own handler of a move takes that lock on the main thread. From
            // any other thread, a move arriving meanwhile freezes the window for good.
            let writer = app.clone();
            let written = app.run_on_main_thread(move || {
                if let Err(e) = writer.save_window_state(REMEMBERED) {
                    tracing::warn!(error = %e, "could not write where the window is");
                }
            });
            if let Err(e) = written {
                tracing::warn!(error = %e, "could not write where the window is");
            }
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_data_directory_has_its_own_key_fit_for_a_dbus_name() {
        let a = key_of(Path::new("/home/lin/.local/share/paydesk"));
        let b = key_of(Path::new("/srv/desk-2"));
        assert_ne!(a, b);
        assert_eq!(a, key_of(Path::new("/home/lin/.local/share/paydesk")));
        assert_eq!(a.len(), 17);
        // A D-Bus name's element may not start with a digit.
        assert!(a.starts_with('d') && a.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
