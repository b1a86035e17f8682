//! What a benchmark group writes: figures, each a ratio to a baseline measured in the same
//! run, with their spread, targets and the absolute numbers behind them; and the smoke check
//! that compares a run's ratios to committed ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::stats::Spread;

/// Which way a ratio improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Lower,
    Higher,
}

/// A target and whether this run met it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub text: String,
    pub pass: bool,
}

impl Check {
    pub fn at_most(what: &str, value: f64, limit: f64, show: impl Fn(f64) -> String) -> Check {
        Check {
            text: format!("{what} {} ≤ {}", show(value), show(limit)),
            pass: value <= limit,
        }
    }

    pub fn at_least(what: &str, value: f64, limit: f64, show: impl Fn(f64) -> String) -> Check {
        Check {
            text: format!("{what} {} ≥ {}", show(value), show(limit)),
            pass: value >= limit,
        }
    }
}

/// One figure: `subject / baseline` as measured round by round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// Stable name, the key of the smoke baselines.
    pub id: String,
    pub title: String,
    /// Median of the per-round ratios, with the lowest and highest round.
    pub ratio: Spread,
    pub better: Better,
    /// What was measured, with its absolute numbers.
    pub subject: String,
    /// The floor it is divided by, with its absolute numbers.
    pub baseline: String,
    /// The target on the ratio, if the issue sets one.
    pub target: Option<Check>,
    /// Targets on absolute numbers (latency, memory).
    #[serde(default)]
    pub checks: Vec<Check>,
    pub rounds: usize,
    /// Whether CI's smoke run checks this figure for regressions (a difference of two noisy
    /// timings is reported, not checked: its parts are).
    #[serde(default = "checked")]
    pub checked: bool,
}

fn checked() -> bool {
    true
}

impl Figure {
    pub fn passes(&self) -> Option<bool> {
        let all: Vec<bool> = self
            .target
            .iter()
            .chain(&self.checks)
            .map(|c| c.pass)
            .collect();
        (!all.is_empty()).then(|| all.iter().all(|p| *p))
    }
}

/// What one group of benchmarks wrote.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupResult {
    pub group: String,
    /// Sizes and repetitions, as shown in the report.
    pub setup: Vec<String>,
    /// How each figure was measured, in a few sentences.
    pub method: Vec<String>,
    pub figures: Vec<Figure>,
    /// The 1-minute load average when the group started and ended.
    pub load: (f64, f64),
    pub seconds: f64,
}

pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

pub fn write_group(dir: &Path, result: &GroupResult) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{}.json", result.group));
    std::fs::write(
        &path,
        serde_json::to_string_pretty(result).expect("serializable"),
    )?;
    Ok(path)
}

pub fn read_groups(dir: &Path) -> Result<Vec<GroupResult>, String> {
    let mut groups = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let group: GroupResult =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        groups.push(group);
    }
    Ok(groups)
}

/// How much worse `current` is than `baseline`: 2.0 means twice as bad, whichever way the
/// ratio improves.
pub fn regression(better: Better, baseline: f64, current: f64) -> f64 {
    match better {
        Better::Lower => current / baseline,
        Better::Higher => baseline / current,
    }
}

/// The committed smoke ratios: figure id → (median ratio, which way is better).
pub type Baselines = BTreeMap<String, (f64, Better)>;

pub const FAIL_AT: f64 = 2.0;

/// One figure's verdict against its committed smoke ratio.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub id: String,
    pub group: String,
    pub baseline: f64,
    /// The best ratio over the runs given (a retried run can only clear noise).
    pub current: Option<f64>,
    pub factor: Option<f64>,
    pub failed: bool,
}

/// Compares runs to the committed ratios. A figure fails at a regression of [`FAIL_AT`] or
/// worse in every run given, or when no run measured it.
pub fn check(baselines: &Baselines, runs: &[Vec<GroupResult>]) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    for (id, (baseline, better)) in baselines {
        let best = runs
            .iter()
            .flatten()
            .flat_map(|g| &g.figures)
            .filter(|f| &f.id == id)
            .map(|f| f.ratio.median)
            .reduce(|a, b| match better {
                Better::Lower => a.min(b),
                Better::Higher => a.max(b),
            });
        let factor = best.map(|value| regression(*better, *baseline, value));
        verdicts.push(Verdict {
            id: id.clone(),
            group: id.split('.').next().unwrap_or(id).to_string(),
            baseline: *baseline,
            current: best,
            factor,
            failed: factor.is_none_or(|f| f >= FAIL_AT),
        });
    }
    verdicts
}

pub fn baselines_from(runs: &[GroupResult]) -> Baselines {
    runs.iter()
        .flat_map(|g| &g.figures)
        .filter(|f| f.checked)
        .map(|f| (f.id.clone(), (f.ratio.median, f.better)))
        .collect()
}

pub fn read_baselines(path: &Path) -> Result<Baselines, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn write_baselines(path: &Path, baselines: &Baselines) -> std::io::Result<()> {
    let mut text = serde_json::to_string_pretty(baselines).expect("serializable");
    text.push('\n');
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str, figures: &[(&str, f64, Better)]) -> GroupResult {
        GroupResult {
            group: name.into(),
            setup: vec![],
            method: vec![],
            figures: figures
                .iter()
                .map(|(id, ratio, better)| Figure {
                    id: id.to_string(),
                    title: id.to_string(),
                    ratio: Spread {
                        median: *ratio,
                        lo: *ratio,
                        hi: *ratio,
                    },
                    better: *better,
                    subject: String::new(),
                    baseline: String::new(),
                    target: None,
                    checks: vec![],
                    rounds: 1,
                    checked: true,
                })
                .collect(),
            load: (0.0, 0.0),
            seconds: 0.0,
        }
    }

    #[test]
    fn a_twofold_regression_fails_either_way_round() {
        let baselines: Baselines = [
            ("pay.vs_http".to_string(), (3.0, Better::Lower)),
            ("reconcile.share".to_string(), (0.4, Better::Higher)),
        ]
        .into();
        let fine = vec![
            group("pay", &[("pay.vs_http", 5.9, Better::Lower)]),
            group("reconcile", &[("reconcile.share", 0.21, Better::Higher)]),
        ];
        assert!(check(&baselines, &[fine]).iter().all(|v| !v.failed));

        let slower = vec![
            group("pay", &[("pay.vs_http", 6.0, Better::Lower)]),
            group("reconcile", &[("reconcile.share", 0.2, Better::Higher)]),
        ];
        let verdicts = check(&baselines, &[slower]);
        assert!(verdicts.iter().all(|v| v.failed), "{verdicts:?}");
        assert_eq!(verdicts[0].factor, Some(2.0));
    }

    #[test]
    fn a_retry_clears_noise_but_not_a_missing_figure() {
        let baselines: Baselines = [
            ("pay.vs_http".to_string(), (3.0, Better::Lower)),
            ("import.vs_import".to_string(), (1.5, Better::Lower)),
        ]
        .into();
        let noisy = vec![group("pay", &[("pay.vs_http", 9.0, Better::Lower)])];
        let retried = vec![group("pay", &[("pay.vs_http", 3.2, Better::Lower)])];
        let verdicts = check(&baselines, &[noisy, retried]);
        let pay = verdicts.iter().find(|v| v.id == "pay.vs_http").unwrap();
        assert!(!pay.failed);
        assert_eq!(pay.current, Some(3.2));
        let import = verdicts
            .iter()
            .find(|v| v.id == "import.vs_import")
            .unwrap();
        assert!(import.failed, "a figure nobody measured fails");
        assert_eq!(import.group, "import");
    }

    #[test]
    fn a_figure_passes_when_every_target_does() {
        let mut figure = group("pay", &[("pay.x", 1.0, Better::Lower)]).figures[0].clone();
        assert_eq!(figure.passes(), None);
        figure.target = Some(Check::at_most("ratio", 1.2, 1.5, |v| format!("{v:.2}×")));
        assert_eq!(figure.passes(), Some(true));
        assert_eq!(figure.target.as_ref().unwrap().text, "ratio 1.20× ≤ 1.50×");
        figure
            .checks
            .push(Check::at_least("share", 0.3, 0.5, |v| format!("{v:.2}")));
        assert_eq!(figure.passes(), Some(false));
    }
}
