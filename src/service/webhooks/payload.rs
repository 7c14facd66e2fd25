//! The JSON body of a delivery, made from its audit event (which never changes, so that every
//! attempt sends the same body).

use entity::audit_event;
use serde_json::{Value, json};

use crate::ids::{self, NodeType};

/// The body POSTed for `event` as delivery `delivery_id`. Ids are the API's global ids.
pub fn body(delivery_id: i64, event: &audit_event::Model) -> Vec<u8> {
    let parse = |t: &Option<String>| t.as_deref().and_then(|t| serde_json::from_str::<Value>(t).ok());
    let id = |t, n: Option<i64>| n.map(|n| ids::encode(t, n).0);
    let value = json!({
        "delivery": delivery_id.to_string(),
        "event": event.action,
        "eventId": ids::encode(NodeType::Event, event.id).0,
        "at": event.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "actor": { "id": event.actor_id, "name": event.actor, "role": event.role },
        "subjectId": ids::of_subject(&event.subject).0,
        "taskId": id(NodeType::Task, event.task_id),
        "departmentId": id(NodeType::Department, event.department_id),
        "periodId": id(NodeType::ReportingPeriod, event.period_id),
        "before": parse(&event.before),
        "after": parse(&event.after),
        "requestId": event.request_id,
    });
    serde_json::to_vec(&value).unwrap_or_default()
}
