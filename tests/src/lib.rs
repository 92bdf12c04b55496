//! Test support: see tests/*.rs.
