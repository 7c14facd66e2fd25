//! The subcommands.

mod tokens;
mod webhooks;

/// The command line, parsed; `--help` of `webhook add --events` lists the events from the
/// actions' declaration (which `config`, depending on nothing in the crate, cannot name).
pub fn parse() -> Cli {
    use clap::{CommandFactory as _, FromArgMatches as _};
    let help = crate::service::actions::webhook_events_help();
    let command = Cli::command()
        .mut_subcommand("webhook", |c| c.mut_subcommand("add", |a| a.mut_arg("events", |arg| arg.long_help(help))));
    Cli::from_arg_matches(&command.get_matches()).unwrap_or_else(|e| e.exit())
}

use anyhow::Context as _;
use sea_orm::{EntityTrait, PaginatorTrait};
use tokio::net::TcpListener;

use crate::app::AppState;
use crate::config::{Cli, Command, ServeArgs};
use crate::import::{self, ImportOutcome};

/// Structured logs on stderr; `RUST_LOG` filters (default `info`).
/// Logs, and traces with `--otlp-endpoint` (see [`crate::telemetry`]); keep the guard until exit.
pub fn init_tracing(cli: &Cli) -> crate::telemetry::Guard {
    crate::telemetry::init(cli)
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let url = cli.database_url.clone();
    let command = cli.command.unwrap_or_else(|| Command::Serve(Box::new(ServeArgs::from_env())));
    if !matches!(command, Command::Serve(_) | Command::Schema) {
        warn_of_a_new_file(&url);
    }
    match command {
        Command::Serve(args) => serve(&url, *args).await,
        Command::Schema => {
            print!("{}", crate::graphql::schema_sdl());
            Ok(())
        }
        Command::Migrate => {
            AppState::connect(&url, Default::default()).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Import { file, check, replace, issuer, issued_on, schedule, amends, effective } => {
            let schedule =
                schedule.map(|s| s.parse::<import::layout::Schedule>()).transpose().map_err(anyhow::Error::msg)?;
            let opts = import::layout::Options { issuer, issued_on, schedule };
            let bytes = read_bounded(&file)?;
            let state = connect(&url).await?;
            if let (Some(document_id), Some(effective_on)) = (amends, effective) {
                return amend_with_file(&state, &bytes, &opts, document_id, effective_on, check).await;
            }
            if check {
                let report = import::check_file(state.primary(), &bytes, &opts).await?;
                print!("{}", report.describe());
                println!("checked: nothing written");
                return Ok(());
            }
            let report = import::check_file(state.primary(), &bytes, &opts).await?;
            let outcome =
                import::import_checked(&state.writer, &report, replace, &crate::service::writes::Actor::cli()).await?;
            for w in &report.read.warnings {
                eprintln!("warning: {w}");
            }
            println!("{}", describe(&outcome));
            Ok(())
        }
        Command::Token(cmd) => tokens::run(&url, cmd).await,
        Command::Backup { file } => {
            let took = crate::db::backup(&url, &file).await?;
            println!("backed up to {} in {:.1} s", file.display(), took.as_secs_f64());
            Ok(())
        }
        Command::Webhook(cmd) => webhooks::run(&url, cmd).await,
        Command::Generate(args) => generate(&url, args).await,
    }
}

/// The database for a command that writes, on the clock the last server on it served with: a
/// rehearsal's (`serve --clock-start`), so that every event of a rehearsal is on one clock.
pub async fn connect(url: &str) -> anyhow::Result<AppState> {
    let state = AppState::connect(url, Default::default()).await?;
    let clock = crate::service::rehearsal::clock(state.primary()).await?;
    if clock.shift().is_some() {
        eprintln!(
            "note: the server on this database rehearses with --clock-start; this command writes at its time, {}",
            clock.now().with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d %H:%M:%S (UTC+8)")
        );
        return Ok(state.with_clock(clock));
    }
    Ok(state)
}

/// `qingdan import FILE --amends ID --effective DATE [--check]`.
async fn amend_with_file(
    state: &AppState,
    bytes: &[u8],
    opts: &import::layout::Options,
    document_id: i64,
    effective_on: chrono::NaiveDate,
    check: bool,
) -> anyhow::Result<()> {
    use crate::service::amendments::{Amendment, Source, amend};
    let report = import::check_file(state.primary(), bytes, opts).await?;
    for w in &report.read.warnings {
        eprintln!("warning: {w}");
    }
    let source = Source::Text { parsed: &report.read.doc, sha: &report.source_sha256 };
    let amendment = Amendment { document_id: Some(document_id), effective_on, source };
    let amended = amend(&state.writer, amendment, None, &crate::service::writes::Actor::cli(), check)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    print!("{}", amended.describe());
    if check {
        println!("checked: nothing written");
    }
    Ok(())
}

/// The file's bytes, refused past the readers' bound before it is read whole.
fn read_bounded(file: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    let limit = import::source::MAX_FILE_BYTES;
    let size = std::fs::metadata(file).with_context(|| format!("cannot read {}", file.display()))?.len();
    if size > limit as u64 {
        anyhow::bail!("{} is {} MiB; at most {} MiB is read", file.display(), size >> 20, limit >> 20);
    }
    std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))
}

fn describe(outcome: &ImportOutcome) -> String {
    match outcome {
        ImportOutcome::Imported { document_id, stats } | ImportOutcome::Replaced { document_id, stats } => format!(
            "{} document {document_id}: {} categories, {} tasks, {} assignments, {} indicators, {} periods, {} new departments",
            if matches!(outcome, ImportOutcome::Replaced { .. }) { "replaced" } else { "imported" },
            stats.categories,
            stats.tasks,
            stats.assignments,
            stats.indicators,
            stats.periods,
            stats.departments_created
        ),
        ImportOutcome::Unchanged { document_id } => format!("unchanged: this text is already document {document_id}"),
    }
}

async fn generate(url: &str, args: crate::config::GenerateArgs) -> anyhow::Result<()> {
    let state = AppState::connect(url, Default::default()).await?;
    let opts = crate::generate::GenerateOptions {
        documents: args.document_count(),
        seed: args.seed,
        with_reports: !args.no_reports,
    };
    let step = (opts.documents / 20).max(1);
    let stats = crate::generate::generate(state.primary(), opts, |s| {
        if s.documents % step == 0 {
            eprintln!(
                "  {:>5}/{} documents, {} tasks, {} reports, {} rows, {:.0} rows/s",
                s.documents,
                opts.documents,
                s.tasks,
                s.reports,
                s.rows,
                s.rows_per_second()
            );
        }
    })
    .await?;
    println!(
        "generated {} documents ({} tasks, {} reports) = {} rows in {:.1} s: {:.0} rows/s",
        stats.documents,
        stats.tasks,
        stats.reports,
        stats.rows,
        stats.elapsed.as_secs_f64(),
        stats.rows_per_second()
    );
    Ok(())
}

/// Says so on stderr when a command other than `serve` is about to create a SQLite file: the
/// default `qingdan.db` is relative to the directory the command runs in, so a command run
/// elsewhere than the server would work on a new, empty database the server never reads.
fn warn_of_a_new_file(url: &str) {
    let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) else { return };
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" || std::path::Path::new(path).exists() {
        return;
    }
    let shown = std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.into());
    eprintln!(
        "warning: {} does not exist: a new database is created there, not the one a server elsewhere uses; \
         pass --database-url (or DATABASE_URL) with the server's to work on that one",
        shown.display()
    );
}

/// Imports the bundled document when the database holds none.
pub async fn seed_if_empty(state: &AppState) -> anyhow::Result<()> {
    if entity::document::Entity::find().count(state.primary()).await? == 0 {
        // Through the server's writer: a rehearsal's first event is on the rehearsal's clock.
        let outcome = import::import_text_with(&state.writer, import::BUNDLED_DOCUMENT, false).await?;
        tracing::info!(result = %describe(&outcome), "imported the bundled document into the empty database");
    }
    Ok(())
}

async fn serve(url: &str, args: ServeArgs) -> anyhow::Result<()> {
    if let Some(path) = &args.limits.trusted_documents {
        let trusted = crate::http::persisted::load_trusted(path)?;
        tracing::info!(documents = trusted.len(), "only trusted documents execute");
    }
    let mut state = AppState::connect_with_replica(url, args.read_database_url.as_deref(), args.limits.clone()).await?;
    if let Some(start) = args.clock_start {
        tracing::warn!(start = %start, "the clock runs from a given instant (--clock-start): a rehearsal, not production");
        state = state.with_clock(crate::clock::Clock::starting_at(start.with_timezone(&chrono::Utc)));
    }
    // The command line's writes beside this server take its clock (none: the system's).
    crate::service::rehearsal::record(state.primary(), &state.clock()).await?;
    if !args.no_seed {
        seed_if_empty(&state).await?;
    }
    crate::service::webhooks::worker::spawn(crate::settings::webhook_worker(&state));
    let listener = TcpListener::bind(args.bind).await.with_context(|| format!("cannot listen on {}", args.bind))?;
    tracing::info!(addr = %listener.local_addr()?, "serving GraphQL at /graphql, GraphiQL at /");
    axum::serve(
        listener,
        crate::http::build_router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
