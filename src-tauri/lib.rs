//! The paydesk binary: a thin desktop shell (Tauri) and a thin command line over
//! `paydesk-core`. Both only translate input into core calls and results into output.

mod cli;
mod desktop;
mod panic_hook;
mod runtime;

use std::process::ExitCode;

use clap::Parser;

pub fn main() -> ExitCode {
    panic_hook::install();
    let args = cli::Args::parse();
    let launch = runtime::Launch {
        data_dir: args.data_dir,
        names: runtime::desk_names(args.desk, args.operator),
        demo: args.demo,
    };
    match args.command {
        None => desktop::run(launch),
        Some(command) => cli::run(launch, command),
    }
}
