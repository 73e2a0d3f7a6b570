//! trailblame-synth: the deterministic generators of synthetic AWS activity
//! that trailblame's tests, benchmarks and `sample-data/` are made from. They
//! live in their own crate so that the `trailblame` binary does not carry
//! them.
//!
//! Two generators, independent of each other:
//! - `corpus`: plain CloudTrail deliveries in the S3 layout, any number of
//!   records, for benchmarks (`trailblame-synth --events N`);
//! - `scenario`: the attribution test bed, a week of an organisation's AWS
//!   activity with people, services, CI and AI agents, the agents'
//!   transcripts, incidents and the ground truth (`trailblame-synth
//!   --scenario`; `sample-data/` is its output at seed 1).
//!
//! Both write the same bytes for the same configuration on any number of
//! threads. `json`, `rng` and `output` (gzip files) are the small tools both
//! use; `cloudtrail` the record parts both write alike.
//!
//! `mutate` is the third: not a generator of activity but of damage, the
//! deterministic mutations of the test fixtures that the fuzz harness
//! (`tests/fuzz.rs`) feeds to the binary.

pub mod agent_db;
mod cloudtrail;
pub mod corpus;
mod json;
pub mod mutate;
mod output;
mod rng;
pub mod scenario;
