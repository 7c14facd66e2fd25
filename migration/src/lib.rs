//! Schema migrations, one file per change; never edited once landed.

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_create_list_tables;
mod m20261126_000002_create_reporting_tables;
mod m20261202_000001_create_report_counter;
mod m20261203_000001_create_supervision_tables;
mod m20261204_000001_create_webhook_tables;
mod m20261204_000002_create_idempotency_keys;
mod m20261204_000003_index_idempotency_expiry;
mod m20261204_000004_add_task_deadline_and_columns;
mod m20261204_000005_webhook_all_events;
mod m20261204_000006_create_closures;
mod m20261204_000007_department_aliases;
mod m20261204_000008_list_versions;
mod m20261204_000009_audit_subject_as_type_and_row;
mod m20261205_000001_rehearsal_clock;

pub use m20261202_000001_create_report_counter::SHARDS as REPORT_COUNTER_SHARDS;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_list_tables::Migration),
            Box::new(m20261126_000002_create_reporting_tables::Migration),
            Box::new(m20261202_000001_create_report_counter::Migration),
            Box::new(m20261203_000001_create_supervision_tables::Migration),
            Box::new(m20261204_000001_create_webhook_tables::Migration),
            Box::new(m20261204_000002_create_idempotency_keys::Migration),
            Box::new(m20261204_000003_index_idempotency_expiry::Migration),
            Box::new(m20261204_000004_add_task_deadline_and_columns::Migration),
            Box::new(m20261204_000005_webhook_all_events::Migration),
            Box::new(m20261204_000006_create_closures::Migration),
            Box::new(m20261204_000007_department_aliases::Migration),
            Box::new(m20261204_000008_list_versions::Migration),
            Box::new(m20261204_000009_audit_subject_as_type_and_row::Migration),
            Box::new(m20261205_000001_rehearsal_clock::Migration),
        ]
    }
}
