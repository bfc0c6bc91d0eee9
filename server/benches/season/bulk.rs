//! Writing many rows fast: each chunk of rows travels as one JSON array parameter that the
//! database unpacks itself (`json_each` on SQLite, `jsonb_array_elements` on PostgreSQL), in
//! one transaction per table. The same statement works on both databases but for its casts.

use sqlx::AnyPool;
use std::fmt::Write as _;
use turnout_store::Backend;

/// Rows per statement: large enough to amortise the round trip, small enough to keep each
/// parameter a few megabytes.
const CHUNK: usize = 5_000;

/// A column's SQL type, for PostgreSQL's casts.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Int,
    Text,
    Bool,
}

/// One value of a row.
#[derive(Debug, Clone)]
pub enum V {
    I(i64),
    T(String),
    S(&'static str),
    B(bool),
    Null,
}

impl From<i64> for V {
    fn from(v: i64) -> V {
        V::I(v)
    }
}

impl From<Option<i64>> for V {
    fn from(v: Option<i64>) -> V {
        v.map_or(V::Null, V::I)
    }
}

impl From<String> for V {
    fn from(v: String) -> V {
        V::T(v)
    }
}

impl From<Option<String>> for V {
    fn from(v: Option<String>) -> V {
        v.map_or(V::Null, V::T)
    }
}

impl From<&'static str> for V {
    fn from(v: &'static str) -> V {
        V::S(v)
    }
}

impl From<Option<&'static str>> for V {
    fn from(v: Option<&'static str>) -> V {
        v.map_or(V::Null, V::S)
    }
}

impl From<bool> for V {
    fn from(v: bool) -> V {
        V::B(v)
    }
}

/// A table and the columns a row gives, in order.
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
}

fn write_value(out: &mut String, v: &V) {
    match v {
        V::I(i) => {
            let _ = write!(out, "{i}");
        }
        V::Null => out.push_str("null"),
        V::B(b) => out.push_str(if *b { "true" } else { "false" }),
        V::T(s) => out.push_str(&serde_json::Value::String(s.clone()).to_string()),
        V::S(s) => out.push_str(&serde_json::Value::String((*s).to_string()).to_string()),
    }
}

fn statement(table: &Table, backend: Backend) -> String {
    let names: Vec<&str> = table.columns.iter().map(|(n, _)| *n).collect();
    let values: Vec<String> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| match backend {
            Backend::Sqlite => format!("json_extract(value, '$[{i}]')"),
            Backend::Postgres => {
                let cast = match kind {
                    Kind::Int => "bigint",
                    Kind::Text => "text",
                    Kind::Bool => "boolean",
                };
                format!("(e->>{i})::{cast}")
            }
        })
        .collect();
    let from = match backend {
        Backend::Sqlite => "json_each($1)",
        Backend::Postgres => "jsonb_array_elements($1::jsonb) AS e",
    };
    format!("INSERT INTO {} ({}) SELECT {} FROM {from}", table.name, names.join(", "), values.join(", "))
}

/// Inserts `rows` into `table` in one transaction; returns how many were written.
pub async fn insert<I>(pool: &AnyPool, backend: Backend, table: &Table, rows: I) -> Result<u64, sqlx::Error>
where
    I: IntoIterator<Item = Vec<V>>,
{
    let sql = statement(table, backend);
    let mut tx = pool.begin().await?;
    let mut written = 0;
    let mut batch = String::with_capacity(1 << 20);
    let mut in_batch = 0;
    let mut rows = rows.into_iter().peekable();
    while let Some(row) = rows.next() {
        assert_eq!(row.len(), table.columns.len(), "a row of {} has the wrong width", table.name);
        batch.push(if in_batch == 0 { '[' } else { ',' });
        batch.push('[');
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                batch.push(',');
            }
            write_value(&mut batch, v);
        }
        batch.push(']');
        in_batch += 1;
        if in_batch == CHUNK || rows.peek().is_none() {
            batch.push(']');
            written += sqlx::query(&sql).bind(std::mem::take(&mut batch)).execute(&mut *tx).await?.rows_affected();
            in_batch = 0;
        }
    }
    tx.commit().await?;
    Ok(written)
}
