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
    // Sorted by the hash's top half beside the index, in one contiguous
    // array (sorting indexes by a looked-up hash was most of the cost);
    // the rare runs of equal top halves are split by the whole hash.
    let mut order: Vec<(u64, u32)> = hashes
        .iter()
        .enumerate()
        .filter(|(_, h)| **h != 0)
        .map(|(i, h)| ((h >> 64) as u64, i as u32))
        .collect();
    order.par_sort_unstable();
    let mut out = Vec::new();
    for run in order.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
        let mut run: Vec<(u128, u32)> = run.iter().map(|&(_, i)| (hashes[i as usize], i)).collect();
        run.sort_unstable();
        for same in run.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
            let records = u32::try_from(same.len()).unwrap_or(u32::MAX);
            out.extend(same.iter().map(|&(_, event)| SharedId { event, records }));
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
        // Equal top halves are not enough: the whole hash must match.
        let top = 7u128 << 64;
        let got: Vec<(u32, u32)> = shared(&[top | 1, top | 2, top | 1, 0, 0])
            .iter()
            .map(|s| (s.event, s.records))
            .collect();
        assert_eq!(got, [(0, 2), (2, 2)]);
    }
}
