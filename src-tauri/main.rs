// No console window on Windows release builds; the CLI still writes to a parent terminal.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    paydesk_app::main()
}
