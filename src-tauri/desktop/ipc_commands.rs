//! The window's typed view of the commands and events (`ui/src/ipc/commands.ts`), read from
//! the Rust that defines them: the commands `generate_handler!` registers, each with its
//! arguments (as the window names them) and what it returns, and every `WindowEvent` with its
//! payload. `ipc_bindings` writes it beside the shapes and fails when the committed file
//! differs, so a command renamed, an argument added or a type changed breaks the type check
//! of every caller in the window.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use syn::{FnArg, GenericArgument, Item, Pat, PathArguments, ReturnType, Type};
use ts_rs::TS;

use super::WindowEvent;

/// Arguments Tauri fills in itself; the window never sends them.
const INJECTED: &[&str] = &["State", "AppHandle", "Window", "WebviewWindow"];

fn source(relative: &str) -> syn::File {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src-tauri")
        .join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// `module::command` paths in `generate_handler![…]`, in their order.
fn registered_commands() -> Vec<(Option<String>, String)> {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src-tauri/desktop.rs"),
    )
    .unwrap();
    let start = text.find("generate_handler![").expect("generate_handler!") + 18;
    let list = &text[start..start + text[start..].find(']').unwrap()];
    list.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match p.rsplit_once("::") {
            Some((module, name)) => (Some(module.to_string()), name.to_string()),
            None => (None, p.to_string()),
        })
        .collect()
}

fn find_command(file: &syn::File, name: &str) -> syn::Signature {
    file.items
        .iter()
        .find_map(|item| match item {
            Item::Fn(f) if f.sig.ident == name => {
                let is_command = f.attrs.iter().any(|a| {
                    let path = a.path();
                    path.segments.len() == 2
                        && path.segments[0].ident == "tauri"
                        && path.segments[1].ident == "command"
                });
                assert!(
                    is_command,
                    "{name} is registered but is not a tauri command"
                );
                Some(f.sig.clone())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no fn {name}"))
}

/// `order_no` → `orderNo`: how Tauri names a command's arguments for the window.
fn camel_case(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn generic_args(args: &PathArguments) -> Vec<&Type> {
    match args {
        PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|g| match g {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The TypeScript for a Rust type a command takes or returns; named shapes are collected in
/// `imports` (each is a declaration ts-rs writes beside this file).
fn typescript(ty: &Type, imports: &mut BTreeSet<String>) -> String {
    match ty {
        Type::Reference(r) => typescript(&r.elem, imports),
        Type::Tuple(t) if t.elems.is_empty() => "null".into(),
        Type::Path(p) => {
            let last = p.path.segments.last().expect("a type name");
            let args = generic_args(&last.arguments);
            match last.ident.to_string().as_str() {
                "String" | "str" => "string".into(),
                "bool" => "boolean".into(),
                "i32" | "i64" | "u32" | "u64" | "usize" => "number".into(),
                "Option" => format!("{} | null", typescript(args[0], imports)),
                "Vec" => format!("Array<{}>", typescript(args[0], imports)),
                "BTreeMap" | "HashMap" => format!(
                    "Record<{}, {}>",
                    typescript(args[0], imports),
                    typescript(args[1], imports)
                ),
                "Result" => typescript(args[0], imports),
                name => {
                    imports.insert(name.to_string());
                    name.to_string()
                }
            }
        }
        _ => panic!("a command uses a type the window cannot name (a slice, a tuple, …)"),
    }
}

fn is_injected(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| INJECTED.contains(&s.ident.to_string().as_str())),
        Type::Reference(r) => is_injected(&r.elem),
        _ => false,
    }
}

fn command_entry(signature: &syn::Signature, imports: &mut BTreeSet<String>) -> String {
    let mut args = Vec::new();
    for input in &signature.inputs {
        let FnArg::Typed(arg) = input else {
            panic!("{}: a command is a free function", signature.ident)
        };
        if is_injected(&arg.ty) {
            continue;
        }
        let Pat::Ident(name) = &*arg.pat else {
            panic!("{}: arguments are plain names", signature.ident)
        };
        let optional = matches!(&*arg.ty, Type::Path(p)
            if p.path.segments.last().is_some_and(|s| s.ident == "Option"));
        args.push(format!(
            "{}{}: {}",
            camel_case(&name.ident.to_string()),
            if optional { "?" } else { "" },
            typescript(&arg.ty, imports)
        ));
    }
    let returns = match &signature.output {
        ReturnType::Default => "null".to_string(),
        ReturnType::Type(_, ty) => typescript(ty, imports),
    };
    let args = if args.is_empty() {
        "Record<string, never>".to_string()
    } else {
        format!("{{ {} }}", args.join(", "))
    };
    format!(
        "  {}: {{ args: {args}; returns: {returns} }};",
        signature.ident
    )
}

fn event_entry<E: WindowEvent + TS>(imports: &mut BTreeSet<String>) -> String {
    imports.insert(E::name(&ts_rs::Config::default()));
    format!("  {:?}: {};", E::NAME, E::name(&ts_rs::Config::default()))
}

/// `ui/src/ipc/commands.ts`, as the Rust says it is today.
pub(super) fn commands_ts() -> String {
    let mut imports = BTreeSet::new();
    let mut commands = Vec::new();
    for (module, name) in registered_commands() {
        let file = match &module {
            Some(module) => source(&format!("desktop/{module}.rs")),
            None => source("desktop.rs"),
        };
        commands.push(command_entry(&find_command(&file, &name), &mut imports));
    }
    let events = [
        event_entry::<paydesk_core::changes::Change>(&mut imports),
        event_entry::<paydesk_core::import::Progress>(&mut imports),
        event_entry::<super::notification_words::ShowOrders>(&mut imports),
    ];
    let mut out = String::from(
        "// Generated from the window's commands and events in src-tauri/desktop (see\n\
         // desktop/ipc_commands.rs). Do not edit this file manually.\n",
    );
    for name in &imports {
        out.push_str(&format!("import type {{ {name} }} from \"./{name}\";\n"));
    }
    out.push_str(
        "\n/** Every command the window may call: its arguments and what it returns. */\n",
    );
    out.push_str("export type Commands = {\n");
    out.push_str(&commands.join("\n"));
    out.push_str("\n};\n\n/** Every event the back end sends the window, with its payload. */\n");
    out.push_str("export type Events = {\n");
    out.push_str(&events.join("\n"));
    out.push_str("\n};\n");
    out
}

/// Writes `commands.ts` into `dir`, where the shapes it imports are.
pub(super) fn write_commands(dir: &Path) {
    std::fs::write(dir.join("commands.ts"), commands_ts()).unwrap();
}

#[test]
fn every_event_is_sent_through_the_typed_emit() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src-tauri");
    let mut files = vec![root.join("desktop.rs")];
    for entry in std::fs::read_dir(root.join("desktop")).unwrap() {
        let path = entry.unwrap().path();
        if !path.ends_with("ipc_commands.rs") {
            files.push(path);
        }
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let raw = text.matches(".emit(").count() + text.matches(".emit_to(").count();
        let typed = text.matches("app.emit(E::NAME, event)").count();
        assert_eq!(
            raw,
            typed,
            "{}: an event sent by name, not through emit()",
            file.display()
        );
    }
}

#[test]
fn arguments_are_named_as_the_window_sends_them() {
    assert_eq!(camel_case("order_no"), "orderNo");
    assert_eq!(camel_case("since_ms"), "sinceMs");
    assert_eq!(camel_case("query"), "query");
    let generated = commands_ts();
    assert!(
        generated.contains(
            "  pay_order: { args: { orderNo: string, channel: string, deductions?: Array<DeductionInput> | null, coupon?: string | null, creditAmount?: string | null, subscriptionRefunds?: Array<RefundInput> | null, revision?: number | null }; returns: PaymentReport };"
        ),
        "{generated}"
    );
    assert!(generated.contains("  \"change\": Change;"), "{generated}");
}
