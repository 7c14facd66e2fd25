//! A webhook added for every event is stored as `*`, not as the list of events known when it
//! was added, so that actions added in later releases reach it. A webhook whose list held every
//! event a webhook could receive before (the seven below) was added for all of them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `webhook.events` of a webhook added without `--events` before this migration.
const EVERY_EVENT_BEFORE: &str = ",document.imported,report.submitted,report.accepted,report.returned,extension.requested,extension.decided,notice.issued,";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let update = Query::update()
            .table(Webhook::Table)
            .value(Webhook::Events, "*")
            .and_where(Expr::col(Webhook::Events).eq(EVERY_EVENT_BEFORE))
            .to_owned();
        m.exec_stmt(update).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let update = Query::update()
            .table(Webhook::Table)
            .value(Webhook::Events, EVERY_EVENT_BEFORE)
            .and_where(Expr::col(Webhook::Events).eq("*"))
            .to_owned();
        m.exec_stmt(update).await
    }
}

#[derive(DeriveIden)]
enum Webhook {
    Table,
    Events,
}
