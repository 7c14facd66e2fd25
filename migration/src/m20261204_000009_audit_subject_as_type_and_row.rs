//! The audit trail names what an event is about as its type and row (`Report:12`), no longer as
//! the API's global id encoding: a change of that encoding can never change stored history. The
//! API still answers `Event.subjectId` as a global id, encoded when read.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                // The trail is append-only by a trigger; this one rewrite of a column lifts it.
                db.execute_unprepared(
                    "ALTER TABLE audit_event ADD COLUMN subject varchar NOT NULL DEFAULT ''; \
                     ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only; \
                     UPDATE audit_event SET subject = convert_from(decode(rpad(translate(subject_id, '-_', '+/'), \
                     ((length(subject_id) + 3) / 4) * 4, '='), 'base64'), 'UTF8'); \
                     ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only; \
                     DROP INDEX ix_audit_event_subject; \
                     ALTER TABLE audit_event DROP COLUMN subject_id; \
                     CREATE INDEX ix_audit_event_subject ON audit_event (subject, id);",
                )
                .await?;
            }
            backend => {
                // One connection for every step: the pool's others may hold the schema as it was.
                let txn = db.begin().await?;
                txn.execute_unprepared("ALTER TABLE audit_event ADD COLUMN subject varchar NOT NULL DEFAULT ''")
                    .await?;
                let rows = txn
                    .query_all_raw(Statement::from_string(backend, "SELECT id, subject_id FROM audit_event"))
                    .await?;
                for row in rows {
                    let id: i64 = row.try_get("", "id")?;
                    let encoded: String = row.try_get("", "subject_id")?;
                    txn.execute_raw(Statement::from_sql_and_values(
                        backend,
                        "UPDATE audit_event SET subject = ? WHERE id = ?",
                        [decode(&encoded).into(), id.into()],
                    ))
                    .await?;
                }
                txn.execute_unprepared("DROP INDEX ix_audit_event_subject").await?;
                txn.execute_unprepared("ALTER TABLE audit_event DROP COLUMN subject_id").await?;
                txn.execute_unprepared("CREATE INDEX ix_audit_event_subject ON audit_event (subject, id)").await?;
                txn.commit().await?;
            }
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("the audit trail's subjects are not encoded back".into()))
    }
}

/// `Report:12` from its base64url (unpadded) global id; the text as stored when it is not one.
fn decode(encoded: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits: u32 = 0;
    let mut held = 0;
    let mut out = Vec::new();
    for c in encoded.bytes() {
        let Some(v) = ALPHABET.iter().position(|a| *a == c) else { return encoded.to_owned() };
        bits = (bits << 6) | v as u32;
        held += 6;
        if held >= 8 {
            held -= 8;
            out.push((bits >> held) as u8);
            bits &= (1 << held) - 1;
        }
    }
    String::from_utf8(out).ok().filter(|s| s.contains(':')).unwrap_or_else(|| encoded.to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn global_ids_decode_to_type_and_row() {
        assert_eq!(super::decode("UmVwb3J0aW5nUGVyaW9kOjE"), "ReportingPeriod:1");
        assert_eq!(super::decode("Q2xvc3VyZTox"), "Closure:1");
        assert_eq!(super::decode("VGFzazoyOQ"), "Task:29");
        assert_eq!(super::decode("not base64!"), "not base64!");
    }
}
