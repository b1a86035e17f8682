//! Who is sending an attempt, and when anyone else may take it over.
//!
//! One rule for every path that might touch a `submitting` attempt (Pay, Check status,
//! `status --refresh`, the reconciler): it is taken over only when its sender is certainly
//! gone, or once the time its sender's own gateway timeout allows has passed, plus a grace.
//! Until then a request may still be on its way and its answer may still be recorded by the
//! sender that waits for it.
//!
//! A sender is one engine (and its clones), with an identity of its own: a process id alone
//! says too little (ids are reused; a cancelled task leaves its process alive). Its process
//! is known by machine, boot, pid and start time, so a reused pid is not mistaken for it;
//! within the process, the requests it still waits for are registered while they are in
//! flight, so a task dropped mid-request is known to be gone at once. A sender on another
//! machine (a desk sharing the store) can never be seen gone: only its deadline frees its
//! attempt, and a desk cut off from the database may still be waiting on the gateway.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

/// Added to the sender's own timeout before anyone else takes its attempt over: the time
/// between the answer arriving and it being committed, and clocks that disagree a little.
pub const TAKEOVER_GRACE_MS: i64 = 10_000;

/// The timeout assumed for an attempt journaled without one (by an older paydesk): the
/// longest a sender may be configured to wait (`PAYDESK_GATEWAY_TIMEOUT_MS` at most).
pub const UNRECORDED_TIMEOUT_MS: i64 = 600_000;

/// One sending engine: its own identity and the process it runs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub id: String,
    /// `machine/boot/pid/start` where the platform says (Linux), so that a reused pid is not
    /// taken for this process nor another machine's process for a dead one here; `None` where
    /// it cannot be known.
    pub process: Option<String>,
}

impl Sender {
    /// A new sender in this process.
    pub fn new() -> Self {
        Sender {
            id: uuid::Uuid::new_v4().simple().to_string(),
            process: current_process().clone(),
        }
    }
}

impl Default for Sender {
    fn default() -> Self {
        Sender::new()
    }
}

/// What the journal says about who sent an attempt's request, when, and how long it waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendRecord {
    pub sender: Option<String>,
    pub process: Option<String>,
    pub sent_at: i64,
    pub timeout_ms: Option<i64>,
}

/// Whether the sender of an attempt still exists to record its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    Gone,
    MayBeWaiting,
}

/// What may be done with a `submitting` attempt now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takeover {
    /// Its sender is gone or its time is up: settle it (as unknown) now.
    Now,
    /// Its sender may still be waiting for the gateway, until then (unix ms).
    NotBefore(i64),
}

/// The rule, pure: the sender certainly gone, or its own timeout and the grace passed.
pub fn takeover(record: &SendRecord, liveness: Liveness, now_ms: i64) -> Takeover {
    if liveness == Liveness::Gone {
        return Takeover::Now;
    }
    let deadline = deadline(record);
    if now_ms >= deadline {
        Takeover::Now
    } else {
        Takeover::NotBefore(deadline)
    }
}

/// When a request sent as `record` says must have been answered or given up on.
pub fn deadline(record: &SendRecord) -> i64 {
    record
        .sent_at
        .saturating_add(record.timeout_ms.unwrap_or(UNRECORDED_TIMEOUT_MS))
        .saturating_add(TAKEOVER_GRACE_MS)
}

/// How long after a request left a gateway's "no such payment" may be believed: by then the
/// request has landed or died, by the timeout its own sender used.
pub fn patience_ms(record_timeout_ms: Option<i64>) -> i64 {
    2 * record_timeout_ms.unwrap_or(UNRECORDED_TIMEOUT_MS)
}

/// Whether the sender of the attempt sent under `idempotency_key` is certainly gone (doing:
/// reads the process table and this process's register of requests in flight).
pub fn liveness(idempotency_key: &str, record: &SendRecord) -> Liveness {
    let Some(process) = record.process.as_deref() else {
        return Liveness::MayBeWaiting;
    };
    if current_process().as_deref() == Some(process) {
        let sending = record.sender.as_deref().is_some_and(|sender| {
            in_flight().contains(&(sender.to_string(), idempotency_key.to_string()))
        });
        return if sending {
            Liveness::MayBeWaiting
        } else {
            Liveness::Gone
        };
    }
    if process_running(process) {
        Liveness::MayBeWaiting
    } else {
        Liveness::Gone
    }
}

/// Marks an attempt's request (by its idempotency key, known before it is journaled) as in
/// flight for this sender until dropped: when the sending task ends, however it ends
/// (answered, failed, or dropped mid-request), so does the mark.
pub struct InFlight {
    key: (String, String),
}

impl InFlight {
    pub fn mark(sender: &Sender, idempotency_key: &str) -> InFlight {
        let key = (sender.id.clone(), idempotency_key.to_string());
        in_flight().insert(key.clone());
        InFlight { key }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        in_flight().remove(&self.key);
    }
}

fn in_flight() -> std::sync::MutexGuard<'static, HashSet<(String, String)>> {
    static IN_FLIGHT: LazyLock<Mutex<HashSet<(String, String)>>> = LazyLock::new(Mutex::default);
    IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner())
}

/// This process as `machine/boot/pid/start`, where the platform says.
fn current_process() -> &'static Option<String> {
    static CURRENT: LazyLock<Option<String>> =
        LazyLock::new(|| process_identity(std::process::id()));
    &CURRENT
}

fn process_identity(pid: u32) -> Option<String> {
    let process = format!("{}/{pid}/{}", boot_id()?, start_time(pid)?);
    Some(match machine_id() {
        Some(machine) => format!("{machine}/{process}"),
        None => process,
    })
}

/// Whether the process `identity` names still runs: on another machine, as far as anyone here
/// can tell; here, the same boot and its pid held by a process that started when it did.
/// Unreadable identities count as running. (`boot/pid/start`, without the machine, was
/// journaled by an older paydesk on a desk of its own: this machine.)
fn process_running(identity: &str) -> bool {
    let parts: Vec<&str> = identity.split('/').collect();
    let (machine, boot, pid) = match parts[..] {
        [machine, boot, pid, _] => (Some(machine), boot, pid),
        [boot, pid, _] => (None, boot, pid),
        _ => return true,
    };
    if let Some(machine) = machine {
        if machine_id().as_deref() != Some(machine) {
            return true;
        }
    }
    let Some(current_boot) = boot_id() else {
        return true;
    };
    if boot != current_boot {
        return false;
    }
    let Ok(pid) = pid.parse::<u32>() else {
        return true;
    };
    let current = process_identity(pid);
    let current = current.as_deref().map(|id| match machine {
        Some(_) => id,
        None => id.split_once('/').map_or(id, |(_, rest)| rest),
    });
    current == Some(identity)
}

/// This machine's id (systemd's, or D-Bus's where older), the same across boots.
fn machine_id() -> Option<String> {
    ["/etc/machine-id", "/var/lib/dbus/machine-id"]
        .iter()
        .find_map(|path| std::fs::read_to_string(path).ok())
        .map(|id| id.trim().to_string())
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

fn boot_id() -> Option<String> {
    let id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    Some(id.trim().to_string()).filter(|id| !id.is_empty() && !id.contains('/'))
}

/// The process's start time in clock ticks since boot (`/proc/PID/stat`, field 22).
fn start_time(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces and parentheses.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(19).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(process: Option<String>, sender: &str) -> SendRecord {
        SendRecord {
            sender: Some(sender.into()),
            process,
            sent_at: 1_000_000,
            timeout_ms: Some(30_000),
        }
    }

    #[test]
    fn an_attempt_is_taken_over_only_once_its_sender_is_gone_or_out_of_time() {
        let sent = record(None, "s");
        let up = 1_000_000 + 30_000 + TAKEOVER_GRACE_MS;
        // (liveness, now, what may be done)
        let table = [
            (Liveness::Gone, 1_000_001, Takeover::Now),
            (Liveness::MayBeWaiting, 1_000_001, Takeover::NotBefore(up)),
            (Liveness::MayBeWaiting, up - 1, Takeover::NotBefore(up)),
            (Liveness::MayBeWaiting, up, Takeover::Now),
        ];
        for (liveness, now, expected) in table {
            assert_eq!(
                takeover(&sent, liveness, now),
                expected,
                "{liveness:?} {now}"
            );
        }
        // Journaled by an older paydesk: the longest timeout it could have had.
        let unrecorded = SendRecord {
            timeout_ms: None,
            ..sent
        };
        assert_eq!(
            deadline(&unrecorded),
            1_000_000 + UNRECORDED_TIMEOUT_MS + TAKEOVER_GRACE_MS
        );
        assert_eq!(patience_ms(Some(30_000)), 60_000);
        assert_eq!(patience_ms(None), 2 * UNRECORDED_TIMEOUT_MS);
    }

    #[test]
    fn a_sender_in_this_process_is_alive_exactly_while_its_request_is_in_flight() {
        let sender = Sender::new();
        assert!(sender.process.is_some(), "Linux names its processes");
        let sent = record(sender.process.clone(), &sender.id);
        let flying = InFlight::mark(&sender, "k-7");
        assert_eq!(liveness("k-7", &sent), Liveness::MayBeWaiting);
        assert_eq!(liveness("k-8", &sent), Liveness::Gone, "another attempt");
        let other = Sender::new();
        assert_eq!(
            liveness("k-7", &record(other.process.clone(), &other.id)),
            Liveness::Gone,
            "another sender in the same process"
        );
        drop(flying);
        assert_eq!(liveness("k-7", &sent), Liveness::Gone, "the task ended");
    }

    #[test]
    fn another_process_is_gone_when_its_pid_is_free_or_held_by_a_newer_process() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let identity = process_identity(child.id()).unwrap();
        let sent = record(Some(identity.clone()), "other");
        assert_eq!(liveness("k", &sent), Liveness::MayBeWaiting);
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(liveness("k", &sent), Liveness::Gone);
        // The same pid, a process that started at another time: a reused pid.
        let [machine, boot, pid, _] = identity.split('/').collect::<Vec<_>>()[..] else {
            panic!("{identity}: machine/boot/pid/start");
        };
        let me = process_identity(std::process::id()).unwrap();
        let reused = format!("{machine}/{boot}/{}/1", std::process::id());
        assert_ne!(reused, me);
        assert_eq!(liveness("k", &record(Some(reused), "old")), Liveness::Gone);
        // Another boot: everything that ran then is gone.
        let rebooted = format!("{machine}/00000000-0000-0000-0000-000000000000/{pid}/1");
        assert_eq!(
            liveness("k", &record(Some(rebooted), "old")),
            Liveness::Gone
        );
        // As an older paydesk journaled them, without the machine: this one.
        let older = format!("{boot}/{pid}/1");
        assert_eq!(liveness("k", &record(Some(older), "old")), Liveness::Gone);
        let older_rebooted = format!("00000000-0000-0000-0000-000000000000/{pid}/1");
        assert_eq!(
            liveness("k", &record(Some(older_rebooted), "old")),
            Liveness::Gone
        );
        // Another machine's process (a desk sharing the store): never seen gone, whatever
        // its boot or pid, until its deadline.
        for elsewhere in [
            format!("0123456789abcdef0123456789abcdef/{boot}/{pid}/1"),
            format!(
                "0123456789abcdef0123456789abcdef/00000000-0000-0000-0000-000000000000/{pid}/1"
            ),
        ] {
            assert_eq!(
                liveness("k", &record(Some(elsewhere), "other desk")),
                Liveness::MayBeWaiting
            );
        }
        // Without a process, only the deadline can say.
        assert_eq!(liveness("k", &record(None, "old")), Liveness::MayBeWaiting);
    }
}
