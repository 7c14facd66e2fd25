//! Keyset pagination: a page request is a window after/before an id, never an OFFSET.

/// A validated page request over rows ordered by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageRequest {
    /// Exclusive lower bound (in the order of the listing).
    pub after: Option<i64>,
    /// Exclusive upper bound (in the order of the listing).
    pub before: Option<i64>,
    /// Rows wanted.
    pub limit: u64,
    /// `last`: take the rows nearest `before` / the end.
    pub from_end: bool,
    /// The listing runs in descending id order.
    pub descending: bool,
}

/// Rows of one page, in listing order.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub has_next: bool,
    pub has_previous: bool,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self { rows: Vec::new(), has_next: false, has_previous: false }
    }
}

impl PageRequest {
    /// SQL direction of the scan: forward pages scan in listing order, `last` pages against it.
    pub fn scan_descending(&self) -> bool {
        self.descending != self.from_end
    }

    /// Bounds as (lower, upper) on id, whatever the listing order.
    pub fn id_bounds(&self) -> (Option<i64>, Option<i64>) {
        if self.descending { (self.before, self.after) } else { (self.after, self.before) }
    }

    /// Turns `limit + 1` fetched rows (in scan order) into a page in listing order.
    pub fn finish<T>(&self, mut rows: Vec<T>) -> Page<T> {
        let more = rows.len() as u64 > self.limit;
        rows.truncate(self.limit as usize);
        if self.from_end {
            rows.reverse();
            Page { rows, has_next: self.before.is_some(), has_previous: more }
        } else {
            Page { rows, has_next: more, has_previous: self.after.is_some() }
        }
    }
}
