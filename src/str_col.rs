//! A string column stored as ids into its distinct values. CloudTrail's
//! identity and user-agent columns repeat heavily, so attribution and the
//! anomaly detectors both keep their string columns this way. It knows
//! nothing of either: a neutral home both import, so neither imports the
//! other for it.

use anyhow::Result;
use polars::prelude::*;

/// A string column stored as ids into its distinct values: CloudTrail's
/// identity and user-agent columns repeat heavily, so 1M events take a few
/// bytes each instead of a copy of every string.
#[derive(Default, Clone, Debug)]
pub struct StrCol {
    ids: Ids,
    values: Vec<Box<str>>,
    index: PlHashMap<Box<str>, u32>,
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
            id => Some(&self.values[id as usize]),
        }
    }

    /// The id of row `i`'s value (equal values, equal ids), `None` for null.
    pub fn id(&self, i: usize) -> Option<u32> {
        Some(self.ids.get(i)).filter(|id| *id != NULL)
    }

    /// The value behind an id from `id`.
    pub fn value(&self, id: u32) -> &str {
        &self.values[id as usize]
    }

    pub fn distinct(&self) -> usize {
        self.values.len()
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
            Some(s) => match self.index.get(s) {
                Some(id) => *id,
                None => {
                    let id = self.values.len() as u32;
                    self.values.push(s.into());
                    self.index.insert(s.into(), id);
                    id
                }
            },
        };
        self.ids.push(id);
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
        let mut ids = vec![NULL; ca.len()];
        let mut values: Vec<Box<str>> = Vec::with_capacity(g.first().len());
        for (first, all) in g.first().iter().zip(g.all()) {
            if let Some(v) = ca.get(*first as usize) {
                let id = values.len() as u32;
                values.push(v.into());
                for &i in all.iter() {
                    ids[i as usize] = id;
                }
            }
        }
        Ok(StrCol {
            ids: Ids::Wide(ids),
            values,
            index: PlHashMap::default(),
        })
    }

    pub fn extend<'x>(&mut self, it: impl Iterator<Item = Option<&'x str>>) {
        for v in it {
            self.push(v);
        }
    }

    /// Drops the lookup index once every row is in (ids stay valid).
    pub fn done_loading(&mut self) {
        self.index = PlHashMap::default();
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
        let mut small = StrCol::default();
        small.extend([Some("a"), None, Some("a")].into_iter());
        assert!(matches!(small.ids, Ids::Narrow(_)));
        assert_eq!(small.id(0), small.id(2));
        assert_eq!(small.get(1), None);
    }
}
