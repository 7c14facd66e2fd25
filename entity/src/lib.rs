//! sea-orm entities of qingdan: one file per table.

pub mod api_token;
pub mod assignment;
pub mod audit_event;
pub mod category;
pub mod closure;
pub mod department;
pub mod department_alias;
pub mod document;
pub mod document_version;
pub mod enums;
pub mod extension;
pub mod idempotency_key;
pub mod indicator;
pub mod notice;
pub mod rehearsal;
pub mod report;
pub mod report_revision;
pub mod reporting_period;
pub mod task;
pub mod task_change;
pub mod webhook;
pub mod webhook_delivery;

pub use enums::{
    ChangeKind, ClosureState, DeliveryState, DepartmentKind, ExtensionState, NoticeLevel, ReportStatus, ReviewState,
    Role, TokenRole,
};
