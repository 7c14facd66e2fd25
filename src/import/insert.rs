//! Batched inserts for the loaders (the importer and the synthetic-data generator).

use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

/// Rows per INSERT: far below the bind-parameter limits of SQLite (32766) and PostgreSQL (65535).
pub const CHUNK: usize = 500;

/// Rows per statement on PostgreSQL, where the whole batch travels as one JSON parameter.
const PG_CHUNK: usize = 5000;

/// Inserts `rows` in batches: multi-row VALUES on SQLite; on PostgreSQL one JSON parameter per
/// batch expanded by `json_populate_recordset`, which plans once instead of binding thousands of
/// parameters (a 500-row VALUES insert took ~100 ms there, this takes a few).
pub async fn insert_chunked<A, I>(txn: &impl ConnectionTrait, rows: I) -> Result<(), DbErr>
where
    A: sea_orm::ActiveModelTrait + Send,
    I: IntoIterator<Item = A>,
{
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        return insert_json_postgres(txn, rows).await;
    }
    let mut iter = rows.into_iter().peekable();
    while iter.peek().is_some() {
        let chunk: Vec<A> = iter.by_ref().take(CHUNK).collect();
        <A::Entity as EntityTrait>::insert_many(chunk).exec_without_returning(txn).await?;
    }
    Ok(())
}

async fn insert_json_postgres<A, I>(txn: &impl ConnectionTrait, rows: I) -> Result<(), DbErr>
where
    A: sea_orm::ActiveModelTrait + Send,
    I: IntoIterator<Item = A>,
{
    use sea_orm::{EntityName, IdenStatic, Iterable};
    let table = <A::Entity as Default>::default().table_name().to_owned();
    let mut iter = rows.into_iter().peekable();
    while iter.peek().is_some() {
        let mut columns: Vec<&'static str> = Vec::new();
        let mut batch = Vec::with_capacity(PG_CHUNK);
        for row in iter.by_ref().take(PG_CHUNK) {
            let mut obj = serde_json::Map::new();
            for col in <A::Entity as EntityTrait>::Column::iter() {
                if let sea_orm::ActiveValue::Set(v) | sea_orm::ActiveValue::Unchanged(v) = row.get(col) {
                    if batch.is_empty() {
                        columns.push(col.as_str());
                    }
                    obj.insert(col.as_str().to_owned(), json_of(&v));
                }
            }
            batch.push(serde_json::Value::Object(obj));
        }
        let cols = columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "INSERT INTO \"{table}\" ({cols}) SELECT {cols} FROM json_populate_recordset(NULL::\"{table}\", $1::json)"
        );
        let payload = serde_json::Value::Array(batch).to_string();
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(sea_orm::DbBackend::Postgres, sql, [payload.into()]))
            .await?;
    }
    Ok(())
}

/// JSON for the column values the loaders write.
fn json_of(v: &sea_orm::Value) -> serde_json::Value {
    use sea_orm::Value as V;
    use serde_json::Value as J;
    match v {
        V::Bool(Some(b)) => J::Bool(*b),
        V::Int(Some(n)) => (*n).into(),
        V::BigInt(Some(n)) => (*n).into(),
        V::Double(Some(f)) => (*f).into(),
        V::Float(Some(f)) => (*f).into(),
        V::String(Some(s)) => J::String(s.to_string()),
        V::ChronoDate(Some(d)) => J::String(d.to_string()),
        V::ChronoDateTimeUtc(Some(t)) => J::String(t.to_rfc3339()),
        _ => J::Null,
    }
}
