//! BENCHMARKS.md: the machine, every figure with its spread, baseline and targets, and the
//! command that reproduces it.

use std::fmt::Write;
use std::process::Command;

use crate::figures::{Better, Figure, GroupResult};

const SECTIONS: [(&str, &str); 7] = [
    ("pay", "1. Pay overhead"),
    ("lookups", "2. Lookups"),
    ("import", "3. Import"),
    ("reconcile", "4. Reconcile"),
    ("startup", "5. Start-up and memory"),
    ("ui", "6. The UI at 1,000,000 rows"),
    ("shared", "7. A shared store (PostgreSQL)"),
];

fn first_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .next()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn memory_gb() -> f64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0)
}

fn ratio_text(figure: &Figure) -> String {
    let r = figure.ratio;
    let show = |v: f64| {
        if figure.id == "reconcile.share" {
            format!("{:.1}%", v * 100.0)
        } else if v >= 100.0 {
            format!("{v:.0}×")
        } else if v >= 10.0 {
            format!("{v:.1}×")
        } else {
            format!("{v:.2}×")
        }
    };
    format!("{} [{}–{}]", show(r.median), show(r.lo), show(r.hi))
}

fn verdict(figure: &Figure) -> &'static str {
    match figure.passes() {
        None => "–",
        Some(true) => "met",
        Some(false) => "**missed**",
    }
}

fn targets(figure: &Figure) -> String {
    let all: Vec<String> = figure
        .target
        .iter()
        .chain(&figure.checks)
        .map(|c| format!("{}{}", c.text, if c.pass { "" } else { " ✗" }))
        .collect();
    if all.is_empty() {
        "–".into()
    } else {
        all.join("; ")
    }
}

pub struct Context {
    pub command: String,
    pub smoke_command: String,
    pub commit: String,
    pub notes: Option<String>,
    pub minutes: Option<f64>,
}

pub fn render(groups: &[GroupResult], context: &Context) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(
        md,
        "paydesk measured against the floor of the machine it runs on. The machine is shared and \
         noisy, so every figure is a **ratio to a baseline measured in the same run**, round by \
         round, interleaved with it: the median over the rounds, with the lowest and highest \
         round in brackets. Absolute numbers are there to read; runs are compared by ratios.\n"
    );
    let _ = writeln!(
        md,
        "Reproduce everything (release build, writes this file{}):\n\n```sh\n{}\n```\n",
        context
            .minutes
            .map(|m| format!(", about {m:.0} minutes here"))
            .unwrap_or_default(),
        context.command
    );
    let _ = writeln!(
        md,
        "CI runs a small version, `{}` (10,000 rows instead of a million, no release build), and \
         fails when a ratio is 2× worse than its committed value in \
         `src-tauri/bench/smoke-baseline.json`.\n",
        context.smoke_command
    );

    let _ = writeln!(md, "## Machine\n");
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let _ = writeln!(md, "- CPU: {} × {cores} cores", cpu_model());
    let _ = writeln!(md, "- memory: {:.0} GB", memory_gb());
    if let Some(kernel) = first_line("uname", &["-sr"]) {
        let _ = writeln!(md, "- kernel: {kernel}");
    }
    if let Some(os) = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        })
    {
        let _ = writeln!(md, "- system: {os}");
    }
    if let Some(disk) = first_line("sh", &["-c", "df -T --output=source,fstype . | tail -1"]) {
        let _ = writeln!(md, "- disk of the work directory: {disk}");
    }
    let _ = writeln!(
        md,
        "- SQLite: {} in paydesk (bundled by libsqlite3-sys), {} in the `sqlite3` shell",
        sqlx_sqlite_version(),
        first_line("sqlite3", &["--version"])
            .and_then(|v| v.split_whitespace().next().map(str::to_string))
            .unwrap_or_else(|| "?".into())
    );
    if let Some(webkit) = first_line("pkg-config", &["--modversion", "webkit2gtk-4.1"]) {
        let _ = writeln!(md, "- WebKitGTK: {webkit}");
    }
    if let Some(chromium) = first_line("chromium", &["--version"]) {
        let _ = writeln!(md, "- browser for the UI figures: {chromium}");
    }
    let _ = writeln!(md, "- commit: {}", context.commit);
    let _ = writeln!(md, "- 1-minute load average at the start → end of each group (2 cores; the bench's own work counts in it):");
    for group in ordered(groups) {
        let _ = writeln!(
            md,
            "  - {}: {:.1} → {:.1} ({:.0} s)",
            group.group, group.load.0, group.load.1, group.seconds
        );
    }

    let _ = writeln!(md, "\n## Summary\n");
    let _ = writeln!(
        md,
        "| figure | ratio, median [lowest–highest round] | better | targets | verdict |"
    );
    let _ = writeln!(md, "| --- | --- | --- | --- | --- |");
    for group in ordered(groups) {
        for figure in &group.figures {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                figure.title,
                ratio_text(figure),
                match figure.better {
                    Better::Lower => "lower",
                    Better::Higher => "higher",
                },
                targets(figure),
                verdict(figure)
            );
        }
    }

    for group in ordered(groups) {
        let title = SECTIONS
            .iter()
            .find(|(g, _)| *g == group.group)
            .map_or(group.group.as_str(), |(_, t)| t);
        let _ = writeln!(md, "\n## {title}\n");
        for line in &group.setup {
            let _ = writeln!(md, "- {line}");
        }
        let _ = writeln!(md);
        for line in &group.method {
            let _ = writeln!(md, "{line}");
        }
        let _ = writeln!(md);
        for figure in &group.figures {
            let _ = writeln!(
                md,
                "**{}** — {} ({} rounds)\n",
                figure.title,
                ratio_text(figure),
                figure.rounds
            );
            let _ = writeln!(md, "- measured: {}", figure.subject);
            let _ = writeln!(md, "- baseline: {}", figure.baseline);
            let _ = writeln!(md, "- targets: {} — {}\n", targets(figure), verdict(figure));
        }
    }

    if let Some(notes) = &context.notes {
        let _ = writeln!(md, "\n{}", notes.trim());
    }
    md
}

fn ordered(groups: &[GroupResult]) -> Vec<&GroupResult> {
    let mut out: Vec<&GroupResult> = Vec::new();
    for (name, _) in SECTIONS {
        out.extend(groups.iter().filter(|g| g.group == name));
    }
    out.extend(
        groups
            .iter()
            .filter(|g| !SECTIONS.iter().any(|(n, _)| *n == g.group)),
    );
    out
}

fn sqlx_sqlite_version() -> String {
    // SAFETY: sqlite3_libversion returns a static NUL-terminated string.
    unsafe { std::ffi::CStr::from_ptr(libsqlite3_sys::sqlite3_libversion()) }
        .to_string_lossy()
        .into_owned()
}
