//! What attribution reads: the events' identity and user-agent columns, and
//! the transcripts' tool calls with their sessions. Columns borrow from the
//! frames they were read from (no copies of 1M strings).
//!
//! `events` holds the event columns (`Events`) and the destructive verdicts
//! taken while they are read, `load` reads the store's events parts into it
//! with each event's key (`events.event_key`, as its 128 bits), `calls`
//! reads tool calls and user-message times, `provenance` the sessions'
//! spans and operators and the tool calls out of order in their files,
//! `shared_ids` the events that share their `eventID` with another, and
//! `tap` takes the events in as an ingest writes them (a store's first
//! attribution need not read them back).
//! String columns are `StrCol`s (`crate::str_col`).

mod calls;
mod events;
mod load;
mod provenance;
mod shared_ids;
mod tap;

pub use crate::str_col::StrCol;
pub use calls::{Call, Loaded as LoadedCalls, Reach, calls, user_message_times};
pub use events::{DestructiveHit, Events, Row, STACK_OPS, STS, issued_key};
pub use load::{Rows, StoredEvents, event_selection, load_events};
pub use provenance::{SessionSpan, chain_breaks, session_spans};
pub use shared_ids::{SharedId, id_hash, shared};
pub use tap::{Tap, Tapped};
