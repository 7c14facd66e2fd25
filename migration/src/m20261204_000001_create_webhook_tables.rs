//! Webhooks (SPEC §9): the subscribers, and the outbox of deliveries that every write fills in
//! its own transaction (one row per subscribed webhook per audit event).

use sea_orm_migration::prelude::*;

use crate::m20261126_000001_create_list_tables::{fk, pk, plain};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Webhook::Table)
                .col(pk(Webhook::Id))
                .col(ColumnDef::new(Webhook::Url).text().not_null())
                .col(ColumnDef::new(Webhook::Secret).text().not_null())
                // The subscribed actions between commas (",report.submitted,notice.issued,"), so
                // that one LIKE picks the subscribers of an action on both backends.
                .col(ColumnDef::new(Webhook::Events).text().not_null())
                .col(ColumnDef::new(Webhook::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Webhook::RemovedAt).timestamp_with_time_zone().null())
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(WebhookDelivery::Table)
                .col(pk(WebhookDelivery::Id))
                .col(ColumnDef::new(WebhookDelivery::WebhookId).big_integer().not_null())
                // The audit event delivered (no foreign key, like the trail itself).
                .col(ColumnDef::new(WebhookDelivery::EventId).big_integer().not_null())
                .col(ColumnDef::new(WebhookDelivery::Action).string_len(32).not_null())
                .col(ColumnDef::new(WebhookDelivery::State).string_len(12).not_null())
                .col(ColumnDef::new(WebhookDelivery::Attempts).integer().not_null().default(0))
                // When a worker may next take it: after the backoff, or after the lease of a
                // worker that took it and died.
                .col(ColumnDef::new(WebhookDelivery::NextAttemptAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(WebhookDelivery::LastAttemptAt).timestamp_with_time_zone().null())
                .col(ColumnDef::new(WebhookDelivery::LastStatus).integer().null())
                .col(ColumnDef::new(WebhookDelivery::LastError).text().null())
                .col(ColumnDef::new(WebhookDelivery::DeliveredAt).timestamp_with_time_zone().null())
                .col(ColumnDef::new(WebhookDelivery::CreatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(&mut fk(WebhookDelivery::Table, WebhookDelivery::WebhookId, Webhook::Table, Webhook::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(plain(
            "ix_webhook_delivery_due",
            WebhookDelivery::Table,
            [WebhookDelivery::State, WebhookDelivery::NextAttemptAt],
        ))
        .await?;
        m.create_index(plain(
            "ix_webhook_delivery_webhook",
            WebhookDelivery::Table,
            [WebhookDelivery::WebhookId, WebhookDelivery::Id],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WebhookDelivery::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Webhook::Table).to_owned()).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Webhook {
    Table,
    Id,
    Url,
    Secret,
    Events,
    CreatedAt,
    RemovedAt,
}

#[derive(DeriveIden)]
enum WebhookDelivery {
    Table,
    Id,
    WebhookId,
    EventId,
    Action,
    State,
    Attempts,
    NextAttemptAt,
    LastAttemptAt,
    LastStatus,
    LastError,
    DeliveredAt,
    CreatedAt,
}
