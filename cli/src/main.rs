//! `algolia-insights`: send, validate and delete Insights events from the
//! command line, or serve the Insights API locally. See `--help`.

mod args;
mod check;
mod connect;
mod delete;
mod forward;
mod line_map;
mod lines;
mod metrics;
mod nats_args;
mod nats_send;
mod output;
mod progress;
mod resume;
mod scan;
mod send;
mod serve;
mod validate;

use args::{Cli, Command};
use clap::Parser;
use output::errln;
use std::process::ExitCode;

/// Something was rejected or failed.
const SOME_FAILED: u8 = 1;
/// The command could not run (bad arguments, no credentials, unreadable input).
const CANNOT_RUN: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        // Offline: no runtime needed.
        Command::Validate(args) => validate::run(args),
        _ => match tokio::runtime::Runtime::new() {
            Ok(runtime) => runtime.block_on(run_online(cli.command)),
            Err(error) => Err(format!("cannot start the async runtime: {error}")),
        },
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(SOME_FAILED),
        Err(message) => {
            errln!("error: {message}");
            ExitCode::from(CANNOT_RUN)
        }
    }
}

async fn run_online(command: Command) -> Result<bool, String> {
    match command {
        Command::Send(args) => {
            if let Some(addr) = args.metrics_addr {
                metrics::serve(addr).await?;
            }
            send::run(args).await
        }
        Command::DeleteUserToken(args) => delete::run(&args).await,
        Command::Serve(args) => serve::run(&args).await,
        Command::Forward(args) => {
            if let Some(addr) = args.metrics_addr {
                metrics::serve(addr).await?;
            }
            forward::run(&args).await
        }
        Command::Validate(args) => validate::run(&args),
    }
}
