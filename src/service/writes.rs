//! Every kind of write: the event of the audit trail it appends and the version it moves, in
//! the writer's transaction. The one place that says so.
//!
//! A cached answer is filed under the [`Versions`](super::versions::Versions) it was computed at;
//! it stays right only while every write moves one of them in its own transaction. And every
//! write leaves a trace (留痕, SPEC §8). A write therefore ends in [`commit`], which takes what was
//! written ([`Write`]), who wrote it ([`Actor`]) and the subject before and after, appends the
//! event, queues it for the webhooks that subscribe to it, and moves the version before
//! committing. [`super::writer::Writing::commit`] is the only caller, and the only way to commit
//! a write, so none can forget either.

use chrono::{DateTime, Utc};
use entity::{TokenRole, audit_event};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr};
use serde::{Deserialize, Serialize};

use super::access::Viewer;
pub use super::actions::Action;
use super::sql::Sql;
use crate::ids::{self, NodeType};

/// Who made a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The token's id, or `cli`.
    pub id: String,
    /// The token's id and label.
    pub name: String,
    /// VIEWER, REPORTER, ADMIN, SUPERVISOR, or CLI.
    pub role: String,
    /// The request the write came in (none from the command line).
    pub request_id: Option<String>,
}

impl Actor {
    /// The command line (`qingdan import`, `token create`, …).
    pub fn cli() -> Self {
        Self { id: "cli".into(), name: "command line".into(), role: "CLI".into(), request_id: None }
    }

    /// The caller of a request.
    pub fn of(viewer: &Viewer, request_id: Option<&str>) -> Self {
        let (id, role) = match viewer {
            Viewer::Anonymous => ("anonymous".to_owned(), "ANONYMOUS"),
            // Single sign-on subjects have negative ids (see `sso`); their label is `sso SUBJECT`.
            Viewer::Token { id, role, label, .. } if *id < 0 => (label.replacen("sso ", "sso:", 1), role_name(*role)),
            Viewer::Token { id, role, .. } => (id.to_string(), role_name(*role)),
        };
        Self { id, name: viewer.name(), role: role.into(), request_id: request_id.map(str::to_owned) }
    }
}

/// The stored name of a token role.
pub fn role_name(role: TokenRole) -> &'static str {
    match role {
        TokenRole::Viewer => "VIEWER",
        TokenRole::Reporter => "REPORTER",
        TokenRole::Admin => "ADMIN",
        TokenRole::Supervisor => "SUPERVISOR",
    }
}

/// One obligation: the report a department owes on a task for a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Obligated {
    pub task_id: i64,
    pub department_id: i64,
    pub period_id: i64,
}

/// What a transaction wrote: the action (see [`super::actions`]), the row it is about (of the
/// action's subject type) and the obligation it concerns, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Write {
    pub action: Action,
    pub subject: i64,
    pub at: Option<Obligated>,
}

impl Write {
    /// `action` on row `subject`.
    pub fn new(action: Action, subject: i64) -> Self {
        Self { action, subject, at: None }
    }

    /// The same, concerning the obligation `at`.
    pub fn on(self, at: Obligated) -> Self {
        Self { at: Some(at), ..self }
    }

    /// The report a write on a report wrote.
    fn report_id(self) -> Option<i64> {
        (self.action.subject_type() == "Report").then_some(self.subject)
    }

    /// What the event says, what it is about (as the API names it) and which obligation it
    /// concerns.
    fn describe(self) -> (Action, String, Option<Obligated>) {
        let ty = NodeType::named(self.action.subject_type())
            .unwrap_or_else(|| unreachable!("every action's subject is a node type (tested)"));
        (self.action, ids::subject(ty, self.subject), self.at)
    }
}

/// A write with its subject before and after (JSON; `before` is none for a creation).
#[derive(Debug, Clone)]
pub struct Change {
    pub write: Write,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Change {
    pub fn new(write: Write, before: Option<serde_json::Value>, after: Option<serde_json::Value>) -> Self {
        Self { write, before, after }
    }
}

/// A committed write: its event, to announce.
#[derive(Debug, Clone)]
pub struct Committed {
    pub event: audit_event::Model,
    pub action: Action,
    pub at: Option<Obligated>,
    /// The report, for a submission or a review.
    pub report_id: Option<i64>,
}

/// Appends the event of `change`, queues it for the webhooks that subscribe to its action (the
/// outbox) and moves the reporting version, inside `txn`. Only [`super::writer::Writing::commit`]
/// calls it.
pub(super) async fn record(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    change: Change,
    now: DateTime<Utc>,
) -> Result<Committed, DbErr> {
    let (action, subject, at) = change.write.describe();
    let change_report = change.write.report_id();
    take_turn_to_commit(txn).await?;
    let json = |v: Option<serde_json::Value>| v.map(|v| v.to_string());
    let event = audit_event::ActiveModel {
        id: NotSet,
        at: Set(now),
        actor_id: Set(actor.id.clone()),
        actor: Set(actor.name.clone()),
        role: Set(actor.role.clone()),
        action: Set(action.as_str().to_owned()),
        subject: Set(subject),
        task_id: Set(at.map(|o| o.task_id)),
        department_id: Set(at.map(|o| o.department_id)),
        period_id: Set(at.map(|o| o.period_id)),
        before: Set(json(change.before)),
        after: Set(json(change.after)),
        request_id: Set(actor.request_id.clone()),
    }
    .insert(txn)
    .await?;
    super::webhooks::outbox::enqueue(txn, &event, action, now).await?;
    // Every write moves the reporting version (an import moves the list version as well, by its
    // document row). On SQLite, whose writers are serialised, the new event's id is that move.
    count_write(txn, at.map_or(event.id, |o| o.task_id)).await?;
    Ok(Committed { event, action, at, report_id: change_report })
}

/// On PostgreSQL, holds the commit turn from here to the end of the transaction: event ids (from
/// a sequence) are then given in the order the writes commit, so a reader that has seen every
/// event up to an id has seen every write before it ([`crate::service::report_store`] reads the
/// changes after the newest event it applied). The turn covers only the event, the outbox, the
/// counter and the commit; SQLite's writers are serialised already.
async fn take_turn_to_commit(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT pg_advisory_xact_lock(").bind(COMMIT_TURN).push(")");
    db.execute_raw(q.build()).await?;
    Ok(())
}

/// The advisory lock of the commit turn: a key past 32 bits, which the obligations' locks (keys
/// from `hashtext`, 32 bits) never take.
const COMMIT_TURN: i64 = 0x7164_636f_6d6d_6974;

/// Moves the write counter on PostgreSQL, sharded by task so that concurrent writes on
/// different tasks rarely wait for the same row. (The newest event id would do as well, now that
/// ids follow the commits; the counter stays the version.)
async fn count_write(db: &impl ConnectionTrait, shard_key: i64) -> Result<(), DbErr> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE report_counter SET submissions = submissions + 1 WHERE shard = ")
        .bind(shard_key.rem_euclid(migration::REPORT_COUNTER_SHARDS));
    db.execute_raw(q.build()).await?;
    Ok(())
}
