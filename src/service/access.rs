//! Who is calling, and what they may do.

use entity::TokenRole;

use crate::error::{ApiError, ApiResult};

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Viewer {
    /// No token: the public list only.
    #[default]
    Anonymous,
    /// A valid token.
    Token { id: i64, role: TokenRole, department_id: Option<i64>, label: String },
}

impl Viewer {
    /// Reports and obligations need a token.
    pub fn require_reader(&self) -> ApiResult<()> {
        match self {
            Self::Anonymous => Err(ApiError::Unauthenticated(
                "reports and obligations need a token: send Authorization: Bearer <token>".into(),
            )),
            Self::Token { .. } => Ok(()),
        }
    }

    /// What only ADMIN sees (webhooks and their deliveries).
    pub fn require_admin(&self) -> ApiResult<()> {
        match self {
            Self::Anonymous => Err(ApiError::Unauthenticated("this needs an ADMIN token".into())),
            Self::Token { role: TokenRole::Admin, .. } => Ok(()),
            Self::Token { .. } => {
                Err(ApiError::Forbidden("only ADMIN tokens see webhooks and their deliveries".into()))
            }
        }
    }

    /// Who a submission is recorded as.
    pub fn name(&self) -> String {
        match self {
            Self::Anonymous => "anonymous".into(),
            // A single sign-on subject (negative id): its label is `sso SUBJECT`.
            Self::Token { id, label, .. } if *id < 0 => label.clone(),
            Self::Token { id, label, .. } if label.is_empty() => format!("token {id}"),
            Self::Token { id, label, .. } => format!("token {id} ({label})"),
        }
    }
}
