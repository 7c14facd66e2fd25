//! The one error enum of the API, with stable codes in `extensions.code`.

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

/// Errors a request can end in. Internal causes are logged, never sent.
///
/// Deliberately not `Display`: async-graphql converts any `Display` type into an error
/// message without a code, so `?` could leak a cause. The one conversion is below.
#[derive(Debug)]
pub enum ApiError {
    BadUserInput(String),
    NotFound(String),
    Unauthenticated(String),
    Forbidden(String),
    Conflict(String),
    LimitExceeded(String),
    /// An automatic persisted query the server does not know (yet): send it with its text.
    PersistedQueryNotFound(String),
    /// A hash without a text on a server that keeps no persisted queries.
    PersistedQueryNotSupported(String),
    /// A query that is not one of the trusted documents (`--trusted-documents`).
    PersistedQueryNotAllowed(String),
    /// The database cannot be reached (or timed out).
    Unavailable(DbErr),
    Internal(anyhow::Error),
}

impl ApiError {
    pub fn bad_input(msg: impl Into<String>) -> Self {
        Self::BadUserInput(msg.into())
    }

    pub fn not_found(msg: impl Into<String>) -> Self {
        Self::NotFound(msg.into())
    }

    /// What the client is told.
    pub fn message(&self) -> &str {
        match self {
            Self::BadUserInput(m)
            | Self::NotFound(m)
            | Self::Unauthenticated(m)
            | Self::Forbidden(m)
            | Self::Conflict(m)
            | Self::LimitExceeded(m)
            | Self::PersistedQueryNotFound(m)
            | Self::PersistedQueryNotSupported(m)
            | Self::PersistedQueryNotAllowed(m) => m,
            Self::Unavailable(_) => "the database is unavailable; try again shortly",
            Self::Internal(_) => "internal error",
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput(_) => "BAD_USER_INPUT",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::Conflict(_) => "CONFLICT",
            Self::LimitExceeded(_) => "LIMIT_EXCEEDED",
            Self::PersistedQueryNotFound(_) => "PERSISTED_QUERY_NOT_FOUND",
            Self::PersistedQueryNotSupported(_) => "PERSISTED_QUERY_NOT_SUPPORTED",
            Self::PersistedQueryNotAllowed(_) => "PERSISTED_QUERY_NOT_ALLOWED",
            Self::Unavailable(_) => "SERVICE_UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(e: DbErr) -> Self {
        match &e {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => Self::Unavailable(e),
            _ => Self::Internal(e.into()),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        match &e {
            ApiError::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
            ApiError::Unavailable(cause) => tracing::warn!(error = %cause, "database unavailable"),
            _ => {}
        }
        let code = e.code();
        async_graphql::Error::new(e.message()).extend_with(|_, ext| ext.set("code", code))
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        let code = self.code();
        async_graphql::Error::new(self.message()).extend_with(|_, ext| ext.set("code", code))
    }
}

/// Results of service functions.
pub type ApiResult<T> = Result<T, ApiError>;
