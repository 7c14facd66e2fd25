//! `qingdan token …`.

use crate::config::TokenCommand;

pub async fn run(_url: &str, _cmd: TokenCommand) -> anyhow::Result<()> {
    anyhow::bail!("tokens are not available yet")
}
