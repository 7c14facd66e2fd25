//! Domain logic and queries. Functions take `&impl ConnectionTrait` and return `ApiResult`.

pub mod access;
pub mod actions;
pub mod amendments;
pub mod assessment;
pub mod assignments;
pub mod departments;
pub mod events;
pub mod idempotency;
pub mod imports;
pub mod ledger;
pub mod list;
pub mod obligations;
pub mod page;
pub mod rehearsal;
pub mod report_store;
pub mod reports;
pub mod sql;
pub mod sso;
pub mod supervision;
pub mod task_filter;
pub mod tokens;
pub mod versions;
pub mod webhooks;
pub mod writer;
pub mod writes;
