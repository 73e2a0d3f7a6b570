//! Numbering the distinct keys of a million rows, on every core.
//!
//! The engine keeps one copy of each distinct principal, user agent, "kind
//! of event" and label, with a u32 per event pointing at it. Finding those
//! distinct values row by row through one hash map took a core for a tenth
//! of a second each; here chunks of rows are numbered side by side and then
//! merged. The numbers are those a single pass would give (first appearance
//! in row order), so results do not depend on the thread count.

use polars::prelude::PlHashMap;
use rayon::prelude::*;
use std::hash::Hash;

const CHUNK: usize = 64 * 1024;

/// The distinct keys of rows `0..n`, numbered by first appearance.
pub struct Dense {
    /// Per row: its key's number.
    pub of: Vec<u32>,
    /// Per number: the first row with that key.
    pub first: Vec<usize>,
}

/// Numbers the keys `key(0)..key(n)`.
pub fn dense_ids<K, F>(n: usize, key: F) -> Dense
where
    K: Hash + Eq + Copy + Send + Sync,
    F: Fn(usize) -> K + Sync,
{
    // Per chunk: each row's number within the chunk, and the chunk's
    // distinct keys with their first rows.
    type Local<K> = (Vec<u32>, Vec<(K, usize)>);
    let chunks: Vec<Local<K>> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let rows = c * CHUNK..((c + 1) * CHUNK).min(n);
            let mut index: PlHashMap<K, u32> = PlHashMap::default();
            let mut keys: Vec<(K, usize)> = Vec::new();
            let local = rows
                .map(|i| {
                    let k = key(i);
                    *index.entry(k).or_insert_with(|| {
                        keys.push((k, i));
                        (keys.len() - 1) as u32
                    })
                })
                .collect();
            (local, keys)
        })
        .collect();
    // Chunk numbers → global numbers, in chunk order (few keys a chunk).
    let mut global: PlHashMap<&K, u32> = PlHashMap::default();
    let mut first = Vec::new();
    let maps: Vec<Vec<u32>> = chunks
        .iter()
        .map(|(_, keys)| {
            keys.iter()
                .map(|(k, row)| {
                    *global.entry(k).or_insert_with(|| {
                        first.push(*row);
                        (first.len() - 1) as u32
                    })
                })
                .collect()
        })
        .collect();
    drop(global);
    let mut of = vec![0u32; n];
    of.par_chunks_mut(CHUNK)
        .zip(chunks.par_iter().zip(maps.par_iter()))
        .for_each(|(out, ((local, _), map))| {
            for (o, l) in out.iter_mut().zip(local) {
                *o = map[*l as usize];
            }
        });
    Dense { of, first }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_a_single_pass_in_row_order() {
        // Keys spread over several chunks, some seen first late.
        let n = 3 * CHUNK + 17;
        let key = |i: usize| {
            if i % 1000 == 999 {
                i // distinct
            } else {
                (i * 7919) % 257
            }
        };
        let d = dense_ids(n, key);
        let mut index: PlHashMap<usize, u32> = PlHashMap::default();
        let mut first = Vec::new();
        let of: Vec<u32> = (0..n)
            .map(|i| {
                *index.entry(key(i)).or_insert_with(|| {
                    first.push(i);
                    (first.len() - 1) as u32
                })
            })
            .collect();
        assert_eq!(d.of, of);
        assert_eq!(d.first, first);
        assert!(d.first.len() > 257);
    }

    #[test]
    fn no_rows_no_numbers() {
        let d = dense_ids(0, |i| i);
        assert!(d.of.is_empty() && d.first.is_empty());
    }
}
