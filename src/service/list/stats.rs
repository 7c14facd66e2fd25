//! `taskStats` from the snapshot: task counts grouped by category, department, role and/or kind.

use std::collections::HashMap;

use entity::{DepartmentKind, Role};

use super::{Ix, ListSnapshot};
use crate::service::task_filter::{DepartmentRef, TaskPredicate, role_str};

/// A dimension to group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatDimension {
    Category,
    Department,
    Role,
    Kind,
}

/// One group: the keys grouped by (others `None`) and its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatRow {
    pub category_id: Option<i64>,
    pub department_id: Option<i64>,
    pub role: Option<Role>,
    pub kind: Option<DepartmentKind>,
    pub task_count: i64,
    pub co_led_task_count: i64,
    pub assignment_count: i64,
}

type GroupKey = (Option<i64>, Option<i64>, Option<Role>, Option<DepartmentKind>);

/// Counts of one group, and the last task counted (a task counts once per group).
#[derive(Default)]
struct Tally {
    tasks: i64,
    co_led: i64,
    assignments: i64,
    last: Option<Ix>,
}

impl ListSnapshot {
    /// Counts of the tasks matching `filter`, grouped by `dims` (no dims: one total row), largest
    /// groups first (ties in key order), at most `limit` of them.
    pub fn task_stats(&self, filter: Option<&TaskPredicate>, dims: &[StatDimension], limit: u64) -> Vec<StatRow> {
        let has = |d| dims.contains(&d);
        let by_assignment = has(StatDimension::Department) || has(StatDimension::Role) || has(StatDimension::Kind);
        let mut conditions = Vec::new();
        if let Some(f) = filter {
            assignment_conditions(f, &mut conditions);
        }
        let mut groups: HashMap<GroupKey, Tally> = HashMap::new();
        for ix in self.matching(filter) {
            let task = &self.tasks[ix as usize];
            let category = has(StatDimension::Category).then_some(task.category_id);
            let mut count = |key: GroupKey, assignments: i64| {
                let t = groups.entry(key).or_default();
                t.assignments += assignments;
                if t.last != Some(ix) {
                    t.last = Some(ix);
                    t.tasks += 1;
                    t.co_led += i64::from(task.lead_count >= 2);
                }
            };
            if !by_assignment {
                count((category, None, None, None), 0);
                continue;
            }
            for a in self.assignments[ix as usize].iter().filter(|a| self.assignment_meets(a, &conditions)) {
                let kind =
                    if has(StatDimension::Kind) { self.department(a.department_id).map(|d| d.kind) } else { None };
                let key = (
                    category,
                    has(StatDimension::Department).then_some(a.department_id),
                    has(StatDimension::Role).then_some(a.role),
                    kind,
                );
                count(key, 1);
            }
        }
        if dims.is_empty() && groups.is_empty() {
            groups.insert((None, None, None, None), Tally::default());
        }
        let mut rows: Vec<StatRow> = groups
            .into_iter()
            .map(|((category_id, department_id, role, kind), t)| StatRow {
                category_id,
                department_id,
                role,
                kind,
                task_count: t.tasks,
                co_led_task_count: t.co_led,
                assignment_count: t.assignments,
            })
            .collect();
        rows.sort_by(|a, b| {
            b.task_count
                .cmp(&a.task_count)
                .then(a.category_id.cmp(&b.category_id))
                .then(a.department_id.cmp(&b.department_id))
                .then(a.role.map(role_str).cmp(&b.role.map(role_str)))
                .then(a.kind.map(kind_str).cmp(&b.kind.map(kind_str)))
        });
        if !dims.is_empty() {
            rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        }
        rows
    }
}

impl ListSnapshot {
    /// Whether assignment `a` meets every one of `conditions` (see [`assignment_conditions`]).
    fn assignment_meets(&self, a: &entity::assignment::Model, conditions: &[&TaskPredicate]) -> bool {
        conditions.iter().all(|c| match c {
            TaskPredicate::HasRole(role) => a.role == *role,
            TaskPredicate::Department { department, role } => {
                let holder = match department {
                    DepartmentRef::Id(id) => a.department_id == *id,
                    DepartmentRef::Name(name) => self.answers_to(a.department_id, name),
                };
                holder && role.is_none_or(|r| a.role == r)
            }
            _ => true,
        })
    }
}

/// The conditions of `filter` on assignments (a role, a department with or without its role)
/// that every counted assignment meets when groups are made of assignments: those the filter
/// asks of all of it (its own fields and `and`), not those under `or` or `not`, which choose
/// tasks only.
fn assignment_conditions<'f>(filter: &'f TaskPredicate, out: &mut Vec<&'f TaskPredicate>) {
    match filter {
        TaskPredicate::And(all) => all.iter().for_each(|f| assignment_conditions(f, out)),
        TaskPredicate::HasRole(_) | TaskPredicate::Department { .. } => out.push(filter),
        _ => {}
    }
}

fn kind_str(k: DepartmentKind) -> String {
    sea_orm::ActiveEnum::to_value(&k)
}
