//! The one typed configuration: command line flags with environment fallbacks.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;

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

    /// Send OpenTelemetry traces over OTLP (HTTP/JSON) to this collector, e.g.
    /// `http://127.0.0.1:4318` (off by default): a span per GraphQL request and per statement.
    #[arg(long, env = "QINGDAN_OTLP_ENDPOINT", global = true)]
    pub otlp_endpoint: Option<String>,

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
    Serve(Box<ServeArgs>),
    /// Import a responsibility list: Word (DOCX, DOC, WPS), Excel (XLSX, XLS), a saved web page,
    /// a PDF, or text; the format is recognised by content and the layout by the header.
    Import {
        /// The file to import.
        file: PathBuf,
        /// Print what would be imported (tasks, categories, departments, warnings); write nothing.
        #[arg(long)]
        check: bool,
        /// Replace a document already imported for the same region, year and title.
        #[arg(long)]
        replace: bool,
        /// The issuing office, for a list without a notice that names it.
        #[arg(long)]
        issuer: Option<String>,
        /// The date of issue (YYYY-MM-DD), for a list that carries none.
        #[arg(long)]
        issued_on: Option<chrono::NaiveDate>,
        /// Report deadlines of the four quarters as MM-DD, where the notice names none
        /// (default 04-10,07-10,10-10,01-10).
        #[arg(long)]
        schedule: Option<String>,
        /// Make the file the next version of this document (SPEC §12): its tasks are matched to
        /// the ones in force and every difference recorded as a change; with --check, printed.
        #[arg(long, value_name = "DOCUMENT_ID", requires = "effective", conflicts_with = "replace")]
        amends: Option<i64>,
        /// With --amends: the day the version takes effect (YYYY-MM-DD); reports due from it
        /// on follow the new version, those due before stay with the old.
        #[arg(long, value_name = "DATE", requires = "amends")]
        effective: Option<chrono::NaiveDate>,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Apply pending database migrations.
    Migrate,
    /// Generate a synthetic national dataset (deterministic for a seed) into the database.
    Generate(GenerateArgs),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Copy a SQLite database to FILE while it serves (a consistent snapshot; on PostgreSQL use
    /// pg_dump).
    Backup {
        /// Where the copy goes; it must not exist.
        file: PathBuf,
    },
    /// Manage webhooks: receivers of signed event deliveries.
    #[command(subcommand)]
    Webhook(WebhookCommand),
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Add a receiver: every event of the given kinds is POSTed to URL, signed with the secret.
    Add {
        /// Where events are POSTed (http:// or https://).
        url: String,
        /// The key of the `X-Qingdan-Signature` HMAC (at least 16 characters).
        #[arg(long, env = "QINGDAN_WEBHOOK_SECRET")]
        secret: String,
        /// Events, comma-separated (default: all, those of later releases included). `--help`
        /// lists them (the CLI adds the list, from the actions' declaration).
        #[arg(long, value_delimiter = ',')]
        events: Vec<String>,
    },
    /// List webhooks (never their secrets), with their deliveries by state.
    List,
    /// Remove a webhook by id; what it was still owed is cancelled.
    Remove { id: i64 },
}

/// Flags of `generate`.
#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// Number of documents (overrides --scale).
    #[arg(long)]
    pub documents: Option<usize>,
    /// A preset size: national ≈ 350 documents, stress ≈ 2,000 (≈ 250k tasks, ≈ 1M reports).
    #[arg(long, value_enum)]
    pub scale: Option<Scale>,
    /// Seed of the generator: the same seed gives the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Generate the list only, without reports.
    #[arg(long)]
    pub no_reports: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scale {
    /// One document.
    Tiny,
    /// ≈ 350 documents.
    National,
    /// ≈ 2,000 documents.
    Stress,
}

impl GenerateArgs {
    pub fn document_count(&self) -> usize {
        self.documents.unwrap_or(match self.scale {
            Some(Scale::Tiny) => 1,
            Some(Scale::Stress) => 2000,
            Some(Scale::National) | None => 350,
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; the secret is printed once, alone on the last line.
    Create {
        #[arg(long, value_enum)]
        role: TokenRoleArg,
        /// Department a reporter reports for, or the issuing office a supervisor supervises (name;
        /// `--region` when several regions have it).
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
    /// Supervises the documents its department (`--department`) issued.
    Supervisor,
}

/// Flags of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "QINGDAN_BIND", default_value = "127.0.0.1:8000")]
    pub bind: SocketAddr,

    /// A read replica of the PostgreSQL database: queries read there, writes go to the primary.
    /// Reads may lag the primary by the replication delay.
    #[arg(long, env = "QINGDAN_READ_DATABASE_URL")]
    pub read_database_url: Option<String>,

    /// Do not import the bundled document into an empty database.
    #[arg(long, env = "QINGDAN_NO_SEED")]
    pub no_seed: bool,

    /// Run the clock from this instant (RFC 3339) instead of now: for rehearsals and training
    /// on a past list. Deadlines, lights and every write's time follow it. Never in production.
    #[arg(long, env = "QINGDAN_CLOCK_START")]
    pub clock_start: Option<chrono::DateTime<chrono::FixedOffset>>,

    #[command(flatten)]
    pub limits: Limits,
}

impl ServeArgs {
    /// The flags of a plain `qingdan` (no subcommand): defaults and environment only.
    pub fn from_env() -> Self {
        #[derive(Parser)]
        struct ServeOnly {
            #[command(flatten)]
            args: ServeArgs,
        }
        ServeOnly::parse_from(["qingdan"]).args
    }
}

/// Bounds on what one request may ask for, and the policies of the HTTP surface.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Maximum query depth (fields nested in fields; fragments add none).
    #[arg(long, env = "QINGDAN_MAX_DEPTH", default_value_t = 12)]
    pub max_depth: usize,
    /// Maximum query complexity: each field costs 1; a field with `first`/`last` (a connection)
    /// multiplies its children's cost by that page size, 100 when absent.
    #[arg(long, env = "QINGDAN_MAX_COMPLEXITY", default_value_t = 250_000)]
    pub max_complexity: usize,
    /// Maximum aliases in one operation (fragments counted where they are spread).
    #[arg(long, env = "QINGDAN_MAX_ALIASES", default_value_t = 30)]
    pub max_aliases: usize,
    /// Maximum fields at the root of one operation.
    #[arg(long, env = "QINGDAN_MAX_ROOT_FIELDS", default_value_t = 20)]
    pub max_root_fields: usize,
    /// Maximum directives in one operation (fragments counted where they are spread).
    #[arg(long, env = "QINGDAN_MAX_DIRECTIVES", default_value_t = 50)]
    pub max_directives: usize,
    /// Maximum request body in bytes (larger bodies get 413).
    #[arg(long, env = "QINGDAN_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,
    /// Request timeout in seconds: a GraphQL request running longer is cancelled and answered
    /// 503 with code LIMIT_EXCEEDED.
    #[arg(long, env = "QINGDAN_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Largest page a connection serves.
    #[arg(long, env = "QINGDAN_MAX_PAGE_SIZE", default_value_t = 500)]
    pub max_page_size: u64,
    /// Longest wait, in microseconds, before a DataLoader batch is fetched; batches normally go
    /// out as soon as the request has nothing else to do (see graphql/batching.rs).
    #[arg(long, env = "QINGDAN_BATCH_WINDOW_US", default_value_t = 20_000)]
    pub batch_window_us: u64,
    /// How long, in milliseconds, a verified token is trusted without asking the database again
    /// (a revoked token stops working within this time; 0: look the token up on every request).
    #[arg(long, env = "QINGDAN_TOKEN_CACHE_MS", default_value_t = 2000)]
    pub token_cache_ms: u64,
    /// Bytes of whole query answers kept in memory across requests, by request and caller, while
    /// no import or submission changes the versions they were computed at; answers that read
    /// the clock (obligations without `asOf`) or hold an error are never kept (0: off).
    #[arg(long, env = "QINGDAN_RESPONSE_CACHE_BYTES", default_value_t = 32 * 1024 * 1024)]
    pub response_cache_bytes: u64,
    /// Seconds a shared cache (a CDN, a proxy) may keep an anonymous GET answer
    /// (`Cache-Control: public, max-age`); token holders' answers are private and validated on
    /// each use by their ETag.
    #[arg(long, env = "QINGDAN_HTTP_MAX_AGE_SECS", default_value_t = 60)]
    pub http_max_age_secs: u64,
    /// GraphQL requests per minute per client address without a token (0: unlimited).
    #[arg(long, env = "QINGDAN_RATE_LIMIT_PER_MINUTE", default_value_t = 6000)]
    pub rate_limit_per_minute: u32,
    /// GraphQL requests per minute per token (0: unlimited).
    #[arg(long, env = "QINGDAN_TOKEN_RATE_LIMIT_PER_MINUTE", default_value_t = 30_000)]
    pub token_rate_limit_per_minute: u32,
    /// Rate-limit loopback clients too (by default 127.0.0.1 and ::1 are exempt, so a local
    /// benchmark or a reverse proxy on the same host is not throttled as one client).
    #[arg(long, env = "QINGDAN_RATE_LIMIT_LOOPBACK")]
    pub rate_limit_loopback: bool,
    /// Proxies (load balancers) whose `Forwarded` / `X-Forwarded-For` are believed, as CIDR
    /// blocks (comma-separated): behind them the client is the right-most hop that is not one of
    /// them; from any other peer the headers are ignored. Rate limits and logs use that address.
    #[arg(long, env = "QINGDAN_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<Cidr>,
    /// Browser origin allowed to call the API cross-origin (repeatable; env: comma-separated;
    /// `*` allows any). Without one, no CORS headers are sent.
    #[arg(long = "cors-origin", env = "QINGDAN_CORS_ORIGINS", value_delimiter = ',', value_parser = parse_origin)]
    pub cors_origins: Vec<String>,
    /// Answer introspection queries (`__schema`, `__type`).
    #[arg(long, env = "QINGDAN_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,
    /// Bytes of automatic persisted queries (Apollo protocol) kept per replica; a client whose
    /// hash is not known gets PERSISTED_QUERY_NOT_FOUND and sends the text (0: off).
    #[arg(long, env = "QINGDAN_PERSISTED_QUERY_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub persisted_query_bytes: u64,
    /// Only these queries execute: a JSON object of sha256 (hex) → query text; anything else is
    /// PERSISTED_QUERY_NOT_ALLOWED (GraphiQL included). Clients send the hash
    /// (`extensions.persistedQuery`) or the text.
    #[arg(long, env = "QINGDAN_TRUSTED_DOCUMENTS")]
    pub trusted_documents: Option<std::path::PathBuf>,
    /// Single sign-on: accept bearer JWTs (RS256, ES256) from this issuer (`iss`).
    #[arg(long, env = "QINGDAN_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// Single sign-on: the audience (`aud`) JWTs must name.
    #[arg(long, env = "QINGDAN_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
    /// Single sign-on: the issuer's JWKS, a file or an https URL.
    #[arg(long, env = "QINGDAN_JWT_JWKS")]
    pub jwt_jwks: Option<String>,
    /// Single sign-on: seconds between refreshes of a JWKS URL (an unknown `kid` refreshes too).
    #[arg(long, env = "QINGDAN_JWT_JWKS_REFRESH_SECS", default_value_t = 300)]
    pub jwt_jwks_refresh_secs: u64,
    /// Single sign-on: the claim holding the role (viewer, reporter, supervisor, admin).
    #[arg(long, env = "QINGDAN_JWT_ROLE_CLAIM", default_value = "role")]
    pub jwt_role_claim: String,
    /// Single sign-on: the claim holding the department's name.
    #[arg(long, env = "QINGDAN_JWT_DEPARTMENT_CLAIM", default_value = "department")]
    pub jwt_department_claim: String,
    /// Single sign-on: the claim holding the department's region (天津), for a name found in
    /// several regions; a department claim may also carry the region before the name.
    #[arg(long, env = "QINGDAN_JWT_REGION_CLAIM", default_value = "region")]
    pub jwt_region_claim: String,
    /// Warning lights: BLUE when an obligation is not reported and due within this many days.
    #[arg(long, env = "QINGDAN_LIGHT_DUE_SOON_DAYS", default_value_t = 3)]
    pub light_due_soon_days: i64,
    /// Warning lights: YELLOW from this many points behind schedule (序时进度).
    #[arg(long, env = "QINGDAN_LIGHT_YELLOW_POINTS", default_value_t = 10)]
    pub light_yellow_points: i32,
    /// Warning lights: RED beyond this many points behind schedule.
    #[arg(long, env = "QINGDAN_LIGHT_RED_POINTS", default_value_t = 30)]
    pub light_red_points: i32,
    /// Assessment (考核): what a late report earns against 1 for one on time.
    #[arg(long, env = "QINGDAN_ASSESSMENT_LATE", default_value_t = 0.6)]
    pub assessment_late: f64,
    /// Assessment: what a report returned for rework (not resubmitted) earns.
    #[arg(long, env = "QINGDAN_ASSESSMENT_RETURNED", default_value_t = 0.3)]
    pub assessment_returned: f64,
    /// Assessment: points off per obligation with a red light.
    #[arg(long, env = "QINGDAN_ASSESSMENT_RED_LIGHT", default_value_t = 2.0)]
    pub assessment_red_light: f64,
    /// Assessment: points off per notice (督办单) received.
    #[arg(long, env = "QINGDAN_ASSESSMENT_NOTICE", default_value_t = 1.0)]
    pub assessment_notice: f64,
    /// Assessment: points added per task led and closed (销号).
    #[arg(long, env = "QINGDAN_ASSESSMENT_CLOSED", default_value_t = 1.0)]
    pub assessment_closed: f64,
    /// Webhooks: milliseconds a receiver has to answer a delivery.
    #[arg(long, env = "QINGDAN_WEBHOOK_TIMEOUT_MS", default_value_t = 10_000)]
    pub webhook_timeout_ms: u64,
    /// Webhooks: milliseconds before the first retry; each further failure doubles the wait
    /// (with jitter: between half the wait and the wait).
    #[arg(long, env = "QINGDAN_WEBHOOK_RETRY_BASE_MS", default_value_t = 1_000)]
    pub webhook_retry_base_ms: u64,
    /// Webhooks: the longest wait between two attempts, in milliseconds.
    #[arg(long, env = "QINGDAN_WEBHOOK_RETRY_MAX_MS", default_value_t = 3_600_000)]
    pub webhook_retry_max_ms: u64,
    /// Webhooks: attempts before a delivery is given up (FAILED). With the defaults the last
    /// of 20 attempts comes some 4 to 8 hours after the first.
    #[arg(long, env = "QINGDAN_WEBHOOK_MAX_ATTEMPTS", default_value_t = 20)]
    pub webhook_max_attempts: i32,
    /// Fault injection for the test suite: fields aliased `testPanic` panic, `testSleep` hang,
    /// `testRawError` fail without an error code. Never in production.
    #[arg(long = "enable-test-hooks", hide = true)]
    pub test_hooks: bool,
}

impl Limits {
    pub fn batch_window(&self) -> std::time::Duration {
        std::time::Duration::from_micros(self.batch_window_us)
    }

    pub fn token_cache(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.token_cache_ms)
    }

    pub fn request_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.request_timeout_secs)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_complexity: 250_000,
            max_aliases: 30,
            max_root_fields: 20,
            max_directives: 50,
            max_body_bytes: 64 * 1024,
            request_timeout_secs: 30,
            max_page_size: 500,
            batch_window_us: 20_000,
            token_cache_ms: 2000,
            response_cache_bytes: 32 * 1024 * 1024,
            http_max_age_secs: 60,
            rate_limit_per_minute: 6000,
            token_rate_limit_per_minute: 30_000,
            rate_limit_loopback: false,
            cors_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            introspection: true,
            persisted_query_bytes: 8 * 1024 * 1024,
            jwt_issuer: None,
            jwt_audience: None,
            jwt_jwks: None,
            jwt_jwks_refresh_secs: 300,
            jwt_role_claim: "role".into(),
            jwt_department_claim: "department".into(),
            jwt_region_claim: "region".into(),
            trusted_documents: None,
            light_due_soon_days: 3,
            light_yellow_points: 10,
            light_red_points: 30,
            assessment_late: 0.6,
            assessment_returned: 0.3,
            assessment_red_light: 2.0,
            assessment_notice: 1.0,
            assessment_closed: 1.0,
            webhook_timeout_ms: 10_000,
            webhook_retry_base_ms: 1_000,
            webhook_retry_max_ms: 3_600_000,
            webhook_max_attempts: 20,
            test_hooks: false,
        }
    }
}

/// A CORS origin: `*`, or `scheme://host[:port]` without a path.
fn parse_origin(value: &str) -> Result<String, String> {
    let value = value.trim().trim_end_matches('/');
    if value == "*" {
        return Ok(value.to_owned());
    }
    let valid = value.split_once("://").is_some_and(|(scheme, rest)| {
        matches!(scheme, "http" | "https")
            && !rest.is_empty()
            && rest.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    });
    if valid { Ok(value.to_owned()) } else { Err(format!("{value:?} is not an origin like https://example.org")) }
}

/// An address block (`10.0.0.0/8`, `fd00::/8`; a bare address is one host).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let network: IpAddr = addr.parse().map_err(|_| format!("\"{s}\" is not an address or CIDR block"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(|| format!("\"{s}\": prefix 0-{max}"))?,
            None => max,
        };
        Ok(Self { network, prefix })
    }
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = if self.prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(self.prefix)) };
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = if self.prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(self.prefix)) };
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}
