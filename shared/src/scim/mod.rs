pub mod filter;
pub mod schema;
