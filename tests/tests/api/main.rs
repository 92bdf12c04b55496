//! The integration tests, one module per area, in one test binary so the workspace
//! links them once. Each test spawns its own [`integration::TestApp`] (a fresh table).

mod activities;
mod auth_users;
mod authz_matrix;
mod console;
mod faults;
mod groups;
mod hostile;
mod iam;
mod invitations;
mod layout;
mod listing;
mod profiles;
mod provisioning;
mod routes;
mod scale;
mod scim;
mod scim_core;
mod secrets;
mod storage;
mod workspaces;
