//! One clock for every event of a rehearsal: a server started with `--clock-start` records how far
//! its clock is from the system's, and the command line's writes on the same database (tokens,
//! webhooks, imports, amendments) take that clock instead of the system's. A server started
//! without it clears the record, so production is back on the system's clock.

use chrono::Utc;
use entity::rehearsal;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, TransactionTrait};

use crate::clock::Clock;

/// Records the serving clock's distance from the system's (`None`: the system's clock).
pub async fn record(db: &sea_orm::DatabaseConnection, clock: &Clock) -> Result<(), sea_orm::DbErr> {
    let txn = db.begin().await?;
    rehearsal::Entity::delete_many().exec(&txn).await?;
    if let Some(shift) = clock.shift() {
        let row = rehearsal::ActiveModel {
            id: Set(1),
            shift_ms: Set(shift.num_milliseconds()),
            recorded_at: Set(Utc::now()),
        };
        rehearsal::Entity::insert(row).exec(&txn).await?;
    }
    txn.commit().await
}

/// The clock the last server on this database served with: a rehearsal's, or the system's.
pub async fn clock(db: &impl ConnectionTrait) -> Result<Clock, sea_orm::DbErr> {
    Ok(match rehearsal::Entity::find_by_id(1).one(db).await? {
        Some(r) => Clock::shifted(chrono::Duration::milliseconds(r.shift_ms)),
        None => Clock::default(),
    })
}
