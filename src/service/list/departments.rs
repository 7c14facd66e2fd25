//! Department listings from the snapshot.

use entity::{DepartmentKind, department};

use super::ListSnapshot;
use crate::service::page::{Page, PageRequest};

/// Validated department filter; all given fields must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepartmentCriteria {
    pub region: Option<String>,
    pub kind: Option<DepartmentKind>,
    pub is_collective: Option<bool>,
    pub name_contains: Option<String>,
    /// Departments assigned to some task of this document.
    pub document_id: Option<i64>,
}

impl DepartmentCriteria {
    fn admits(&self, s: &ListSnapshot, d: &department::Model) -> bool {
        self.region.as_ref().is_none_or(|r| d.region == *r)
            && self.kind.is_none_or(|k| d.kind == k)
            && self.is_collective.is_none_or(|c| (d.kind == DepartmentKind::Collective) == c)
            && self.name_contains.as_ref().is_none_or(|n| d.name.contains(n.as_str()))
            && self.document_id.is_none_or(|doc| s.of_department.get(&d.id).is_some_and(|i| i.documents.contains(&doc)))
    }
}

impl ListSnapshot {
    /// One page of the departments matching `criteria`, in id (first appearance) order.
    pub fn departments_page(&self, criteria: &DepartmentCriteria, page: PageRequest) -> Page<department::Model> {
        let (lower, upper) = page.id_bounds();
        let keep = |d: &&department::Model| {
            lower.is_none_or(|l| d.id > l) && upper.is_none_or(|u| d.id < u) && criteria.admits(self, d)
        };
        let wanted = usize::try_from(page.limit).unwrap_or(usize::MAX).saturating_add(1);
        let rows: Vec<department::Model> = if page.scan_descending() {
            self.departments.iter().rev().filter(keep).take(wanted).cloned().collect()
        } else {
            self.departments.iter().filter(keep).take(wanted).cloned().collect()
        };
        page.finish(rows)
    }

    /// How many departments match `criteria`.
    pub fn departments_count(&self, criteria: &DepartmentCriteria) -> i64 {
        self.departments.iter().filter(|d| criteria.admits(self, d)).count() as i64
    }
}
