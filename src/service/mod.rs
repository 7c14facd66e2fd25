//! Domain logic and queries. Functions take `&impl ConnectionTrait` and return `ApiResult`.

pub mod access;
pub mod departments;
pub mod documents;
pub mod events;
pub mod list_cache;
pub mod obligations;
pub mod page;
pub mod relations;
pub mod reports;
pub mod sql;
pub mod stats;
pub mod task_filter;
pub mod tasks;
pub mod token_cli;
pub mod tokens;
