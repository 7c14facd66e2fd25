//! Every action of the audit trail, declared once: its stored (and webhook) name, the type of
//! its subject, whether webhooks may subscribe to it and whether supervision streams carry it,
//! and what it means. The [`Action`] enum, its lists, the webhook CLI's help and the checks of
//! the API's descriptions all come from this one table: a new action is one line here (and the
//! [`Write`](super::writes::Write) that records it).

/// Declares [`Action`] from its table.
macro_rules! actions {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $name:literal, subject $subject:literal, webhooks $deliverable:literal, supervision $supervision:literal;
    )*) => {
        /// What an event says happened.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum Action {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Action {
            /// Every action, in the table's order.
            pub const ALL: &'static [Action] = &[$(Self::$variant),*];

            /// The stored (and webhook) name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name,)* }
            }

            /// The type of the node the event is about.
            pub fn subject_type(self) -> &'static str {
                match self { $(Self::$variant => $subject,)* }
            }

            /// Whether webhooks may subscribe to it: what happens to the list and its reports, not
            /// to the server's own credentials and receivers.
            pub fn is_deliverable(self) -> bool {
                match self { $(Self::$variant => $deliverable,)* }
            }

            /// Whether supervision streams (`supervisionEvents`) carry it.
            pub fn is_supervision(self) -> bool {
                match self { $(Self::$variant => $supervision,)* }
            }

            /// What it means, in a line.
            pub fn meaning(self) -> &'static str {
                match self { $(Self::$variant => concat!($($doc),*).trim_ascii(),)* }
            }
        }
    };
}

actions! {
    /// A document imported, replaced or generated (with any reports it brings).
    DocumentImported = "document.imported", subject "Document", webhooks true, supervision false;
    /// The next version of a document: an amended text or a decision on a task (SPEC §12).
    ListAmended = "list.amended", subject "Document", webhooks true, supervision false;
    /// A department renamed (机构改革): its former name kept as an alias.
    DepartmentRenamed = "department.renamed", subject "Department", webhooks true, supervision false;
    /// A new revision of a report.
    ReportSubmitted = "report.submitted", subject "Report", webhooks true, supervision true;
    /// A report's latest revision accepted by its reviewer.
    ReportAccepted = "report.accepted", subject "Report", webhooks true, supervision true;
    /// A report's latest revision returned for rework, with a comment.
    ReportReturned = "report.returned", subject "Report", webhooks true, supervision true;
    /// A later due date asked for.
    ExtensionRequested = "extension.requested", subject "Extension", webhooks true, supervision true;
    /// A request for a later due date approved or rejected.
    ExtensionDecided = "extension.decided", subject "Extension", webhooks true, supervision true;
    /// A supervision notice (催办, 督办) issued to a department.
    NoticeIssued = "notice.issued", subject "Notice", webhooks true, supervision true;
    /// A lead department asked for a finished task to be closed (销号).
    ClosureRequested = "closure.requested", subject "Closure", webhooks true, supervision true;
    /// A request to close a task approved (the task is closed) or rejected.
    ClosureDecided = "closure.decided", subject "Closure", webhooks true, supervision true;
    /// An API token created.
    TokenCreated = "token.created", subject "Token", webhooks false, supervision false;
    /// An API token revoked.
    TokenRevoked = "token.revoked", subject "Token", webhooks false, supervision false;
    /// A webhook added.
    WebhookAdded = "webhook.added", subject "Webhook", webhooks false, supervision false;
    /// A webhook removed (its undelivered events cancelled).
    WebhookRemoved = "webhook.removed", subject "Webhook", webhooks false, supervision false;
}

impl Action {
    /// The action named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.as_str() == name)
    }

    /// The actions webhooks may subscribe to.
    pub fn deliverable() -> impl Iterator<Item = Action> {
        Self::ALL.iter().copied().filter(|a| a.is_deliverable())
    }
}

/// The webhook CLI's help for `--events`, from the table.
pub fn webhook_events_help() -> String {
    let mut help = String::from(
        "Events, comma-separated; none (or `*`) subscribes to every event webhooks receive, \
         those added in later releases included:\n",
    );
    for a in Action::deliverable() {
        help.push_str(&format!("  {:<20} {}\n", a.as_str(), a.meaning()));
    }
    help
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(*a));
            assert!(!a.meaning().is_empty(), "{a:?}");
        }
        let mut names: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
    }

    #[test]
    fn every_subject_is_a_node_type() {
        for a in Action::ALL {
            assert!(crate::ids::NodeType::named(a.subject_type()).is_some(), "{a:?}");
        }
    }

    #[test]
    fn the_webhook_help_lists_the_deliverable_actions() {
        let help = webhook_events_help();
        assert!(Action::deliverable().all(|a| help.contains(a.as_str())));
        assert!(!help.contains("token.created"));
    }
}
