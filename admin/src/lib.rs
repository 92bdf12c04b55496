//! The operator's tools, as a library so tests use the very same code: the table
//! definition read from `template.yaml`, the routes it declares, the first admin, and
//! the invariant audit.

pub mod audit;
pub mod fixtures;
pub mod routes;
pub mod samples;
pub mod table;
pub mod users;
