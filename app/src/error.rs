//! The one error type every server function returns.
//!
//! Policy (after crates.io): an unexpected failure is logged once, with detail, where it is turned
//! into [`AppError::Internal`]; the browser only ever sees the fixed, friendly messages below.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// A message about one form field, shown next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Why a request failed, as the browser may see it: each variant's message is fixed and safe to
/// show, and [`Self::status_code`] gives its HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("You do not have permission to do that.")]
    Forbidden,
    #[error("We could not find that.")]
    NotFound,
    /// The input was understood but not acceptable; `fields` say where.
    #[error("{message}")]
    Invalid { message: String, fields: Vec<FieldError> },
    #[error("Too many attempts. Please wait a few minutes and try again.")]
    RateLimited,
    #[error("The request was malformed or incomplete.")]
    BadRequest,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

impl AppError {
    /// An input error not tied to one field.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid { message: message.into(), fields: Vec::new() }
    }

    /// An input error about one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Invalid {
            message: "Please correct the highlighted fields.".into(),
            fields: vec![FieldError { field: field.into(), message }],
        }
    }

    /// The message for `field`, if any.
    pub fn field_message(&self, field: &str) -> Option<&str> {
        match self {
            Self::Invalid { fields, .. } => fields.iter().find(|f| f.field == field).map(|f| f.message.as_str()),
            _ => None,
        }
    }

    /// The HTTP status the variant is answered with (401, 403, 404, 422, 429, 400 or 500).
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Invalid { .. } => 422,
            Self::RateLimited => 429,
            Self::BadRequest => 400,
            Self::Internal => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request's own fault: arguments missing or malformed, a body that is not what
            // the function reads.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) | ServerFnErrorErr::Deserialization(_) => {
                Self::BadRequest
            }
            _ => Self::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => Self::NotFound,
            other => {
                tracing::error!(error = %other, "database error");
                Self::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// Logs an unexpected failure once, with its detail, and hides it from the client.
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "{context}");
        Self::Internal
    }
}
