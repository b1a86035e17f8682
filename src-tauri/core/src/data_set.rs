//! A desk's two data sets, kept apart so demo money never mixes with real money: the live data
//! (the data directory itself, as it always was) and the demo (its `demo` directory, with the
//! built-in sandbox's profiles and orders). Each has its own database; keyring entries are per
//! profile, so they are apart too.
//!
//! The window opens the demo on a first launch and stays on whichever set the person chose
//! last (`data-set` in the data directory); the command line works on the live data unless
//! `--demo` asks for the demo, so a script never touches demo orders by accident.

use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

/// Which of a desk's data sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DataSet {
    Live,
    Demo,
}

impl DataSet {
    pub fn as_str(self) -> &'static str {
        match self {
            DataSet::Live => "live",
            DataSet::Demo => "demo",
        }
    }

    pub fn parse(text: &str) -> Option<DataSet> {
        match text.trim() {
            "live" => Some(DataSet::Live),
            "demo" => Some(DataSet::Demo),
            _ => None,
        }
    }

    /// Where this set's files live in a desk's data directory.
    pub fn dir(self, data_dir: &Path) -> PathBuf {
        match self {
            DataSet::Live => data_dir.to_path_buf(),
            DataSet::Demo => data_dir.join(DEMO_DIR),
        }
    }
}

/// The demo's directory inside the data directory.
pub const DEMO_DIR: &str = "demo";

/// The file in the data directory naming the set the window shows.
pub const CHOICE_FILE: &str = "data-set";

/// The set the window opens: the demo when asked for (`--demo`), else the one chosen last,
/// else the live data where it is in use already (a profile, or a shared store, set up at the
/// command line or by an earlier paydesk), else the demo: a first launch.
pub fn window_opens(demo_asked: bool, chosen: Option<DataSet>, live_in_use: bool) -> DataSet {
    if demo_asked {
        return DataSet::Demo;
    }
    match chosen {
        Some(set) => set,
        None if live_in_use => DataSet::Live,
        None => DataSet::Demo,
    }
}

/// The set the window was last left on, if a choice was ever made and can be read.
pub fn chosen(data_dir: &Path) -> Option<DataSet> {
    std::fs::read_to_string(data_dir.join(CHOICE_FILE))
        .ok()
        .and_then(|text| DataSet::parse(&text))
}

/// Records the set the window shows from now on, replacing the file whole so a crash leaves
/// the old choice or the new one.
pub fn choose(data_dir: &Path, set: DataSet) -> std::io::Result<()> {
    crate::private_files::create_dir(data_dir)?;
    let path = data_dir.join(CHOICE_FILE);
    let partial = data_dir.join(format!("{CHOICE_FILE}.partial"));
    std::fs::write(&partial, format!("{}\n", set.as_str()))?;
    std::fs::rename(&partial, &path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_opens_the_demo_first_then_what_was_chosen() {
        use DataSet::{Demo, Live};
        // (--demo, chosen, live data in use) → opened
        let table = [
            (false, None, false, Demo),
            (false, None, true, Live),
            (false, Some(Live), false, Live),
            (false, Some(Demo), true, Demo),
            (false, Some(Live), true, Live),
            (true, Some(Live), true, Demo),
            (true, None, false, Demo),
        ];
        for (demo_asked, chosen, in_use, opened) in table {
            assert_eq!(
                window_opens(demo_asked, chosen, in_use),
                opened,
                "--demo {demo_asked}, chosen {chosen:?}, live in use {in_use}"
            );
        }
    }

    #[test]
    fn a_choice_is_kept_in_the_data_directory_and_nonsense_is_no_choice() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(chosen(dir.path()), None);
        choose(dir.path(), DataSet::Live).unwrap();
        assert_eq!(chosen(dir.path()), Some(DataSet::Live));
        choose(dir.path(), DataSet::Demo).unwrap();
        assert_eq!(chosen(dir.path()), Some(DataSet::Demo));
        std::fs::write(dir.path().join(CHOICE_FILE), "both").unwrap();
        assert_eq!(chosen(dir.path()), None);
        assert_eq!(DataSet::Demo.dir(dir.path()), dir.path().join("demo"));
        assert_eq!(DataSet::Live.dir(dir.path()), dir.path());
    }
}
