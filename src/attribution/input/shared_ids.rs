//! Events that share their `eventID` with a differing stored record.
//!
//! CloudTrail gives every event its own id, and ingest drops exact copies
//! (the same `event_key`), so two stored events with one id mean that one
//! of them was not written by CloudTrail as it stands: a forged record
//! reusing a real event's id, or an edited copy. Neither is trusted over
//! the other; both keep their own label (the table is keyed by
//! `event_key`) and `checks::shared_event_id` doubts both.

use rayon::prelude::*;

/// What an event id is compared by: 128 bits of xxh3 (a false match among
/// 10⁹ distinct ids has odds of about 10⁻²¹); 0 for an event with no id,
/// which shares nothing.
pub fn id_hash(id: Option<&str>) -> u128 {
    match id {
        Some(id) => xxhash_rust::xxh3::xxh3_128(id.as_bytes()).max(1),
        None => 0,
    }
}

/// An event that shares its id: its index, and how many stored events
/// have that id (itself included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SharedId {
    pub event: u32,
    pub records: u32,
}

/// The events whose id hash (`id_hash`, by event index) another event
/// has too, by index.
pub fn shared(hashes: &[u128]) -> Vec<SharedId> {
    let mut order: Vec<u32> = (0..hashes.len() as u32)
        .filter(|&i| hashes[i as usize] != 0)
        .collect();
    order.par_sort_unstable_by_key(|&i| (hashes[i as usize], i));
    let mut out = Vec::new();
    for run in order.chunk_by(|a, b| hashes[*a as usize] == hashes[*b as usize]) {
        if run.len() > 1 {
            let records = u32::try_from(run.len()).unwrap_or(u32::MAX);
            out.extend(run.iter().map(|&event| SharedId { event, records }));
        }
    }
    out.sort_unstable_by_key(|s| s.event);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ids_held_by_several_events_are_shared() {
        let ids = [
            Some("a"),
            Some("b"),
            None,
            Some("a"),
            None,
            Some("c"),
            Some("a"),
            Some("c"),
        ];
        let hashes: Vec<u128> = ids.iter().map(|i| id_hash(*i)).collect();
        let got: Vec<(u32, u32)> = shared(&hashes)
            .iter()
            .map(|s| (s.event, s.records))
            .collect();
        assert_eq!(got, [(0, 3), (3, 3), (5, 2), (6, 3), (7, 2)]);
        assert!(shared(&[]).is_empty());
    }
}
