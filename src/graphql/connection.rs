//! Relay connections: page arguments, page-size rules, PageInfo and the connection types.

use async_graphql::SimpleObject;

use super::ids::decode_cursor;
use crate::error::{ApiError, ApiResult};
use crate::service::page::{Page, PageRequest};

/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE: u64 = 100;

/// Relay page arguments as the client sent them.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl PageArgs {
    pub fn new(first: Option<i32>, after: Option<String>, last: Option<i32>, before: Option<String>) -> Self {
        Self { first, after, last, before }
    }

    /// Validates against `max` rows per page.
    pub fn request(&self, max: u64, descending: bool) -> ApiResult<PageRequest> {
        if self.first.is_some() && self.last.is_some() {
            return Err(ApiError::bad_input("pass either first or last, not both"));
        }
        let (n, from_end) = match (self.first, self.last) {
            (Some(n), _) => (n, false),
            (None, Some(n)) => (n, true),
            (None, None) => (DEFAULT_PAGE.min(max) as i32, false),
        };
        if n < 0 {
            return Err(ApiError::bad_input(format!(
                "{} must not be negative",
                if from_end { "last" } else { "first" }
            )));
        }
        if n as u64 > max {
            return Err(ApiError::LimitExceeded(format!(
                "page size limit exceeded: {} is {n}, the maximum is {max}",
                if from_end { "last" } else { "first" }
            )));
        }
        let after = self.after.as_deref().map(decode_cursor).transpose()?;
        let before = self.before.as_deref().map(decode_cursor).transpose()?;
        Ok(PageRequest { after, before, limit: n as u64, from_end, descending })
    }
}

/// Where a page stands in its listing.
#[derive(Debug, Clone, SimpleObject)]
pub struct PageInfo {
    /// More rows follow this page.
    pub has_next_page: bool,
    /// Rows precede this page.
    pub has_previous_page: bool,
    /// Cursor of the first row of the page.
    pub start_cursor: Option<String>,
    /// Cursor of the last row of the page.
    pub end_cursor: Option<String>,
}

impl PageInfo {
    pub fn of<T>(page: &Page<T>, id: impl Fn(&T) -> i64) -> Self {
        Self {
            has_next_page: page.has_next,
            has_previous_page: page.has_previous,
            start_cursor: page.rows.first().map(|r| super::ids::cursor(id(r))),
            end_cursor: page.rows.last().map(|r| super::ids::cursor(id(r))),
        }
    }
}

/// Declares a connection type `$conn` with edges `$edge` over node `$node` (built from rows of
/// `$row` by `$wrap`, with ids by `$id`), whose `totalCount` is `$count::total(ctx)`.
macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ty, $row:ty, $wrap:expr, $id:expr, $count:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, ".")]
        pub struct $conn {
            pub page: $crate::service::page::Page<$row>,
            pub count: $count,
        }

        #[doc = concat!("One of ", $what, " with its cursor.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// Opaque position of this row, for `after`/`before`.
            pub cursor: String,
            /// The row.
            pub node: $node,
        }

        #[doc = concat!("A page of ", $what, ".")]
        #[async_graphql::Object]
        impl $conn {
            /// Rows of this page with their cursors.
            async fn edges(&self) -> Vec<$edge> {
                self.page
                    .rows
                    .iter()
                    .map(|r| $edge { cursor: $crate::ids::cursor(($id)(r)), node: ($wrap)(r.clone()) })
                    .collect()
            }

            /// Rows of this page.
            async fn nodes(&self) -> Vec<$node> {
                self.page.rows.iter().cloned().map($wrap).collect()
            }

            /// Where this page stands.
            async fn page_info(&self) -> $crate::graphql::connection::PageInfo {
                $crate::graphql::connection::PageInfo::of(&self.page, $id)
            }

            /// Rows in the whole listing (counted only when asked for).
            async fn total_count(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<i64> {
                self.count.total(ctx).await
            }
        }
    };
}

pub(crate) use connection;
