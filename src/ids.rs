//! Opaque global ids ("Task:12" in base64) and cursors.

use async_graphql::ID;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{ApiError, ApiResult};

/// Node types that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    Document,
    Category,
    Task,
    Department,
    ReportingPeriod,
    Report,
    Indicator,
    Extension,
    Notice,
    Event,
    /// An API token (the subject of token events; not a node).
    Token,
    /// A webhook (the subject of webhook events; not a node).
    Webhook,
    /// One event owed to one webhook.
    WebhookDelivery,
    /// A request to close a task (销号).
    Closure,
}

impl NodeType {
    const ALL: [NodeType; 14] = [
        Self::Document,
        Self::Category,
        Self::Task,
        Self::Department,
        Self::ReportingPeriod,
        Self::Report,
        Self::Indicator,
        Self::Extension,
        Self::Notice,
        Self::Event,
        Self::Token,
        Self::Webhook,
        Self::WebhookDelivery,
        Self::Closure,
    ];

    /// The node type called `name`.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    fn name(self) -> &'static str {
        match self {
            Self::Document => "Document",
            Self::Category => "Category",
            Self::Task => "Task",
            Self::Department => "Department",
            Self::ReportingPeriod => "ReportingPeriod",
            Self::Report => "Report",
            Self::Indicator => "Indicator",
            Self::Extension => "Extension",
            Self::Notice => "Notice",
            Self::Event => "Event",
            Self::Token => "Token",
            Self::Webhook => "Webhook",
            Self::WebhookDelivery => "WebhookDelivery",
            Self::Closure => "Closure",
        }
    }
}

/// The global id of row `id` of type `ty`.
pub fn encode(ty: NodeType, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", ty.name())))
}

/// What the audit trail stores for row `id` of type `ty`: `Report:12`.
pub fn subject(ty: NodeType, id: i64) -> String {
    format!("{}:{id}", ty.name())
}

/// The type and row of a stored subject (`Report:12`); none for one that is not a type and row.
pub fn parse_subject(subject: &str) -> Option<(NodeType, i64)> {
    let (t, n) = subject.split_once(':')?;
    Some((NodeType::named(t)?, n.parse::<i64>().ok()?))
}

/// The global id of a stored subject (`Report:12`); the text itself for one that is not a
/// type and row.
pub fn of_subject(subject: &str) -> ID {
    match parse_subject(subject) {
        Some((ty, id)) => encode(ty, id),
        None => ID(subject.to_owned()),
    }
}

/// The stored subject a global id names (`Report:12`).
pub fn subject_of(id: &ID) -> ApiResult<String> {
    let (ty, n) = decode_any(id)?;
    Ok(subject(ty, n))
}

/// Reads any global id into its type and row id.
pub fn decode_any(id: &ID) -> ApiResult<(NodeType, i64)> {
    let bad = || ApiError::bad_input(format!("\"{}\" is not a valid id", truncate(id.as_str())));
    let raw = URL_SAFE_NO_PAD.decode(id.as_bytes()).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (name, num) = text.split_once(':').ok_or_else(bad)?;
    let ty = NodeType::ALL.into_iter().find(|t| t.name() == name).ok_or_else(bad)?;
    let num = num.parse::<i64>().map_err(|_| bad())?;
    Ok((ty, num))
}

/// Reads a global id that must be of type `ty`.
pub fn decode(id: &ID, ty: NodeType) -> ApiResult<i64> {
    match decode_any(id)? {
        (t, n) if t == ty => Ok(n),
        (t, _) => {
            Err(ApiError::bad_input(format!("id \"{}\" is a {}, not a {}", truncate(id.as_str()), t.name(), ty.name())))
        }
    }
}

/// The cursor of a row in an id-ordered listing.
pub fn cursor(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("c:{id}"))
}

pub fn decode_cursor(cursor: &str) -> ApiResult<i64> {
    let bad = || ApiError::bad_input(format!("\"{}\" is not a valid cursor", truncate(cursor)));
    let raw = URL_SAFE_NO_PAD.decode(cursor.as_bytes()).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    text.strip_prefix("c:").and_then(|n| n.parse::<i64>().ok()).ok_or_else(bad)
}

/// At most 40 characters of client input, for error messages.
pub fn truncate(s: &str) -> String {
    if s.chars().count() <= 40 { s.to_owned() } else { format!("{}…", s.chars().take(40).collect::<String>()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_keep_their_type() {
        let id = encode(NodeType::Task, 42);
        assert_eq!(decode(&id, NodeType::Task).ok(), Some(42));
        assert!(decode(&id, NodeType::Department).is_err());
        assert!(decode(&ID::from("nonsense!"), NodeType::Task).is_err());
        assert_eq!(decode_cursor(&cursor(7)).ok(), Some(7));
        assert!(decode_cursor("xyz").is_err());
    }
}
