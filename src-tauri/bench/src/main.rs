//! paydesk's benchmarks. `scripts/bench.sh` builds and runs them and writes BENCHMARKS.md;
//! `scripts/bench.sh --smoke` is the small version CI runs against committed ratios.
//!
//! Every figure is a ratio to a baseline measured in the same run (the machine is shared and
//! noisy): the engine's pay against a raw HTTP request and a bare durable commit, lookups
//! against the sqlite3 shell on the same file, import against sqlite3's `.import`, reconcile
//! against the sandbox's capacity under wrk, start-up and memory against WebKitGTK's
//! MiniBrowser, a shared desk's pay and feed against bare commits and NOTIFY on the same
//! PostgreSQL server. The UI figures come from Playwright (ui/bench) in the same format.

mod commit;
mod figures;
mod import;
mod lookups;
mod lookups_driver;
mod pay;
mod reconcile;
mod report;
mod shared;
mod shared_lookups;
mod sql;
mod startup;
mod startup_page;
mod stats;
mod world;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use crate::figures::{GroupResult, FAIL_AT};

#[derive(Parser)]
#[command(
    name = "paydesk-bench",
    about = "paydesk's benchmarks: ratios to the machine's floor"
)]
struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Measure, writing one JSON file per group into --out.
    Run {
        #[arg(long)]
        out: PathBuf,
        /// Scratch space for stores and files (on the disk being measured).
        #[arg(long, default_value = "target/bench/work")]
        work: PathBuf,
        /// The small sizes CI uses.
        #[arg(long)]
        smoke: bool,
        /// Groups to run, comma-separated: pay, lookups, import, reconcile, startup, shared
        /// (a PostgreSQL server named by libpq's variables).
        #[arg(long, value_delimiter = ',', default_values_t = ["pay".to_string(), "lookups".to_string(), "import".to_string(), "reconcile".to_string()])]
        only: Vec<String>,
        /// The paydesk binary, for start-up.
        #[arg(long)]
        app: Option<PathBuf>,
        /// Rows (or attempts) instead of the group's own size, to profile one at another scale.
        #[arg(long)]
        rows: Option<usize>,
    },
    /// Write BENCHMARKS.md from a run's results.
    Report {
        #[arg(long)]
        results: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value = "scripts/bench.sh")]
        command: String,
        #[arg(long, default_value = "")]
        commit: String,
        /// Hand-written analysis appended to the report.
        #[arg(long)]
        notes: Option<PathBuf>,
        #[arg(long)]
        minutes: Option<f64>,
    },
    /// Profile statements on a database with paydesk's SQLite: the plan and the time of each.
    Explain {
        db: PathBuf,
        /// Values bound to every statement's parameters, in order (integers or text).
        #[arg(long = "bind")]
        binds: Vec<String>,
        /// Statements, each run five times.
        statements: Vec<String>,
    },
    /// Compare runs with the committed smoke ratios; fails on a 2× regression in every run.
    Check {
        #[arg(long)]
        baseline: PathBuf,
        /// Result directories: a retried run may clear a noisy figure.
        #[arg(long, required = true, num_args = 1..)]
        results: Vec<PathBuf>,
        /// Write the groups that failed here, one per line (for a retry).
        #[arg(long)]
        failed_groups: Option<PathBuf>,
        /// Replace the committed ratios with these results' instead of checking.
        #[arg(long)]
        update: bool,
        /// Check only these groups' figures (comma-separated); all when empty.
        #[arg(long, value_delimiter = ',')]
        groups: Vec<String>,
    },
}

/// The runtime paydesk's engine runs on in the window: multi-threaded, a worker per core.
pub(crate) fn engine_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

fn run_group(
    name: &str,
    smoke: bool,
    rows: Option<usize>,
    work: &std::path::Path,
    app: Option<&PathBuf>,
) -> GroupResult {
    let size =
        |smoke_size: usize, full: usize| rows.unwrap_or(if smoke { smoke_size } else { full });
    match name {
        "pay" => pay::run(
            work,
            &pay::Config {
                rounds: if smoke { 9 } else { 15 },
                per_round: if smoke { 20 } else { 40 },
            },
        ),
        "lookups" => lookups::run(
            work,
            &lookups::Config {
                rows: size(10_000, 1_000_000) as i64,
                rounds: if smoke { 3 } else { 5 },
                samples: if smoke { 50 } else { 300 },
                shell_ms: if smoke { 100.0 } else { 250.0 },
                round_ms: if smoke { 1_000.0 } else { 5_000.0 },
            },
        ),
        "import" => import::run(
            work,
            &import::Config {
                rows: size(10_000, 1_000_000),
                rounds: 3,
            },
        ),
        "reconcile" => reconcile::run(
            work,
            &reconcile::Config {
                attempts: size(300, 10_000),
                rounds: 3,
                wrk_seconds: if smoke { 1 } else { 5 },
            },
        ),
        "startup" => startup::run(
            work,
            &startup::Config {
                app: app.cloned().expect("start-up needs --app PATH"),
                rows: size(10_000, 1_000_000) as i64,
                // A launch varies by a fifth either way here: fifteen of each keep the median steady.
                launches: if smoke { 3 } else { 15 },
            },
        ),
        "shared" => {
            assert!(
                shared::has_server(),
                "the shared group needs a PostgreSQL server: PGHOST etc. (pg_virtualenv)"
            );
            shared::run(
                work,
                &shared::Config {
                    rounds: if smoke { 7 } else { 15 },
                    per_round: if smoke { 10 } else { 40 },
                    attempts: size(300, 3_000),
                    lookups: lookups::Config {
                        rows: size(10_000, 1_000_000) as i64,
                        rounds: if smoke { 3 } else { 5 },
                        samples: if smoke { 50 } else { 300 },
                        shell_ms: if smoke { 100.0 } else { 250.0 },
                        round_ms: if smoke { 1_000.0 } else { 5_000.0 },
                    },
                },
            )
        }
        other => panic!("no benchmark group {other:?}"),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match args.command {
        Cmd::Run {
            out,
            work,
            smoke,
            only,
            app,
            rows,
        } => {
            sql::install();
            let work = std::path::absolute(&work).expect("a work directory");
            for name in &only {
                eprintln!("bench: {name}{}", if smoke { " (smoke)" } else { "" });
                let load = figures::load_average();
                let started = Instant::now();
                let mut result = run_group(name, smoke, rows, &work, app.as_ref());
                result.load = (load, figures::load_average());
                result.seconds = started.elapsed().as_secs_f64();
                for f in &result.figures {
                    eprintln!(
                        "  {:<36} {:>9.3} [{:.3}–{:.3}]  {}",
                        f.id,
                        f.ratio.median,
                        f.ratio.lo,
                        f.ratio.hi,
                        match f.passes() {
                            None => "",
                            Some(true) => "target met",
                            Some(false) => "target missed",
                        }
                    );
                }
                figures::write_group(&out, &result).expect("results");
            }
            if std::env::var_os("PAYDESK_BENCH_KEEP").is_none() {
                let _ = std::fs::remove_dir_all(&work);
            }
            ExitCode::SUCCESS
        }
        Cmd::Explain {
            db,
            binds,
            statements,
        } => {
            engine_runtime().block_on(explain(&db, &binds, &statements));
            ExitCode::SUCCESS
        }
        Cmd::Report {
            results,
            out,
            command,
            commit,
            notes,
            minutes,
        } => {
            let groups = match figures::read_groups(&results) {
                Ok(g) => g,
                Err(e) => {
                    eprintln!("paydesk-bench: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let context = report::Context {
                command,
                smoke_command: "scripts/bench.sh --smoke".into(),
                commit,
                notes: notes.map(|p| std::fs::read_to_string(p).expect("notes")),
                minutes,
            };
            std::fs::write(&out, report::render(&groups, &context)).expect("report");
            eprintln!("bench: wrote {}", out.display());
            ExitCode::SUCCESS
        }
        Cmd::Check {
            baseline,
            results,
            failed_groups,
            update,
            groups,
        } => {
            let runs: Result<Vec<Vec<GroupResult>>, String> =
                results.iter().map(|r| figures::read_groups(r)).collect();
            let runs = match runs {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("paydesk-bench: {e}");
                    return ExitCode::FAILURE;
                }
            };
            if update {
                // The groups measured replace their own entries; the others are kept.
                let latest = runs.last().cloned().unwrap_or_default();
                let measured: Vec<&str> = latest.iter().map(|g| g.group.as_str()).collect();
                let mut merged: figures::Baselines = figures::read_baselines(&baseline)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|(id, _)| !measured.contains(&id.split('.').next().unwrap_or("")))
                    .collect();
                merged.extend(figures::baselines_from(&latest));
                figures::write_baselines(&baseline, &merged).expect("baselines");
                eprintln!("bench: wrote {}", baseline.display());
                return ExitCode::SUCCESS;
            }
            let baselines = match figures::read_baselines(&baseline) {
                Ok(b) => b
                    .into_iter()
                    .filter(|(id, _)| {
                        groups.is_empty() || groups.iter().any(|g| id.split('.').next() == Some(g))
                    })
                    .collect(),
                Err(e) => {
                    eprintln!("paydesk-bench: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let verdicts = figures::check(&baselines, &runs);
            let mut failed = std::collections::BTreeSet::new();
            for v in &verdicts {
                eprintln!(
                    "  {:<36} committed {:>9.3}  now {:>9}  {}",
                    v.id,
                    v.baseline,
                    v.current.map_or("–".into(), |c| format!("{c:.3}")),
                    match (v.failed, v.factor) {
                        (false, Some(f)) => format!("ok ({f:.2}× of committed)"),
                        (true, Some(f)) => format!("REGRESSED {f:.2}× (fails at {FAIL_AT}×)"),
                        (_, None) => "NOT MEASURED".into(),
                    }
                );
                if v.failed {
                    failed.insert(v.group.clone());
                }
            }
            if let Some(path) = failed_groups {
                let text: String = failed.iter().map(|g| format!("{g}\n")).collect();
                std::fs::write(path, text).expect("failed groups");
            }
            if failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "bench: regression of {FAIL_AT}× or worse in: {}",
                    failed.iter().cloned().collect::<Vec<_>>().join(", ")
                );
                ExitCode::FAILURE
            }
        }
    }
}

async fn explain(db: &std::path::Path, binds: &[String], statements: &[String]) {
    use sqlx::{Connection, Row};
    let url = format!("sqlite://{}?mode=ro", db.display());
    let mut conn = sqlx::SqliteConnection::connect(&url)
        .await
        .expect("the database opens");
    for sql in statements {
        println!("{sql}");
        fn bind<'q>(
            sql: &'q str,
            binds: &[String],
        ) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
            let mut query = sqlx::query(sql);
            for value in binds {
                query = match value.parse::<i64>() {
                    Ok(n) => query.bind(n),
                    Err(_) => query.bind(value.clone()),
                };
            }
            query
        }
        let plan_sql = format!("EXPLAIN QUERY PLAN {sql}");
        for row in bind(&plan_sql, binds)
            .fetch_all(&mut conn)
            .await
            .expect("a plan")
        {
            println!("  {}", row.get::<String, _>("detail"));
        }
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..5 {
            let started = Instant::now();
            rows = bind(sql, binds)
                .fetch_all(&mut conn)
                .await
                .expect("runs")
                .len();
            times.push(stats::ms(started.elapsed()));
        }
        println!(
            "  {rows} rows, median {}",
            stats::show_ms(stats::median(&times))
        );
    }
}
