//! The SQL paydesk runs, captured from sqlx's statement log, and the sqlite3 shell running the
//! same statements with the same values on the same file.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use tracing::field::{Field, Visit};
use tracing::subscriber::Interest;
use tracing::{Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

struct Captured {
    on: AtomicBool,
    statements: Mutex<Vec<String>>,
}

fn captured() -> &'static Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED.get_or_init(|| Captured {
        on: AtomicBool::new(false),
        statements: Mutex::new(Vec::new()),
    })
}

/// Listens to sqlx's statement log (target `sqlx::query`) only while [`capture`] runs; the
/// rest of the time the log costs a relaxed load.
struct StatementLog;

const TARGET: &str = "sqlx::query";

impl<S: Subscriber> Layer<S> for StatementLog {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        if meta.target() == TARGET {
            Interest::sometimes()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, meta: &Metadata<'_>, _: Context<'_, S>) -> bool {
        meta.target() == TARGET && captured().on.load(Ordering::Relaxed)
    }

    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        #[derive(Default)]
        struct Fields {
            summary: String,
            statement: String,
        }
        impl Visit for Fields {
            fn record_str(&mut self, field: &Field, value: &str) {
                match field.name() {
                    "summary" => self.summary = value.to_string(),
                    "db.statement" => self.statement = value.to_string(),
                    _ => {}
                }
            }
            fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        // sqlx logs a short statement whole as its summary, a long one in db.statement.
        let sql = if fields.statement.trim().is_empty() {
            fields.summary
        } else {
            fields.statement.trim().to_string()
        };
        captured().statements.lock().unwrap().push(sql);
    }
}

/// Installs the statement log. Call once, before any store is opened.
pub fn install() {
    let _ = tracing_subscriber::registry().with(StatementLog).try_init();
}

/// Runs `f` and returns the SQL statements it ran, in order.
pub async fn capture<T>(f: impl std::future::Future<Output = T>) -> (T, Vec<String>) {
    captured().statements.lock().unwrap().clear();
    captured().on.store(true, Ordering::SeqCst);
    let out = f.await;
    captured().on.store(false, Ordering::SeqCst);
    let statements = std::mem::take(&mut *captured().statements.lock().unwrap());
    (out, statements)
}

/// A bound value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Int(i64),
}

impl Value {
    fn literal(&self) -> String {
        match self {
            Value::Text(s) => format!("'{}'", s.replace('\'', "''")),
            Value::Int(n) => n.to_string(),
        }
    }
}

/// `sql` with its parameters written in as literals, numbered as SQLite numbers them: `?NNN`
/// and `$NNN` are parameter NNN, a bare `?` one more than the largest number so far. Quoted
/// text and identifiers are left alone.
pub fn inline(sql: &str, values: &[Value]) -> Result<String, String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = String::with_capacity(sql.len() + 64);
    let mut largest = 0usize;
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match c {
            '\'' | '"' | '`' => {
                quote = Some(c);
                out.push(c);
                i += 1;
            }
            // `?`, `?NNN` (SQLite's) and `$NNN` (what both SQLite and PostgreSQL read).
            '?' | '$' if c == '?' || chars.get(i + 1).is_some_and(char::is_ascii_digit) => {
                let mut j = i + 1;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                let number = if j > i + 1 {
                    let n: usize = chars[i + 1..j].iter().collect::<String>().parse().unwrap();
                    largest = largest.max(n);
                    n
                } else {
                    largest += 1;
                    largest
                };
                let value = values
                    .get(number - 1)
                    .ok_or_else(|| format!("parameter {number} has no value in {sql}"))?;
                out.push_str(&value.literal());
                i = j;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    if largest != values.len() {
        return Err(format!(
            "{} values for {largest} parameters in {sql}",
            values.len()
        ));
    }
    Ok(out)
}

/// CPU time (user + system) of this process's finished children, ms (10 ms resolution).
pub fn children_cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            let close = stat.rfind(')')?;
            let fields: Vec<&str> = stat[close + 2..].split_whitespace().collect();
            // cutime and cstime: fields 16 and 17 of stat, counted from the state (field 3).
            let ticks: f64 =
                fields.get(13)?.parse::<f64>().ok()? + fields.get(14)?.parse::<f64>().ok()?;
            Some(ticks * 10.0)
        })
        .unwrap_or(0.0)
}

/// Runs a script in the sqlite3 shell on `db` and returns its wall time in ms and output.
pub fn shell(db: &Path, script: &str) -> Result<(f64, String), String> {
    let dir = db.parent().unwrap_or(Path::new("."));
    let script_path = dir.join("bench-script.sql");
    std::fs::File::create(&script_path)
        .and_then(|mut f| f.write_all(script.as_bytes()))
        .map_err(|e| format!("{}: {e}", script_path.display()))?;
    let input = std::fs::File::open(&script_path).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let out = Command::new("sqlite3")
        .arg("-batch")
        .arg("-bail")
        .arg(db)
        .stdin(Stdio::from(input))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("sqlite3 (install it: scripts/setup.sh --test): {e}"))?;
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || !stderr.trim().is_empty() {
        return Err(format!("sqlite3 failed: {stderr}"));
    }
    Ok((elapsed, String::from_utf8_lossy(&out.stdout).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_in_where_sqlite_would_bind_them() {
        let sql = "SELECT 'a?', \"b?\" FROM t WHERE x = ? AND y = ?2 OR z = ?1 AND w = ?";
        let values = [
            Value::Text("it's".into()),
            Value::Int(7),
            Value::Text("last".into()),
        ];
        assert_eq!(
            inline(sql, &values).unwrap(),
            "SELECT 'a?', \"b?\" FROM t WHERE x = 'it''s' AND y = 7 OR z = 'it''s' AND w = 'last'"
        );
        let numbered = "SELECT '$1' FROM t WHERE a = $2 AND b = $1 AND c = $2";
        assert_eq!(
            inline(numbered, &[Value::Int(1), Value::Text("two".into())]).unwrap(),
            "SELECT '$1' FROM t WHERE a = 'two' AND b = 1 AND c = 'two'"
        );
        assert!(inline("SELECT ?", &[]).is_err());
        assert!(inline("SELECT ?", &[Value::Int(1), Value::Int(2)]).is_err());
    }
}
