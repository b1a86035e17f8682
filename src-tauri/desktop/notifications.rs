//! The window's desktop notifications: while the window is not in front, a payment left
//! waiting that settles, or an attempt that comes to need a person, is told through the
//! desktop's notification server (org.freedesktop.Notifications, through notify-rust, whose
//! default action reports a click as Tauri's notification plugin cannot on Linux). A click
//! brings the window to the front and opens the order (the `show-orders` event).
//!
//! What is news is the core's rule (`paydesk_core::attention`, read by `app::attention`); what
//! the notifications say is `notification_words`; here is only the doing: hearing the change
//! feed, gathering a burst, asking whether the window is in front, raising, and hearing clicks.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use paydesk_core::app::attention::AttentionWatch;
use paydesk_core::engine::Engine;
use tauri::{Manager, State};
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::notification_words::{open_label, Burst, Language, ShowOrders, Shown};
use super::{emit, AppState, IpcError};

/// How long a burst is gathered after its first notice: a reconcile's verdicts are written
/// 256 to a commit, each commit one change; a second and a half holds the rest of them.
const GATHER: Duration = Duration::from_millis(1500);
/// Two bursts are raised at least this far apart; what comes between waits for the next one.
const BETWEEN_BURSTS: Duration = Duration::from_secs(10);
/// A notification nobody acted on is withdrawn after this long, so that its click never opens
/// an order whose news is stale by then, and nothing waits for it for ever.
const LIFETIME: Duration = Duration::from_secs(30 * 60);
/// At most this many of paydesk's notifications wait for a click at once; the oldest one is
/// withdrawn for a new one.
const LIVE: usize = 4;

/// The window's label (tauri.conf.json).
const WINDOW: &str = "main";

/// What the notifications share across data sets: the window's language, and the
/// notifications still shown (each withdrawn by sending on its channel).
pub(crate) struct Notifications {
    language: Mutex<Language>,
    live: Mutex<VecDeque<oneshot::Sender<()>>>,
}

fn held<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl Notifications {
    /// Until the window says its language, the system's (as the window chooses its own).
    pub(crate) fn new() -> Notifications {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()));
        Notifications {
            language: Mutex::new(Language::of_locale(locale.as_deref())),
            live: Mutex::default(),
        }
    }

    fn language(&self) -> Language {
        *held(&self.language)
    }

    /// Withdraws every notification still shown: the window in front shows what they said.
    pub(crate) fn withdraw_all(&self) {
        for shown in held(&self.live).drain(..) {
            let _ = shown.send(());
        }
    }

    /// Raises `shown`, withdrawing the oldest still shown beyond [`LIVE`].
    fn raise(&self, handle: &tauri::AppHandle, shown: Shown) {
        let (withdraw, withdrawn) = oneshot::channel();
        {
            let mut live = held(&self.live);
            live.retain(|s| !s.is_closed());
            while live.len() >= LIVE {
                if let Some(oldest) = live.pop_front() {
                    let _ = oldest.send(());
                }
            }
            live.push_back(withdraw);
        }
        let open = open_label(self.language());
        tokio::spawn(raise_and_hear(handle.clone(), shown, open, withdrawn));
    }
}

/// The window's language, which the notifications are worded in; the window says it when it
/// starts and whenever the person changes it.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn set_language(
    state: State<'_, AppState>,
    language: Language,
) -> Result<(), IpcError> {
    // Also the log's sign that the page is up and speaking to the back end.
    tracing::info!(?language, "the window's language");
    *held(&state.notifications.language) = language;
    Ok(())
}

/// Whether the person is looking at the window: focused, shown and not minimized.
fn window_in_front(handle: &tauri::AppHandle) -> bool {
    let Some(window) = handle.get_webview_window(WINDOW) else {
        return false;
    };
    window.is_focused().unwrap_or(false)
        && window.is_visible().unwrap_or(true)
        && !window.is_minimized().unwrap_or(false)
}

/// A click: the window in front, showing what the notification was about.
fn open_from_notification(handle: &tauri::AppHandle, opens: ShowOrders) {
    if let Some(window) = handle.get_webview_window(WINDOW) {
        let shown = window
            .unminimize()
            .and_then(|()| window.show())
            .and_then(|()| window.set_focus());
        if let Err(e) = shown {
            tracing::warn!(error = %e, "could not bring the window to the front");
        }
    }
    emit(handle, opens);
}

/// When a burst whose first notice came at `first` is raised: after its gathering, and not
/// sooner than [`BETWEEN_BURSTS`] after the last one raised.
fn due(first: Instant, last_raised: Option<Instant>) -> Instant {
    let gathered = first + GATHER;
    match last_raised {
        Some(last) => gathered.max(last + BETWEEN_BURSTS),
        None => gathered,
    }
}

/// Hears the change feed of this back end's store and raises what is news while the window is
/// not in front, until the back end is replaced.
pub(crate) fn spawn_notifier(
    handle: tauri::AppHandle,
    engine: Engine,
    notifications: Arc<Notifications>,
    demo: bool,
) -> tokio::task::AbortHandle {
    tokio::spawn(async move {
        // Subscribed first: nothing committed while the watch reads what is open is missed.
        let mut changes = engine.store().subscribe();
        let mut watch = match AttentionWatch::start(engine.store().clone()).await {
            Ok(watch) => watch,
            Err(e) => {
                tracing::warn!(error = %e, "no desktop notifications: the open payments could not be read");
                return;
            }
        };
        tracing::debug!(watching = watch.watching(), "desktop notifications started");
        let mut burst = Burst::default();
        let mut raise_at: Option<Instant> = None;
        let mut last_raised: Option<Instant> = None;
        loop {
            let until_due = async {
                match raise_at {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                change = changes.next() => {
                    let Some(change) = change else { break };
                    match watch.notices(&change).await {
                        Ok(notices) => notices.into_iter().for_each(|n| burst.add(n)),
                        Err(e) => tracing::warn!(error = %e, "a change could not be read for notifications"),
                    }
                    if raise_at.is_none() && !burst.is_empty() {
                        raise_at = Some(due(Instant::now(), last_raised));
                    }
                }
                () = until_due => {
                    raise_at = None;
                    let gathered = std::mem::take(&mut burst);
                    if window_in_front(&handle) {
                        // The person is looking: the window and its badge show it.
                        continue;
                    }
                    last_raised = Some(Instant::now());
                    for shown in gathered.shown(notifications.language(), demo) {
                        notifications.raise(&handle, shown);
                    }
                }
            }
        }
    })
    .abort_handle()
}

/// Raises one notification with a default action and waits for its click, its close, its
/// withdrawal or the end of its [`LIFETIME`], whichever comes first.
#[cfg(all(unix, not(target_os = "macos")))]
async fn raise_and_hear(
    handle: tauri::AppHandle,
    shown: Shown,
    open: &'static str,
    withdrawn: oneshot::Receiver<()>,
) {
    use notify_rust::{Notification, NotificationResponse};

    let raised = Notification::new()
        .appname("paydesk")
        .summary(&shown.summary)
        .body(&shown.body)
        .action("default", open)
        .show_async()
        .await;
    let notification = match raised {
        Ok(notification) => notification,
        Err(e) => {
            tracing::warn!(error = %e, "the desktop notification could not be shown");
            return;
        }
    };
    let mut clicked = false;
    let answered = tokio::select! {
        () = notification.wait_for_action_async(|response| {
            clicked = matches!(response, NotificationResponse::Default);
        }) => true,
        () = tokio::time::sleep(LIFETIME) => false,
        _ = withdrawn => false,
    };
    if clicked {
        open_from_notification(&handle, shown.opens);
    } else if !answered {
        notification.close_async().await;
    }
}

/// Elsewhere (macOS, Windows) paydesk raises no notifications yet: their click is reported
/// another way.
#[cfg(not(all(unix, not(target_os = "macos"))))]
async fn raise_and_hear(
    _handle: tauri::AppHandle,
    shown: Shown,
    _open: &'static str,
    _withdrawn: oneshot::Receiver<()>,
) {
    tracing::debug!(summary = %shown.summary, "desktop notifications are not raised on this system");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_waits_for_its_rest_and_for_the_last_one_to_be_a_while_ago() {
        let now = Instant::now();
        assert_eq!(due(now, None), now + GATHER);
        assert_eq!(due(now, Some(now - BETWEEN_BURSTS)), now + GATHER);
        assert_eq!(
            due(now, Some(now - Duration::from_secs(2))),
            now + BETWEEN_BURSTS - Duration::from_secs(2)
        );
    }
}
