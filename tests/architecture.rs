//! The shape of the code, checked: files small enough to hold in one's head, and the core's
//! modules depending on each other in one direction only (deciding below doing, the store
//! below the engine, the application layer on top), so that a change to one room does not
//! ripple back through the house.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The most lines of code a file under `src-tauri/` may hold: non-blank, non-comment lines
/// outside `#[cfg(test)]` modules.
const MAX_LINES_OF_CODE: usize = 600;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// The file's lines of code: blank lines, `//` comments and `#[cfg(test)]` modules (inline,
/// or declared from another file) left out.
fn lines_of_code(text: &str) -> Vec<&str> {
    let mut code = Vec::new();
    let mut after_cfg_test = false;
    let mut skipped_depth: Option<i64> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(depth) = skipped_depth.as_mut() {
            *depth += line.matches('{').count() as i64 - line.matches('}').count() as i64;
            if *depth <= 0 {
                skipped_depth = None;
            }
            continue;
        }
        if trimmed.starts_with("#[cfg(test)]") {
            after_cfg_test = true;
            continue;
        }
        if after_cfg_test {
            if trimmed.starts_with("#[") {
                continue;
            }
            after_cfg_test = false;
            let item = trimmed.trim_start_matches("pub(crate) ");
            if item.starts_with("mod ") && trimmed.ends_with('{') {
                skipped_depth = Some(1);
                continue;
            }
            if trimmed.ends_with(';') {
                continue;
            }
        }
        if trimmed.is_empty() || trimmed.starts_with("//") {
            continue;
        }
        code.push(line);
    }
    code
}

#[test]
fn no_file_under_src_tauri_holds_more_than_600_lines_of_code() {
    let mut files = Vec::new();
    rust_files(&repo().join("src-tauri"), &mut files);
    assert!(files.len() > 50, "found only {} files", files.len());
    let too_long: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            let n = lines_of_code(&text).len();
            (n > MAX_LINES_OF_CODE)
                .then(|| format!("{} ({n})", path.strip_prefix(repo()).unwrap().display()))
        })
        .collect();
    assert!(
        too_long.is_empty(),
        "files over {MAX_LINES_OF_CODE} lines of code: {too_long:?}"
    );
}

#[test]
fn counting_leaves_out_comments_blanks_and_test_modules() {
    let text = "//! doc\nuse a;\n\n// why\nfn f() {}\n#[cfg(test)]\n#[path = \"x.rs\"]\nmod x;\n#[cfg(test)]\nmod tests {\n    fn g() {\n    }\n}\nfn h() {}\n";
    assert_eq!(lines_of_code(text), ["use a;", "fn f() {}", "fn h() {}"]);
}

/// The core's top-level module a file belongs to (`store/orders.rs` is `store`).
fn core_module(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_string_lossy();
    let module = first.trim_end_matches(".rs").to_string();
    (module != "lib").then_some(module)
}

/// Which core module uses which: every `crate::name` in a file's code (tests left out).
fn core_dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let src = repo().join("src-tauri/core/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let Some(module) = core_module(&src, &file) else {
            continue;
        };
        let name = file.file_name().unwrap().to_string_lossy();
        if name.contains("test") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let uses = graph.entry(module.clone()).or_default();
        for line in lines_of_code(&text) {
            for (at, _) in line.match_indices("crate::") {
                let used: String = line[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !used.is_empty() && used != module {
                    uses.insert(used);
                }
            }
        }
    }
    graph
}

/// A cycle in the graph, as the modules along it, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_core_s_modules_depend_on_each_other_in_one_direction_only() {
    let graph = core_dependencies();
    assert!(
        graph
            .get("engine")
            .is_some_and(|uses| uses.contains("store")),
        "the scan found the engine's use of the store: {graph:?}"
    );
    assert_eq!(find_cycle(&graph), None, "{graph:#?}");
    // Deciding stays pure: it reads no store, engine or shell.
    for pure in ["settling", "pricing", "sender", "clock", "day_comparison"] {
        let uses = graph.get(pure).cloned().unwrap_or_default();
        assert!(
            uses.iter()
                .all(|m| ["domain", "sender", "clock"].contains(&m.as_str())),
            "{pure} uses {uses:?}"
        );
    }
}

#[test]
fn a_cycle_is_found_and_named() {
    let graph = BTreeMap::from([
        ("a".to_string(), BTreeSet::from(["b".to_string()])),
        ("b".to_string(), BTreeSet::from(["c".to_string()])),
        ("c".to_string(), BTreeSet::from(["a".to_string()])),
    ]);
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    let acyclic = BTreeMap::from([("a".to_string(), BTreeSet::from(["b".to_string()]))]);
    assert_eq!(find_cycle(&acyclic), None);
}

/// Every window command runs in a span of its own, and records no argument it was not told to:
/// `skip_all` keeps a secret (set_secret's value) out of the log whatever is added later.
#[test]
fn every_window_command_runs_in_a_span_that_records_only_named_fields() {
    let mut files = Vec::new();
    rust_files(&repo().join("src-tauri/desktop"), &mut files);
    files.push(repo().join("src-tauri/desktop.rs"));
    let mut commands = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (at, line) in lines.iter().enumerate() {
            if line.trim() != "#[tauri::command]" {
                continue;
            }
            commands += 1;
            let next = lines.get(at + 1).map(|l| l.trim()).unwrap_or_default();
            assert!(
                next.starts_with("#[tracing::instrument(skip_all"),
                "{}:{}: a command without a span that skips its arguments",
                file.display(),
                at + 1
            );
        }
    }
    assert!(commands >= 20, "found only {commands} commands");
}
