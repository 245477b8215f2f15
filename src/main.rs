//! The `newsenrich` binary: parses flags and hands over to the library.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Parser as _;
use newsenrich::cli::{Cli, Command, LogFormat};
use newsenrich::pipeline::{Enricher, Pipeline, PipelineConfig};
use newsenrich::server;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(&args),
        Command::Enrich(args) => enrich(&args),
        Command::Eval(args) => newsenrich::eval::run(&args, &mut std::io::stdout().lock())
            .map(|()| ExitCode::SUCCESS)
            .map_err(anyhow::Error::from),
        Command::Train(args) => newsenrich::train::run(&args, &mut std::io::stdout().lock())
            .map(|()| ExitCode::SUCCESS)
            .map_err(anyhow::Error::from),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("newsenrich: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stdout);
    match format {
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
        LogFormat::Text => builder.init(),
    }
}

fn serve(args: &newsenrich::cli::ServeArgs) -> anyhow::Result<ExitCode> {
    init_logging(args.log_format);
    let config = args.to_config();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("newsenrich-io")
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let pipeline_config = PipelineConfig {
            max_article_bytes: config.max_article_bytes,
            ..PipelineConfig::default()
        };
        let loader: server::Loader =
            Box::new(move || Ok(Arc::new(Pipeline::new(pipeline_config)?) as Arc<dyn Enricher>));
        let running = server::start(config, loader).await?;
        running.shutdown_on_signal().await;
        let report = running.wait().await?;
        anyhow::ensure!(
            !report.forced,
            "grace period over with {} articles unfinished",
            report.articles_in_flight
        );
        Ok(ExitCode::SUCCESS)
    })
}

fn enrich(args: &newsenrich::cli::enrich::EnrichArgs) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let failed = newsenrich::cli::enrich::run(args, &mut out, &mut std::io::stderr())?;
    std::io::Write::flush(&mut out).context("cannot write to standard output")?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
