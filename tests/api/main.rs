//! Integration tests: the real migrations, schema and router, on a fresh SQLite file per test
//! and, when `QINGDAN_TEST_POSTGRES` is set, on a fresh PostgreSQL database per test.

mod support;

mod formats;

mod access;
mod aggregates;
mod amendments;
mod assessment;
mod backup;
mod board;
mod browsers;
mod closures;
mod concurrency;
mod deadlines;
mod errors;
mod faults;
mod field_errors;
mod first_run;
mod held_rows;
pub mod http_conformance;
mod http_surface;
mod importing;
mod introspection;
mod ledger;
mod ledger_shapes;
mod limits;
mod memory;
mod pagination;
mod persisted;
mod properties;
mod reliability;
mod renames;
mod replica;
mod reporting;
mod response_cache;
mod scale_out;
mod schema_file;
mod server_process;
mod snapshot;
mod sso;
mod statements;
mod subscriptions;
mod supervision;
mod traces;
mod views;
mod webhooks;
