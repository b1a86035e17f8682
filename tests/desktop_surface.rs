//! The desktop's attack surface, read from the files that define it: the webview's CSP, the
//! capabilities it is granted, the commands behind them and the plugins compiled in.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn json(path: &str) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `directive source source; ...` → (directive, sources).
fn csp_directives(csp: &str) -> Vec<(String, Vec<String>)> {
    csp.split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut words = d.split_whitespace().map(str::to_string);
            (words.next().unwrap(), words.collect())
        })
        .collect()
}

/// The sources a CSP may name: the app's own bundle, nothing, inline images, and Tauri's IPC
/// (a custom protocol on Linux and macOS, `http://ipc.localhost` where WebView2 needs it).
/// Neither IPC origin leaves the machine.
const LOCAL_SOURCES: &[&str] = &["'self'", "'none'", "ipc:", "http://ipc.localhost"];

fn check_csp(csp: &str) -> Result<(), String> {
    let directives = csp_directives(csp);
    for (name, sources) in &directives {
        for source in sources {
            let lower = source.to_ascii_lowercase();
            if lower.starts_with("'unsafe-") || lower == "'wasm-unsafe-eval'" {
                return Err(format!("{name} allows {source}"));
            }
            if lower == "data:" && name == "img-src" {
                continue;
            }
            if !LOCAL_SOURCES.contains(&lower.as_str()) {
                return Err(format!("{name} allows {source}, which is not local"));
            }
        }
    }
    let get = |name: &str| {
        directives
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.clone())
    };
    let scripts = get("script-src")
        .or_else(|| get("default-src"))
        .ok_or("no script-src and no default-src: scripts from anywhere")?;
    if scripts != ["'self'"] {
        return Err(format!("scripts may come from {scripts:?}"));
    }
    if get("default-src").is_none() {
        return Err("no default-src: every unlisted kind of resource is unrestricted".into());
    }
    for (name, want) in [
        ("object-src", "'none'"),
        ("base-uri", "'none'"),
        ("frame-ancestors", "'none'"),
        ("form-action", "'none'"),
    ] {
        if get(name).as_deref() != Some(&[want.to_string()][..]) {
            return Err(format!("{name} is not {want}"));
        }
    }
    Ok(())
}

#[test]
fn the_csp_allows_nothing_remote_no_inline_script_and_no_eval() {
    let conf = json("tauri.conf.json");
    let security = &conf["app"]["security"];
    let csp = security["csp"].as_str().expect("the CSP is one string");
    check_csp(csp).unwrap();
    // The CSP the developer server runs under, if any, obeys the same rules.
    if let Some(dev) = security.get("devCsp").and_then(Value::as_str) {
        check_csp(dev).unwrap();
    }
    assert_ne!(security["dangerousDisableAssetCspModification"], true);
    assert_eq!(security["freezePrototype"], true);
    assert_eq!(conf["app"]["withGlobalTauri"], false);
    assert!(
        security.get("headers").is_none()
            && security.get("dangerousRemoteDomainIpcAccess").is_none(),
        "{security}"
    );
}

#[test]
fn the_csp_check_catches_what_it_must() {
    let good = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; \
                frame-ancestors 'none'; form-action 'none'";
    check_csp(good).unwrap();
    for bad in [
        good.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
        good.replace("script-src 'self'", "script-src 'self' 'unsafe-eval'"),
        good.replace("script-src 'self'", "script-src 'self' https://cdn.example"),
        good.replace("script-src 'self'", "script-src *"),
        good.replace("script-src 'self'", "script-src data:"),
        format!("{good}; connect-src 'self' https://api.example"),
        format!("{good}; connect-src wss://x.example"),
        format!("{good}; style-src 'self' 'unsafe-inline'"),
        good.replace("object-src 'none'", ""),
        good.replace("default-src 'self';", ""),
    ] {
        assert!(check_csp(&bad).is_err(), "{bad}");
    }
}

/// The strings of `const COMMANDS: &[&str] = &[...]` in build.rs.
fn build_commands() -> BTreeSet<String> {
    let source = read("src-tauri/build.rs");
    let start = source
        .find("const COMMANDS")
        .expect("build.rs lists COMMANDS");
    let list = &source[start..];
    let list = &list[list.find("= &[").unwrap() + 4..list.find("];").unwrap()];
    list.split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[test]
fn capabilities_grant_exactly_the_apps_own_commands_and_event_listening() {
    let commands = build_commands();
    assert!(commands.len() >= 10, "{commands:?}");
    let mut expected: BTreeSet<String> = commands
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    expected.insert("core:event:allow-listen".into());
    expected.insert("core:event:allow-unlisten".into());

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        files,
        ["main.json"],
        "one capability file, for the main window"
    );
    let capability = json("capabilities/main.json");
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
    assert!(
        capability.get("remote").is_none(),
        "no remote URL may call commands"
    );
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().expect("plain permission names").to_string())
        .collect();
    assert_eq!(granted, expected);
}

#[test]
fn the_window_registers_exactly_the_listed_commands() {
    let source = read("src-tauri/desktop.rs");
    let start = source.find("generate_handler![").unwrap() + "generate_handler![".len();
    let registered: BTreeSet<String> = source[start..start + source[start..].find(']').unwrap()]
        .split(',')
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        // A command in a submodule is registered by its path; the window calls it by name.
        .map(|s| s.rsplit("::").next().unwrap().to_string())
        .collect();
    assert_eq!(registered, build_commands());
    let mut sources = vec![source.clone()];
    for entry in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/desktop")).unwrap()
    {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            sources.push(std::fs::read_to_string(path).unwrap());
        }
    }
    let annotated: BTreeSet<String> = sources
        .iter()
        .flat_map(|source| source.split("#[tauri::command]").skip(1))
        .map(|rest| {
            let rest = &rest[rest.find("fn ").unwrap() + "fn ".len()..];
            rest[..rest.find(['(', '<']).unwrap()].trim().to_string()
        })
        .collect();
    assert_eq!(annotated, registered);
}

/// The Tauri plugins compiled in, each for a reason of its own and none reachable from the
/// page (the capability grants none of their permissions: they work from Rust only).
const PLUGINS: &[(&str, &str)] = &[
    (
        "tauri-plugin-single-instance",
        "a second launch on a data directory brings its window to the front",
    ),
    (
        "tauri-plugin-window-state",
        "the window's size, position and maximised state across restarts",
    ),
    (
        "tauri-plugin-dialog",
        "the system's file dialogs for import and export, opened from Rust",
    ),
    (
        "tauri-plugin-fs",
        "tauri-plugin-dialog's dependency (its file paths); never registered",
    ),
];

#[test]
fn only_the_listed_plugins_are_compiled_in_and_the_page_imports_none() {
    let lock = read("Cargo.lock");
    let plugins: BTreeSet<&str> = lock
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .map(|l| l.trim_end_matches('"'))
        .filter(|name| name.starts_with("tauri-plugin-"))
        .collect();
    let allowed: BTreeSet<&str> = PLUGINS.iter().map(|(name, _)| *name).collect();
    assert_eq!(plugins, allowed, "Tauri plugins in Cargo.lock");
    let package = json("ui/package.json");
    for section in ["dependencies", "devDependencies"] {
        if let Some(deps) = package[section].as_object() {
            for name in deps.keys() {
                assert!(
                    !name.starts_with("@tauri-apps/plugin-") && !name.starts_with("tauri-plugin-"),
                    "ui depends on {name}"
                );
            }
        }
    }
    for file in ["src-tauri/desktop.rs", "src-tauri/desktop/instance.rs"] {
        assert!(
            !read(file).contains("tauri_plugin_fs"),
            "{file} registers the file system plugin"
        );
    }
    let granted = read("capabilities/main.json");
    for (plugin, _) in PLUGINS {
        let prefix = plugin.trim_start_matches("tauri-plugin-");
        assert!(
            !granted.contains(&format!("\"{prefix}:")),
            "the page is granted {plugin}'s commands"
        );
    }
}

#[test]
fn no_code_turns_certificate_checks_off() {
    let mut offenders = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for needle in [
                    "danger_accept_invalid_certs",
                    "danger_accept_invalid_hostnames",
                    "dangerous()",
                    "NoCertificateVerification",
                    "tls_built_in_root_certs(false)",
                ] {
                    if text.contains(needle) {
                        offenders.push(format!("{}: {needle}", path.display()));
                    }
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}
