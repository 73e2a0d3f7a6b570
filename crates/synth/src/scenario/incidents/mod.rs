//! The week's incidents and the events that cause them, planned up front:
//! the SEV1 from the brief (`cost_analysis_outage`), people's CloudFormation
//! stack updates (`stack_updates`), the smaller incidents (`minor`), the
//! CloudFormation cascades they share (`cascade`), and the exported
//! incident rows (`export`).

pub(super) mod cascade;
pub(super) mod cost_analysis_outage;
pub(super) mod export;
pub(super) mod minor;
pub(super) mod stack_updates;
