//! `qingdan token create|list|revoke`.

use anyhow::{Context as _, bail};
use entity::{TokenRole, department};
use sea_orm::EntityTrait;

use crate::config::{TokenCommand, TokenRoleArg};
use crate::service::writes::Actor;
use crate::service::{departments, tokens};

pub async fn run(url: &str, cmd: TokenCommand) -> anyhow::Result<()> {
    let state = crate::cli::connect(url).await?;
    crate::cli::seed_if_empty(&state).await?;
    let db = state.primary();
    match cmd {
        TokenCommand::Create { role, department, region, label } => {
            let role = match role {
                TokenRoleArg::Viewer => TokenRole::Viewer,
                TokenRoleArg::Reporter => TokenRole::Reporter,
                TokenRoleArg::Admin => TokenRole::Admin,
                TokenRoleArg::Supervisor => TokenRole::Supervisor,
            };
            let dept = match department {
                Some(name) => Some(
                    departments::find_by_name(db, name.trim(), region.as_deref())
                        .await
                        .map_err(|e| anyhow::anyhow!(e.message().to_owned()))?
                        .with_context(|| format!("no department named \"{name}\""))?,
                ),
                None => None,
            };
            if role == TokenRole::Reporter && dept.is_none() {
                bail!("a reporter token needs --department NAME");
            }
            if role == TokenRole::Supervisor && dept.is_none() {
                bail!("a supervisor token needs --department NAME: the issuing office whose documents it supervises");
            }
            if let Some(d) = &dept {
                if d.kind == entity::DepartmentKind::Collective {
                    bail!("\"{}\" is a collective placeholder: it never reports and never signs in", d.name);
                }
            }
            let (row, secret) = tokens::create(&state.writer, &Actor::cli(), role, dept.as_ref().map(|d| d.id), &label)
                .await
                .map_err(api)?;
            println!(
                "created token {} ({:?}{})",
                row.id,
                row.role,
                dept.map(|d| format!(", {} {}", d.region, d.name)).unwrap_or_default()
            );
            println!("{secret}");
        }
        TokenCommand::List => {
            println!("{:>4}  {:<9} {} {:<8} {:<20} label", "id", "role", pad("department", 24), "status", "created");
            for t in tokens::list(db).await.map_err(api)? {
                let dept = match t.department_id {
                    Some(id) => department::Entity::find_by_id(id).one(db).await?.map(|d| d.name).unwrap_or_default(),
                    None => String::new(),
                };
                let status = if t.revoked_at.is_some() { "revoked" } else { "active" };
                println!(
                    "{:>4}  {:<9} {} {:<8} {:<20} {}",
                    t.id,
                    format!("{:?}", t.role).to_uppercase(),
                    pad(&dept, 24),
                    status,
                    t.created_at.format("%Y-%m-%d %H:%M:%S"),
                    t.label
                );
            }
        }
        TokenCommand::Revoke { id } => {
            if !tokens::revoke(&state.writer, &Actor::cli(), id).await.map_err(api)? {
                bail!("no token {id}");
            }
            println!("revoked token {id}");
        }
    }
    Ok(())
}

fn api(e: crate::error::ApiError) -> anyhow::Error {
    anyhow::anyhow!("{}: {:?}", e.message().to_owned(), e)
}

/// `text` padded with spaces to `width` columns of a terminal, where a Chinese character takes
/// two (`{:<24}` counts characters, and the columns after a department's name would slip).
fn pad(text: &str, width: usize) -> String {
    let shown = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(shown)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn chinese_names_are_padded_by_their_display_width() {
        assert_eq!(super::pad("市税务局", 10), "市税务局  ");
        assert_eq!(super::pad("abc", 5), "abc  ");
        assert_eq!(super::pad("市政务服务办公室", 4), "市政务服务办公室");
    }
}
