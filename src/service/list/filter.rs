//! Task listings from the snapshot: filtered, scoped to a category or a department, paged by id.

use std::borrow::Cow;

use entity::{Role, task};

use super::{Ix, ListSnapshot};
use crate::service::page::{Page, PageRequest};
use crate::service::task_filter::{DepartmentRef, TaskPredicate};

/// Whose tasks a scoped listing lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskScope {
    /// Tasks of a category.
    Category(i64),
    /// Tasks a department is assigned to, optionally in one role.
    Department { id: i64, role: Option<Role> },
}

impl ListSnapshot {
    /// The first department name `predicate` takes that no loaded department has, to be answered
    /// NOT_FOUND rather than with an empty page that looks like "no tasks".
    pub fn unknown_department_name<'p>(&self, predicate: &'p TaskPredicate) -> Option<&'p str> {
        match predicate {
            TaskPredicate::Department { department: DepartmentRef::Name(name), .. } => {
                (!self.has_department_named(name)).then_some(name.as_str())
            }
            TaskPredicate::And(parts) | TaskPredicate::Or(parts) => {
                parts.iter().find_map(|p| self.unknown_department_name(p))
            }
            TaskPredicate::Not(p) => self.unknown_department_name(p),
            _ => None,
        }
    }

    /// Whether some loaded department is called `name`.
    pub fn has_department_named(&self, name: &str) -> bool {
        self.departments_by_name.contains_key(name)
    }
}

impl ListSnapshot {
    /// One page of the tasks matching `filter`, in id order: (document, number) order for the
    /// tasks of a list as imported, then the tasks its versions added. `removed`: the tasks
    /// versions removed are listed too.
    pub fn tasks_page(&self, filter: Option<&TaskPredicate>, removed: bool, page: PageRequest) -> Page<task::Model> {
        let all = self.base(filter, removed);
        self.page_of(&all, page, |ix| filter.is_none_or(|f| self.matches(f, ix)))
    }

    /// How many tasks match `filter` (`removed`: removed ones too).
    pub fn tasks_count(&self, filter: Option<&TaskPredicate>, removed: bool) -> i64 {
        let all = self.base(filter, removed);
        all.iter().filter(|ix| filter.is_none_or(|f| self.matches(f, **ix))).count() as i64
    }

    /// Indexes of the tasks in the list matching `filter`, in id order.
    pub(super) fn matching(&self, filter: Option<&TaskPredicate>) -> Vec<Ix> {
        let all = self.base(filter, false);
        all.iter().copied().filter(|ix| filter.is_none_or(|f| self.matches(f, *ix))).collect()
    }

    /// The tasks `filter` is checked on: an index's when one narrows it (indexes hold the tasks
    /// in the list), else the list's; with `removed`, every task.
    fn base(&self, filter: Option<&TaskPredicate>, removed: bool) -> Cow<'_, [Ix]> {
        if removed {
            return Cow::Owned((0..self.tasks.len() as Ix).collect());
        }
        filter.and_then(|f| self.candidates(f)).unwrap_or(Cow::Borrowed(&self.current))
    }

    /// A page of a category's or department's tasks.
    pub fn scoped_page(&self, scope: TaskScope, co_led: Option<bool>, page: PageRequest) -> Page<task::Model> {
        let all = self.scoped(scope);
        self.page_of(&all, page, |ix| co_led.is_none_or(|c| (self.tasks[ix as usize].lead_count >= 2) == c))
    }

    /// How many tasks a category or department listing holds.
    pub fn scoped_count(&self, scope: TaskScope, co_led: Option<bool>) -> i64 {
        let all = self.scoped(scope);
        all.iter().filter(|ix| co_led.is_none_or(|c| (self.tasks[**ix as usize].lead_count >= 2) == c)).count() as i64
    }

    fn scoped(&self, scope: TaskScope) -> Cow<'_, [Ix]> {
        match scope {
            TaskScope::Category(id) => Cow::Borrowed(self.tasks_of_category.get(&id).map_or(&[], Vec::as_slice)),
            TaskScope::Department { id, role } => Cow::Owned(self.department_tasks(id, role)),
        }
    }

    fn department_tasks(&self, id: i64, role: Option<Role>) -> Vec<Ix> {
        let Some(d) = self.of_department.get(&id) else { return Vec::new() };
        d.tasks
            .iter()
            .filter(|(_, lead, responsible)| match role {
                None => true,
                Some(Role::Lead) => *lead,
                Some(Role::Responsible) => *responsible,
            })
            .map(|(ix, _, _)| *ix)
            .collect()
    }

    /// The rows of `page` among `all` (ascending) that pass `keep`.
    fn page_of(&self, all: &[Ix], page: PageRequest, keep: impl Fn(Ix) -> bool) -> Page<task::Model> {
        let (lower, upper) = page.id_bounds();
        let in_bounds = |ix: &&Ix| {
            let id = self.tasks[**ix as usize].id;
            lower.is_none_or(|l| id > l) && upper.is_none_or(|u| id < u)
        };
        let wanted = usize::try_from(page.limit).unwrap_or(usize::MAX).saturating_add(1);
        let pick = |ix: &Ix| self.tasks[*ix as usize].clone();
        let rows: Vec<task::Model> = if page.scan_descending() {
            all.iter().rev().filter(in_bounds).filter(|ix| keep(**ix)).take(wanted).map(pick).collect()
        } else {
            all.iter().filter(in_bounds).filter(|ix| keep(**ix)).take(wanted).map(pick).collect()
        };
        page.finish(rows)
    }

    /// A superset of the tasks matching `p`, in id order, when an index narrows it.
    fn candidates(&self, p: &TaskPredicate) -> Option<Cow<'_, [Ix]>> {
        match p {
            TaskPredicate::Document(id) => {
                Some(Cow::Borrowed(self.tasks_of_document.get(id).map_or(&[], Vec::as_slice)))
            }
            TaskPredicate::CategoryNumber(n) => {
                Some(Cow::Borrowed(self.tasks_of_category_number.get(n).map_or(&[], Vec::as_slice)))
            }
            TaskPredicate::Department { department: DepartmentRef::Id(id), role } => {
                Some(Cow::Owned(self.department_tasks(*id, *role)))
            }
            TaskPredicate::Department { department: DepartmentRef::Name(name), role } => {
                let mut all: Vec<Ix> = self
                    .departments_by_name
                    .get(name)
                    .into_iter()
                    .flatten()
                    .flat_map(|id| self.department_tasks(*id, *role))
                    .collect();
                all.sort_unstable();
                all.dedup();
                Some(Cow::Owned(all))
            }
            TaskPredicate::And(parts) => parts.iter().filter_map(|q| self.candidates(q)).min_by_key(|c| c.len()),
            _ => None,
        }
    }

    /// Whether task `ix` satisfies `p`.
    fn matches(&self, p: &TaskPredicate, ix: Ix) -> bool {
        let task = &self.tasks[ix as usize];
        match p {
            TaskPredicate::Document(id) => task.document_id == *id,
            TaskPredicate::CategoryNumber(n) => self.categories.get(&task.category_id).is_some_and(|c| c.number == *n),
            TaskPredicate::Department { department, role } => self.assignments[ix as usize].iter().any(|a| {
                role.is_none_or(|r| a.role == r)
                    && match department {
                        DepartmentRef::Id(id) => a.department_id == *id,
                        DepartmentRef::Name(name) => self.answers_to(a.department_id, name),
                    }
            }),
            TaskPredicate::HasRole(role) => self.assignments[ix as usize].iter().any(|a| a.role == *role),
            TaskPredicate::CoLed(c) => (task.lead_count >= 2) == *c,
            TaskPredicate::Search(text) => text.split_whitespace().all(|term| task.content.contains(term)),
            TaskPredicate::HasIndicators(h) => self.indicators[ix as usize].is_empty() != *h,
            TaskPredicate::And(parts) => parts.iter().all(|q| self.matches(q, ix)),
            TaskPredicate::Or(parts) => parts.iter().any(|q| self.matches(q, ix)),
            TaskPredicate::Not(inner) => !self.matches(inner, ix),
        }
    }
}
