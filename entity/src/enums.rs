//! Enumerations stored as short strings, so the SQL stays readable on both backends.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What kind of body a department is, derived from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum DepartmentKind {
    #[sea_orm(string_value = "GOVERNMENT_AGENCY")]
    GovernmentAgency,
    #[sea_orm(string_value = "PARTY_ORGAN")]
    PartyOrgan,
    #[sea_orm(string_value = "DISTRICT_GOVERNMENT")]
    DistrictGovernment,
    #[sea_orm(string_value = "VERTICAL_AGENCY")]
    VerticalAgency,
    #[sea_orm(string_value = "STATE_ENTERPRISE")]
    StateEnterprise,
    #[sea_orm(string_value = "JUDICIAL_ORGAN")]
    JudicialOrgan,
    #[sea_orm(string_value = "COLLECTIVE")]
    Collective,
}

/// What a version changed in a task (SPEC §12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
pub enum ChangeKind {
    /// A task the version adds.
    #[sea_orm(string_value = "ADDED")]
    Added,
    /// A task the version drops; it stays with its reports, out of the current list.
    #[sea_orm(string_value = "REMOVED")]
    Removed,
    /// Its text changed.
    #[sea_orm(string_value = "REWORDED")]
    Reworded,
    /// Its number (or category) changed.
    #[sea_orm(string_value = "RENUMBERED")]
    Renumbered,
    /// Its lead departments or responsible units changed.
    #[sea_orm(string_value = "REASSIGNED")]
    Reassigned,
    /// Its deadline changed.
    #[sea_orm(string_value = "RESCHEDULED")]
    Rescheduled,
}

/// The part a department plays in a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
pub enum Role {
    #[sea_orm(string_value = "LEAD")]
    Lead,
    #[sea_orm(string_value = "RESPONSIBLE")]
    Responsible,
}

/// Progress status of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
pub enum ReportStatus {
    #[sea_orm(string_value = "NOT_STARTED")]
    NotStarted,
    #[sea_orm(string_value = "ON_TRACK")]
    OnTrack,
    #[sea_orm(string_value = "AT_RISK")]
    AtRisk,
    #[sea_orm(string_value = "DELAYED")]
    Delayed,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
}

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
pub enum TokenRole {
    #[sea_orm(string_value = "VIEWER")]
    Viewer,
    #[sea_orm(string_value = "REPORTER")]
    Reporter,
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    /// Bound to an issuing office: supervises the documents it issued (SPEC §8).
    #[sea_orm(string_value = "SUPERVISOR")]
    Supervisor,
}

/// Where the review of a report revision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ReviewState {
    #[sea_orm(string_value = "PENDING_REVIEW")]
    PendingReview,
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    #[sea_orm(string_value = "RETURNED")]
    Returned,
}

/// Where a request for a later due date stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
pub enum ExtensionState {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
}

/// Where a request to close a finished task (销号) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
pub enum ClosureState {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
}

/// The level of a supervision notice (督办单), rising BLUE → ORANGE → RED.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum NoticeLevel {
    #[sea_orm(string_value = "BLUE")]
    Blue,
    #[sea_orm(string_value = "ORANGE")]
    Orange,
    #[sea_orm(string_value = "RED")]
    Red,
}

impl NoticeLevel {
    /// 1, 2, 3: stored beside the level so that one notice per level is a unique index.
    pub fn rank(self) -> i32 {
        match self {
            Self::Blue => 1,
            Self::Orange => 2,
            Self::Red => 3,
        }
    }
}

/// Where a webhook delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
pub enum DeliveryState {
    /// Waiting for its first attempt or for its next retry.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// The receiver answered 2xx.
    #[sea_orm(string_value = "DELIVERED")]
    Delivered,
    /// Every attempt failed: given up.
    #[sea_orm(string_value = "FAILED")]
    Failed,
    /// The webhook was removed before it was delivered.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}
