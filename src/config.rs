//! The one typed configuration: command line flags with environment fallbacks.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// GraphQL API server for government responsibility lists (责任清单).
#[derive(Debug, Parser)]
#[command(name = "qingdan", version, about)]
pub struct Cli {
    /// Database URL: `sqlite://FILE?mode=rwc` (embedded default) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", global = true, default_value = "sqlite://qingdan.db?mode=rwc")]
    pub database_url: String,

    /// Log format.
    #[arg(long, env = "QINGDAN_LOG_FORMAT", global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API (the default command).
    Serve(ServeArgs),
    /// Import a responsibility-list document (text extraction) into the database.
    Import {
        /// The text file to import.
        file: PathBuf,
        /// Replace a document already imported for the same region, year and title.
        #[arg(long)]
        replace: bool,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Apply pending database migrations.
    Migrate,
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; the secret is printed once, alone on the last line.
    Create {
        #[arg(long, value_enum)]
        role: TokenRoleArg,
        /// Department a reporter reports for (name; `--region` when several regions have it).
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        region: Option<String>,
        /// Free text to recognise the token by.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id.
    Revoke { id: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenRoleArg {
    Viewer,
    Reporter,
    Admin,
}

/// Flags of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "QINGDAN_BIND", default_value = "127.0.0.1:8000")]
    pub bind: SocketAddr,

    /// Do not import the bundled document into an empty database.
    #[arg(long, env = "QINGDAN_NO_SEED")]
    pub no_seed: bool,

    #[command(flatten)]
    pub limits: Limits,
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self { bind: SocketAddr::from(([127, 0, 0, 1], 8000)), no_seed: false, limits: Limits::default() }
    }
}

/// Bounds on what one request may ask for.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Maximum query depth.
    #[arg(long, env = "QINGDAN_MAX_DEPTH", default_value_t = 12)]
    pub max_depth: usize,
    /// Maximum query complexity (connection fields cost their page size × their children).
    #[arg(long, env = "QINGDAN_MAX_COMPLEXITY", default_value_t = 250_000)]
    pub max_complexity: usize,
    /// Maximum request body in bytes.
    #[arg(long, env = "QINGDAN_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,
    /// Request timeout in seconds.
    #[arg(long, env = "QINGDAN_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Largest page a connection serves.
    #[arg(long, env = "QINGDAN_MAX_PAGE_SIZE", default_value_t = 500)]
    pub max_page_size: u64,
    /// DataLoader batch window in microseconds: keys asked for within it share one statement.
    #[arg(long, env = "QINGDAN_BATCH_WINDOW_US", default_value_t = 2000)]
    pub batch_window_us: u64,
}

impl Limits {
    pub fn batch_window(&self) -> std::time::Duration {
        std::time::Duration::from_micros(self.batch_window_us)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_complexity: 250_000,
            max_body_bytes: 64 * 1024,
            request_timeout_secs: 30,
            max_page_size: 500,
            batch_window_us: 2000,
        }
    }
}
