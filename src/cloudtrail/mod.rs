//! The vocabulary of CloudTrail records every stage shares: how a user agent
//! splits into its parts, which IAM action an event was authorised by, how a
//! field is read out of the `requestParameters` JSON text, how a glob
//! pattern matches, and how URL-encoded text is decoded. Ingest,
//! attribution, the destructive catalog, privileges and the anomaly
//! detectors all read records through these, so one record means the same
//! thing to each of them. Where two callers have always read something
//! differently (a glob's case rules, what an invalid `%` escape does), the
//! difference is a named option here, not a second copy of the code.

pub mod glob;
pub mod iam_action;
pub mod percent;
pub mod request_params;
pub mod user_agent;
