//! Numbering the distinct keys of a million rows, on every core.
//!
//! The engine keeps one copy of each distinct principal, user agent, "kind
//! of event" and label, with a u32 per event pointing at it. Finding those
//! distinct values row by row through one hash map took a core for a tenth
//! of a second each; here chunks of rows are numbered side by side and then
//! merged. The numbers are those a single pass would give (first appearance
//! in row order), so results do not depend on the thread count.
//! `Distinct` numbers values that cannot be hash keys themselves.

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

/// Distinct values of a type that has no `Eq` or `Hash` (the labels and
/// user-agent marks hold floats), numbered by first appearance: found by a
/// hash of their content the caller gives, then compared in full.
pub struct Distinct<T> {
    by_hash: PlHashMap<u64, Vec<u32>>,
    values: Vec<T>,
}

impl<T> Default for Distinct<T> {
    fn default() -> Distinct<T> {
        Distinct {
            by_hash: PlHashMap::default(),
            values: Vec::new(),
        }
    }
}

impl<T: PartialEq> Distinct<T> {
    /// The number of `v` (whose content hashes to `hash`), added if new.
    pub fn intern(&mut self, hash: u64, v: T) -> u32 {
        let same = self.by_hash.entry(hash).or_default();
        if let Some(&k) = same.iter().find(|&&k| self.values[k as usize] == v) {
            return k;
        }
        let k = self.values.len() as u32;
        self.values.push(v);
        same.push(k);
        k
    }

    /// Value number `k`.
    pub fn get(&self, k: u32) -> &T {
        &self.values[k as usize]
    }

    /// The distinct values, by number.
    pub fn into_values(self) -> Vec<T> {
        self.values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_values_are_numbered_by_first_appearance_even_when_hashes_collide() {
        let mut d = Distinct::default();
        // One hash for all: equal values still share a number, others not.
        let got: Vec<u32> = [1.5, 2.5, 1.5, 3.5, 2.5]
            .into_iter()
            .map(|v| d.intern(7, v))
            .collect();
        assert_eq!(got, [0, 1, 0, 2, 1]);
        assert_eq!(*d.get(2), 3.5);
        assert_eq!(d.intern(8, 1.5), 3, "another hash is another value");
        assert_eq!(d.into_values(), [1.5, 2.5, 3.5, 1.5]);
    }

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
