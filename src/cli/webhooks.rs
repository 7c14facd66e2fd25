//! `qingdan webhook add|list|remove`.

use anyhow::bail;

use crate::config::WebhookCommand;
use crate::service::webhooks::{self as hooks, deliveries};
use crate::service::writes::Actor;

pub async fn run(url: &str, cmd: WebhookCommand) -> anyhow::Result<()> {
    let state = crate::cli::connect(url).await?;
    let db = state.primary();
    let api = |e: crate::error::ApiError| anyhow::anyhow!(e.message().to_owned());
    match cmd {
        WebhookCommand::Add { url, secret, events } => {
            let events = hooks::parse_events(&events).map_err(api)?;
            let row = hooks::add(&state.writer, &Actor::cli(), url.trim(), &secret, &events).await.map_err(api)?;
            println!("added webhook {} → {} ({})", row.id, row.url, describe(&row));
        }
        WebhookCommand::List => {
            let counts = deliveries::counts_by_webhook(db).await.map_err(api)?;
            println!(
                "{:>4}  {:<40} {:<8} {:<9} {:<6} {:<9} events",
                "id", "url", "pending", "delivered", "failed", "cancelled"
            );
            for w in hooks::list(db).await.map_err(api)? {
                let c = counts.get(&w.id).copied().unwrap_or_default();
                println!(
                    "{:>4}  {:<40} {:<8} {:<9} {:<6} {:<9} {}",
                    w.id,
                    w.url,
                    c.pending,
                    c.delivered,
                    c.failed,
                    c.cancelled,
                    describe(&w)
                );
            }
        }
        WebhookCommand::Remove { id } => {
            if !hooks::remove(&state.writer, &Actor::cli(), id).await.map_err(api)? {
                bail!("no webhook {id}");
            }
            println!("removed webhook {id}");
        }
    }
    Ok(())
}

/// A webhook's events as the CLI shows them.
fn describe(webhook: &entity::webhook::Model) -> String {
    if webhook.events == hooks::ALL_EVENTS { "all events".to_owned() } else { webhook.event_names().join(",") }
}
