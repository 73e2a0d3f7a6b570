//! Incidents: reading the file teams export, and linking each incident to
//! the events that plausibly caused it.

pub mod link;
pub mod read;
