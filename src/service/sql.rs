//! A small SQL builder: hand-written SQL with placeholders in the backend's style, so the
//! queries that must be fast on both SQLite and PostgreSQL stay readable.

use sea_orm::{DbBackend, Statement, Value};

/// SQL text plus its bound values.
#[derive(Debug, Clone)]
pub struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(backend: DbBackend) -> Self {
        Self { backend, text: String::with_capacity(256), values: Vec::new() }
    }

    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// Appends a placeholder bound to `v`.
    pub fn bind(&mut self, v: impl Into<Value>) -> &mut Self {
        self.values.push(v.into());
        match self.backend {
            DbBackend::Postgres => {
                self.text.push('$');
                self.text.push_str(&self.values.len().to_string());
            }
            _ => self.text.push('?'),
        }
        self
    }

    /// Appends `(?, ?, …)` bound to `items`; `(NULL)` when empty, which matches nothing.
    pub fn bind_list<V: Into<Value> + Clone>(&mut self, items: &[V]) -> &mut Self {
        self.push("(");
        if items.is_empty() {
            self.push("NULL");
        }
        for (i, v) in items.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v.clone());
        }
        self.push(")")
    }

    pub fn backend(&self) -> DbBackend {
        self.backend
    }

    pub fn build(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// `%term%` for LIKE with `\` as the escape character.
pub fn like_pattern(term: &str) -> String {
    let mut p = String::with_capacity(term.len() + 2);
    p.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_backend() {
        let mut q = Sql::new(DbBackend::Postgres);
        q.push("a = ").bind(1).push(" AND b IN ").bind_list(&[2, 3]);
        assert_eq!(q.build().sql, "a = $1 AND b IN ($2, $3)");
        let mut q = Sql::new(DbBackend::Sqlite);
        q.push("a = ").bind(1).push(" AND b IN ").bind_list::<i64>(&[]);
        assert_eq!(q.build().sql, "a = ? AND b IN (NULL)");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("5%_a\\"), "%5\\%\\_a\\\\%");
    }
}
