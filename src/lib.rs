//! qingdan: a GraphQL API server for government responsibility lists (责任清单).

pub mod app;
pub mod bounded;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod generate;
pub mod graphql;
pub mod http;
pub mod ids;
pub mod import;
pub mod metrics;
pub mod service;
pub mod settings;
pub mod telemetry;

pub use app::AppState;
pub use graphql::{ApiSchema, build_schema, schema_sdl};
pub use http::build_router;
