//! A string column stored as ids into its distinct values. CloudTrail's
//! identity and user-agent columns repeat heavily, so attribution and the
//! anomaly detectors both keep their string columns this way. It knows
//! nothing of either: a neutral home both import, so neither imports the
//! other for it.

use anyhow::Result;
use polars::prelude::*;
use std::hash::BuildHasher;

/// A string column stored as ids into its distinct values: CloudTrail's
/// identity and user-agent columns repeat heavily, so 1M events take a few
/// bytes each instead of a copy of every string.
///
/// The distinct values lie end to end in one buffer, and the lookup index
/// holds ids, not strings: a value is one copy in one allocation. Kept as
/// a boxed string each, with a second copy as the index's key, the values
/// were small blocks side by side with their copies, and `done_loading`
/// freed the copies in place, leaving pages half empty that the allocator
/// could not hand back (3M events, 313K distinct user agents: 702 MiB
/// resident once loaded, 616 MiB this way).
#[derive(Default, Clone)]
pub struct StrCol {
    ids: Ids,
    /// The distinct values, end to end.
    text: String,
    /// Where each distinct value ends in `text` (it starts where the one
    /// before it ends).
    ends: Vec<usize>,
    /// Ids of the distinct values, found by the value's hash (while loading).
    index: hashbrown::HashTable<u32>,
    hasher: foldhash::quality::RandomState,
}

impl std::fmt::Debug for StrCol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let values: Vec<&str> = (0..self.distinct() as u32)
            .map(|id| self.value(id))
            .collect();
        let ids: Vec<Option<u32>> = (0..self.len()).map(|i| self.id(i)).collect();
        f.debug_struct("StrCol")
            .field("values", &values)
            .field("ids", &ids)
            .finish()
    }
}

/// Distinct value `id` of `text` and `ends`.
fn slice<'a>(text: &'a str, ends: &[usize], id: u32) -> &'a str {
    let id = id as usize;
    let start = if id == 0 { 0 } else { ends[id - 1] };
    &text[start..ends[id]]
}

const NULL: u32 = u32::MAX;
const NARROW_NULL: u16 = u16::MAX;

/// Row ids: two bytes a row while the column has fewer than 65,535
/// distinct values (most do), four after.
#[derive(Clone, Debug)]
enum Ids {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

impl Default for Ids {
    fn default() -> Ids {
        Ids::Narrow(Vec::new())
    }
}

impl Ids {
    fn get(&self, i: usize) -> u32 {
        match self {
            Ids::Narrow(v) => match v[i] {
                NARROW_NULL => NULL,
                id => u32::from(id),
            },
            Ids::Wide(v) => v[i],
        }
    }

    fn len(&self) -> usize {
        match self {
            Ids::Narrow(v) => v.len(),
            Ids::Wide(v) => v.len(),
        }
    }

    fn push(&mut self, id: u32) {
        match self {
            Ids::Narrow(v) => match u16::try_from(id) {
                Ok(narrow) if narrow != NARROW_NULL => v.push(narrow),
                _ if id == NULL => v.push(NARROW_NULL),
                _ => {
                    let mut wide: Vec<u32> = Vec::with_capacity(v.capacity().max(v.len() + 1));
                    wide.extend(v.iter().map(|&n| match n {
                        NARROW_NULL => NULL,
                        n => u32::from(n),
                    }));
                    wide.push(id);
                    *self = Ids::Wide(wide);
                }
            },
            Ids::Wide(v) => v.push(id),
        }
    }
}

impl StrCol {
    pub fn get(&self, i: usize) -> Option<&str> {
        match self.ids.get(i) {
            NULL => None,
            id => Some(slice(&self.text, &self.ends, id)),
        }
    }

    /// The id of row `i`'s value (equal values, equal ids), `None` for null.
    pub fn id(&self, i: usize) -> Option<u32> {
        Some(self.ids.get(i)).filter(|id| *id != NULL)
    }

    /// The value behind an id from `id`.
    pub fn value(&self, id: u32) -> &str {
        slice(&self.text, &self.ends, id)
    }

    pub fn distinct(&self) -> usize {
        self.ends.len()
    }

    /// Rows.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.len() == 0
    }

    pub fn push(&mut self, v: Option<&str>) {
        let id = match v {
            None => NULL,
            Some(s) => self.intern(s),
        };
        self.ids.push(id);
    }

    /// The id of `s`, added as a new distinct value if it is one.
    fn intern(&mut self, s: &str) -> u32 {
        let StrCol {
            text,
            ends,
            index,
            hasher,
            ..
        } = self;
        let hash = hasher.hash_one(s);
        if let Some(&id) = index.find(hash, |&id| slice(text, ends, id) == s) {
            return id;
        }
        let id = ends.len() as u32;
        text.push_str(s);
        ends.push(text.len());
        index.insert_unique(hash, id, |&id| hasher.hash_one(slice(text, ends, id)));
        id
    }

    /// A whole column at once, grouped by polars on all cores (much faster
    /// than `push` row by row). Ids follow the grouping's order, so callers
    /// must not order anything by id.
    pub fn from_strings(ca: &StringChunked) -> Result<StrCol> {
        let groups = ca.group_tuples(true, false)?;
        let GroupsType::Idx(g) = &groups else {
            let mut col = StrCol::default();
            col.extend(ca.iter());
            col.done_loading();
            return Ok(col);
        };
        let mut col = StrCol::default();
        let mut ids = vec![NULL; ca.len()];
        for (first, all) in g.first().iter().zip(g.all()) {
            if let Some(v) = ca.get(*first as usize) {
                let id = col.ends.len() as u32;
                col.text.push_str(v);
                col.ends.push(col.text.len());
                for &i in all.iter() {
                    ids[i as usize] = id;
                }
            }
        }
        col.ids = Ids::Wide(ids);
        col.shrink();
        Ok(col)
    }

    /// Room for `n` more rows (kept when the ids widen).
    pub fn reserve(&mut self, n: usize) {
        match &mut self.ids {
            Ids::Narrow(v) => v.reserve_exact(n),
            Ids::Wide(v) => v.reserve_exact(n),
        }
    }

    pub fn extend<'x>(&mut self, it: impl Iterator<Item = Option<&'x str>>) {
        for v in it {
            self.push(v);
        }
    }

    /// Drops the lookup index once every row is in (ids stay valid).
    pub fn done_loading(&mut self) {
        self.index = hashbrown::HashTable::new();
        self.shrink();
    }

    fn shrink(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_widens_past_65534_distinct_values_and_keeps_every_row() {
        let mut c = StrCol::default();
        let n = 80_000;
        for i in 0..n {
            let v = format!("v{i}");
            c.push(if i % 7 == 0 { None } else { Some(&v) });
            c.push(Some("same"));
        }
        assert!(matches!(c.ids, Ids::Wide(_)));
        assert_eq!(c.len(), 2 * n);
        for i in 0..n {
            let want = if i % 7 == 0 {
                None
            } else {
                Some(format!("v{i}"))
            };
            assert_eq!(c.get(2 * i).map(str::to_string), want, "row {}", 2 * i);
            assert_eq!(c.get(2 * i + 1), Some("same"));
        }
        // Each distinct value is kept once, end to end.
        let kept: usize = (0..c.distinct() as u32).map(|id| c.value(id).len()).sum();
        assert_eq!(c.text.len(), kept);
        assert_eq!(c.distinct(), n - n.div_ceil(7) + 1);
        c.done_loading();
        assert_eq!(c.text.capacity(), c.text.len(), "no room kept once loaded");
        assert_eq!(c.get(3), Some("same"));
        assert_eq!(c.get(2), Some("v1"));
        let mut small = StrCol::default();
        small.extend([Some("a"), None, Some("a")].into_iter());
        assert!(matches!(small.ids, Ids::Narrow(_)));
        assert_eq!(small.id(0), small.id(2));
        assert_eq!(small.get(1), None);
    }
}
