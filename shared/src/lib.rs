//! The crate every endpoint function links. A function's own code is its business rule;
//! configuration, the error envelope, authentication, request parsing, domain types,
//! the DynamoDB store and the per-request log line all come from here.

pub mod activity;
pub mod auth;
pub mod config;
pub mod ctx;
pub mod document;
pub mod error;
pub mod feed;
pub mod fields;
pub mod groups;
pub mod http;
pub mod invitations;
pub mod keys;
pub mod model;
pub mod paging;
pub mod passwords;
pub mod ratelimit;
pub mod run;
pub mod scim;
pub mod store;
pub mod time;
pub mod types;
pub mod users;
pub mod workspaces;

pub use ctx::Ctx;
pub use error::{ApiError, FieldError};
pub use http::{Request, Response};

/// Handlers return this.
pub type ApiResult = Result<Response, ApiError>;
