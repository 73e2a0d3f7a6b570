//! What ties one day's events to other days', kept per day so that an
//! incremental run (`incremental`) finds the days its new events reach
//! without reading them: the CLI sessions (`sid/`) seen that day (their
//! votes span every day they appear on), the session keys STS calls issued
//! and the access keys calls used (an origin is carried from the issuing
//! call to every call made with its keys, whatever the day), and the
//! events' ids (a differing record with the same id is doubted wherever it
//! is).
//!
//! Stored as one small part per day, `attribution/_links/event_date=D/`
//! (`TABLE`): rows of (`link`, `hash`), 64 bits of xxh3 of the value. A
//! false match only makes a run read one day more. Engines that read the
//! `attribution` folder skip it: DuckDB's views read `attribution/*.parquet`
//! and Spark and Hive skip folders whose names begin with `_`.

use super::input::Events;
use anyhow::Result;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// The pseudo-table the summaries are listed under in the manifest.
pub const TABLE: &str = "attribution/_links";

const SID: &str = "sid";
const ISSUED: &str = "issued_key";
const USED: &str = "used_key";
const ID: &str = "event_id";

/// A day in microseconds.
pub const DAY_US: i64 = 86_400_000_000;

/// A microsecond time's UTC day, in days since 1970-01-01.
pub fn day_of(t_us: i64) -> i32 {
    t_us.div_euclid(DAY_US) as i32
}

/// When a day (`day_of`'s number) begins, in microseconds.
pub fn day_start(day: i32) -> i64 {
    i64::from(day) * DAY_US
}

/// A day number as its `event_date` (`YYYY-MM-DD`).
pub fn day_name(day: i32) -> String {
    chrono::DateTime::from_timestamp(i64::from(day) * 86_400, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// An `event_date` back to its day number.
pub fn parse_day(name: &str) -> Option<i32> {
    let d = chrono::NaiveDate::parse_from_str(name, "%Y-%m-%d").ok()?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from((d - epoch).num_days()).ok()
}

/// The day a part's path names (`…/event_date=YYYY-MM-DD/…`).
pub fn day_of_path(rel: &str) -> Option<i32> {
    let at = rel.find("event_date=")? + "event_date=".len();
    parse_day(rel.get(at..at + 10)?)
}

/// The events parts of `store` that hold rows, by the day their folder
/// names (in manifest order within a day); `None` when a part is not under
/// an `event_date` folder.
pub fn event_parts_by_day(
    store: &crate::store::Store,
) -> Option<std::collections::BTreeMap<i32, Vec<std::path::PathBuf>>> {
    let mut out: std::collections::BTreeMap<i32, Vec<std::path::PathBuf>> = Default::default();
    for rel in store
        .manifest
        .parts
        .get(crate::schema::table::EVENTS)
        .into_iter()
        .flatten()
    {
        if store.manifest.empty_parts.contains(rel) {
            continue;
        }
        out.entry(day_of_path(rel)?)
            .or_default()
            .push(store.root.join(rel));
    }
    Some(out)
}

fn hash(v: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(v.as_bytes())
}

/// One day's links, each list sorted and distinct.
#[derive(Default, Clone, Debug, PartialEq, Eq)]
pub struct DayLinks {
    pub sids: Vec<u64>,
    pub issued: Vec<u64>,
    pub used: Vec<u64>,
    pub ids: Vec<u64>,
}

fn sorted(mut v: Vec<u64>) -> Vec<u64> {
    v.sort_unstable();
    v.dedup();
    v
}

/// True when the sorted lists share a value.
pub fn meet(a: &[u64], b: &[u64]) -> bool {
    let (small, big) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small.iter().any(|x| big.binary_search(x).is_ok())
}

impl DayLinks {
    /// True when events of `self`'s day and of `other`'s can change each
    /// other's attribution: a shared CLI session or event id, or keys one
    /// issued and the other used.
    pub fn reach(&self, other: &DayLinks) -> bool {
        meet(&self.sids, &other.sids)
            || meet(&self.ids, &other.ids)
            || meet(&self.issued, &other.used)
            || meet(&self.used, &other.issued)
    }

    /// True when an event with this id hash (`input::id_hash`) shares its
    /// id with these days' events.
    pub fn carries_id(&self, id_hash: u128) -> bool {
        id_hash != 0 && self.ids.binary_search(&(id_hash as u64)).is_ok()
    }

    /// True when these days' events include the CLI session `sid`.
    pub fn carries_sid(&self, sid: &str) -> bool {
        self.sids.binary_search(&hash(sid)).is_ok()
    }

    /// True when an STS call of these days issued the access key `key`.
    pub fn issued_key(&self, key: &str) -> bool {
        self.issued.binary_search(&hash(key)).is_ok()
    }

    /// Both days' links.
    pub fn union(&self, other: &DayLinks) -> DayLinks {
        let join = |a: &[u64], b: &[u64]| sorted(a.iter().chain(b).copied().collect());
        DayLinks {
            sids: join(&self.sids, &other.sids),
            issued: join(&self.issued, &other.issued),
            used: join(&self.used, &other.used),
            ids: join(&self.ids, &other.ids),
        }
    }

    fn frame(&self) -> Result<DataFrame> {
        let mut link: Vec<&str> = Vec::new();
        let mut values: Vec<i64> = Vec::new();
        for (name, list) in [
            (SID, &self.sids),
            (ISSUED, &self.issued),
            (USED, &self.used),
            (ID, &self.ids),
        ] {
            link.extend(std::iter::repeat_n(name, list.len()));
            values.extend(list.iter().map(|&h| h as i64));
        }
        Ok(df!("link" => link, "hash" => values)?)
    }

    /// Reads one day's summary part.
    pub fn read(path: &Path) -> Result<DayLinks> {
        let df = crate::store::scan_files(&[path.to_path_buf()])?
            .collect()
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
        let link = df.column("link")?.str()?;
        let values = df.column("hash")?.i64()?;
        let mut out = DayLinks::default();
        for (l, v) in link.iter().zip(values.iter()) {
            let (Some(l), Some(v)) = (l, v) else { continue };
            let v = v as u64;
            match l {
                SID => out.sids.push(v),
                ISSUED => out.issued.push(v),
                USED => out.used.push(v),
                ID => out.ids.push(v),
                _ => {}
            }
        }
        Ok(DayLinks {
            sids: sorted(out.sids),
            issued: sorted(out.issued),
            used: sorted(out.used),
            ids: sorted(out.ids),
        })
    }
}

/// Each day's links among `e` (`days` and `id_hashes` by event index).
/// User agents and access keys are hashed once per distinct value, the
/// events are gathered in chunks and the days' lists sorted on all cores
/// (one thread took 0.08 s for 1M events).
pub fn of_events(e: &Events, id_hashes: &[u128], days: &[i32]) -> BTreeMap<i32, DayLinks> {
    use rayon::prelude::*;
    let sid_of_ua: Vec<Option<u64>> = (0..e.user_agent.distinct() as u32)
        .into_par_iter()
        .map(|id| {
            crate::cloudtrail::user_agent::parse(e.user_agent.value(id))
                .cli_session
                .map(hash)
        })
        .collect();
    let hash_of_key: Vec<u64> = (0..e.access_key_id.distinct() as u32)
        .into_par_iter()
        .map(|id| hash(e.access_key_id.value(id)))
        .collect();
    let gather = |from: usize, to: usize| {
        let mut out: BTreeMap<i32, DayLinks> = BTreeMap::new();
        for i in from..to {
            let l = out.entry(days[i]).or_default();
            if let Some(Some(sid)) = e.user_agent.id(i).map(|u| sid_of_ua[u as usize]) {
                l.sids.push(sid);
            }
            if let Some(k) = e.access_key_id.id(i) {
                l.used.push(hash_of_key[k as usize]);
            }
            if let Some((k, _)) = e.issued_keys.get(&i) {
                l.issued.push(hash(k));
            }
            if id_hashes[i] != 0 {
                l.ids.push(id_hashes[i] as u64);
            }
        }
        // Distinct within the chunk already: every event of a day pushes
        // its key, most of a session's events its sid.
        for l in out.values_mut() {
            for v in [&mut l.sids, &mut l.issued, &mut l.used, &mut l.ids] {
                v.sort_unstable();
                v.dedup();
            }
        }
        out
    };
    let chunks: Vec<BTreeMap<i32, DayLinks>> = (0..days.len().div_ceil(LINK_CHUNK))
        .into_par_iter()
        .map(|c| gather(c * LINK_CHUNK, ((c + 1) * LINK_CHUNK).min(days.len())))
        .collect();
    let mut out: BTreeMap<i32, DayLinks> = BTreeMap::new();
    for chunk in chunks {
        for (day, l) in chunk {
            let o = out.entry(day).or_default();
            o.sids.extend(l.sids);
            o.issued.extend(l.issued);
            o.used.extend(l.used);
            o.ids.extend(l.ids);
        }
    }
    let mut lists: Vec<&mut Vec<u64>> = out
        .values_mut()
        .flat_map(|l| [&mut l.sids, &mut l.issued, &mut l.used, &mut l.ids])
        .collect();
    // Kept to the end of the run: no room to spare. Merged from the
    // chunks, a list had room for every value pushed before the de-
    // duplication, most of it dead.
    lists.par_iter_mut().for_each(|v| {
        v.sort_unstable();
        v.dedup();
        v.shrink_to_fit();
    });
    out
}

/// Events gathered by one task in `of_events`.
const LINK_CHUNK: usize = 64 * 1024;

/// Stages the summaries of `links`' days; returns each day's part.
pub fn write(
    writer: &mut crate::store::writer::StoreWriter,
    links: &BTreeMap<i32, DayLinks>,
) -> Result<()> {
    let frames = links
        .iter()
        .map(|(&day, l)| Ok((format!("event_date={}", day_name(day)), l.frame()?)))
        .collect::<Result<Vec<_>>>()?;
    writer.write_partitioned_parts(TABLE, frames)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_through_names_and_paths() {
        for t in [0i64, 1_765_670_400_000_000, -1, 1_765_756_799_999_999] {
            let d = day_of(t);
            assert_eq!(parse_day(&day_name(d)), Some(d));
        }
        assert_eq!(day_name(day_of(1_765_670_400_000_000)), "2025-12-14");
        assert_eq!(day_of(-1), -1, "before 1970 is the day before");
        assert_eq!(
            day_of_path(
                "attribution/_links/event_date=2025-12-14/part-000001-0a0b0c0d-00000.parquet"
            ),
            parse_day("2025-12-14")
        );
        assert_eq!(
            day_of_path("attribution/part-000001-0a0b0c0d-00000.parquet"),
            None
        );
    }

    /// Each day's lists hold exactly the links of its events, sorted and
    /// distinct, whichever chunk gathered them: three days interleaved
    /// over more than two chunks' events, with repeated values.
    #[test]
    fn a_days_links_are_gathered_across_chunks() {
        let n = 2 * LINK_CHUNK + 777;
        let mut e = Events::default();
        let (mut days, mut ids) = (Vec::new(), Vec::new());
        let texts: Vec<(String, String, String)> = (0..n)
            .map(|i| {
                (
                    format!("aws-cli/2.1 sid/s{}", i % 1_000),
                    format!("AKIA{}", i % 5_000),
                    format!("ASIA{i}"),
                )
            })
            .collect();
        for (i, (ua, key, issued)) in texts.iter().enumerate() {
            e.push(crate::attribution::input::Row {
                id: "x",
                time: i as i64,
                user_agent: (i % 3 > 0).then_some(ua.as_str()),
                access_key_id: (i % 4 > 0).then_some(key.as_str()),
                issued_key: i.is_multiple_of(1_000).then_some(issued.as_str()),
                ..Default::default()
            });
            days.push((i % 3) as i32 + (i / LINK_CHUNK) as i32 % 2);
            ids.push(if i.is_multiple_of(7) {
                0
            } else {
                (i % 9_000) as u128 + 1
            });
        }
        let got = of_events(&e, &ids, &days);
        let mut want: BTreeMap<i32, DayLinks> = BTreeMap::new();
        for i in 0..n {
            let l = want.entry(days[i]).or_default();
            if i % 3 > 0 {
                l.sids.push(hash(&format!("s{}", i % 1_000)));
            }
            if i % 4 > 0 {
                l.used.push(hash(&texts[i].1));
            }
            if i.is_multiple_of(1_000) {
                l.issued.push(hash(&texts[i].2));
            }
            if ids[i] != 0 {
                l.ids.push(ids[i] as u64);
            }
        }
        let want: BTreeMap<i32, DayLinks> = want
            .into_iter()
            .map(|(d, l)| {
                let l = DayLinks {
                    sids: sorted(l.sids),
                    issued: sorted(l.issued),
                    used: sorted(l.used),
                    ids: sorted(l.ids),
                };
                (d, l)
            })
            .collect();
        assert_eq!(got.keys().collect::<Vec<_>>(), [&0, &1, &2, &3]);
        assert_eq!(got, want);
        // Kept for the whole run: no room beyond what they hold.
        for l in got.values() {
            for v in [&l.sids, &l.issued, &l.used, &l.ids] {
                assert_eq!(v.capacity(), v.len());
            }
        }
    }

    #[test]
    fn days_reach_each_other_through_any_shared_link() {
        let a = DayLinks {
            sids: vec![1, 5],
            issued: vec![10],
            used: vec![20],
            ids: vec![100, 200],
        };
        let none = DayLinks {
            sids: vec![2],
            issued: vec![11],
            used: vec![21],
            ids: vec![101],
        };
        assert!(!a.reach(&none));
        let sid = DayLinks {
            sids: vec![5],
            ..Default::default()
        };
        let key_used_later = DayLinks {
            used: vec![10],
            ..Default::default()
        };
        let issuer = DayLinks {
            issued: vec![20],
            ..Default::default()
        };
        let same_id = DayLinks {
            ids: vec![200],
            ..Default::default()
        };
        for other in [&sid, &key_used_later, &issuer, &same_id] {
            assert!(a.reach(other) && other.reach(&a));
        }
    }

    #[test]
    fn a_summary_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let l = DayLinks {
            sids: vec![1, u64::MAX],
            issued: vec![],
            used: vec![3, 4],
            ids: vec![7],
        };
        let path = dir.path().join("l.parquet");
        crate::store::parquet::write(&path, &mut l.frame().unwrap()).unwrap();
        assert_eq!(DayLinks::read(&path).unwrap(), l);
    }
}
