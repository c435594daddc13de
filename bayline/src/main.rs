use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = bayline::cli::Cli::parse();
    bayline::telemetry::init(cli.log_format);
    match cli.run().await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
