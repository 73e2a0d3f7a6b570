//! Attribution's input taken from the events parts as an ingest stages
//! them (`Tap`), so that the first attribution of a store does not read
//! back from disk what the run has just written (issue 24: 0.64 s of a
//! 1M-event ingest was that read, while the events stage left a third of a
//! core idle).
//!
//! The store writer shows each staged events part to the tap's observer
//! (`StoreWriter::observe`), which keeps `event_selection`'s columns and
//! hands them to a thread that builds `Events` and the keys in staging
//! order, as `StoredEvents::from_parts` would from the parts. The result
//! is used only when the pending store's events parts are exactly the
//! parts tapped, in that order (`Tapped::parts`); otherwise, or when the
//! run holds more than the tap's budget of events, attribution reads the
//! store as before.

use super::Events;
use super::load::{StoredEvents, event_selection, push_keys};
use crate::store::writer::PartObserver;
use anyhow::Result;
use polars::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::thread::JoinHandle;

/// Events tapped at most: beyond, the tap gives up and frees what it
/// built, so that a large run's events stage does not also hold
/// attribution's input (1M events added about 240 MiB to the events
/// stage's peak: the ids, the distinct strings and their index, a frame
/// or two in flight).
pub const MAX_EVENTS: usize = 1 << 20;

/// A run's events parts taken in as they are staged.
pub struct Tap {
    tx: SyncSender<Part>,
    /// Set once the tap has given up: the observer then selects nothing.
    gave_up: Arc<AtomicBool>,
    thread: JoinHandle<Option<Tapped>>,
}

/// A staged part's path and `event_selection`'s columns of it (`None`
/// when they could not be selected: the tap gives up).
type Part = (PathBuf, Option<DataFrame>);

/// What a tap built: the events of `parts`, in their order.
pub struct Tapped {
    pub parts: Vec<PathBuf>,
    pub events: StoredEvents,
}

impl Tap {
    /// Starts the thread that takes in parts, up to `MAX_EVENTS` events.
    pub fn start() -> Result<Tap> {
        Tap::with_budget(MAX_EVENTS)
    }

    /// `start`, up to `max_events` events.
    fn with_budget(max_events: usize) -> Result<Tap> {
        // One frame waiting: the writer stays at most a part ahead, and
        // the frames waiting are not the writer's to free.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Part>(1);
        let gave_up = Arc::new(AtomicBool::new(false));
        let stop = gave_up.clone();
        let thread = std::thread::Builder::new()
            .name("tb-tap".into())
            .spawn(move || {
                let mut b = Builder::default();
                for (path, df) in rx {
                    if stop.load(Ordering::Relaxed) {
                        continue;
                    }
                    let took = df.is_some_and(|df| {
                        b.events.len() + df.height() <= max_events && b.take(path, &df).is_ok()
                    });
                    if !took {
                        stop.store(true, Ordering::Relaxed);
                        b = Builder::default();
                        crate::alloc::release();
                    }
                }
                (!stop.load(Ordering::Relaxed)).then(|| b.finish())
            })?;
        Ok(Tap {
            tx,
            gave_up,
            thread,
        })
    }

    /// The observer to give `StoreWriter::observe` for the events table.
    /// A part the observer cannot select from makes the tap give up; once
    /// it has, the observer does nothing (it runs on the merge's thread).
    pub fn observer(&self) -> PartObserver {
        let tx = self.tx.clone();
        let gave_up = self.gave_up.clone();
        Box::new(move |path, df| {
            if gave_up.load(Ordering::Relaxed) {
                return;
            }
            let selected = event_selection(df.clone().lazy()).collect().ok();
            let _ = tx.send((path.to_path_buf(), selected));
        })
    }

    /// Waits for the parts sent so far to be taken in; `None` when the tap
    /// gave up. Drop the observer (`StoreWriter::stop_observing`) first:
    /// its sender keeps the thread waiting.
    pub fn finish(self) -> Option<Tapped> {
        drop(self.tx);
        self.thread.join().ok().flatten()
    }
}

/// `StoredEvents` built a part at a time.
#[derive(Default)]
struct Builder {
    parts: Vec<PathBuf>,
    events: Events,
    keys: Vec<u128>,
    id_hashes: Vec<u128>,
}

impl Builder {
    fn take(&mut self, path: PathBuf, df: &DataFrame) -> Result<()> {
        let Builder {
            events,
            keys,
            id_hashes,
            ..
        } = self;
        let (extended, keyed) =
            rayon::join(|| events.extend(df), || push_keys(df, keys, id_hashes));
        extended?;
        keyed?;
        self.parts.push(path);
        Ok(())
    }

    fn finish(mut self) -> Tapped {
        self.events.done_loading();
        Tapped {
            parts: self.parts,
            events: StoredEvents::new(self.events, self.keys, self.id_hashes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{events as ev, table};
    use crate::store::writer::StoreWriter;

    const T0: i64 = 1_765_000_000_000_000;

    /// A part of `n` events with the columns attribution reads, from event
    /// `first` on: an STS call that issues a key, a stack operation, a
    /// destructive call, and an event id shared with the part before.
    fn part(first: usize, n: usize) -> DataFrame {
        let i = first..first + n;
        let strs = |f: &dyn Fn(usize) -> Option<String>| -> Vec<Option<String>> {
            i.clone().map(f).collect()
        };
        let id = |k: usize| {
            Some(format!(
                "id-{}",
                if k == first { k.saturating_sub(1) } else { k }
            ))
        };
        let of = |names: [&'static str; 4]| move |k: usize| Some(names[k % 4].to_string());
        let source = of([
            "sts.amazonaws.com",
            "cloudformation.amazonaws.com",
            "s3.amazonaws.com",
            "ec2.amazonaws.com",
        ]);
        let name = of([
            "AssumeRole",
            "CreateStack",
            "DeleteBucket",
            "DescribeInstances",
        ]);
        let iam = of([
            "sts:AssumeRole",
            "cloudformation:CreateStack",
            "s3:DeleteBucket",
            "ec2:DescribeInstances",
        ]);
        let response = |k: usize| {
            k.is_multiple_of(4)
                .then(|| format!(r#"{{"credentials":{{"accessKeyId":"ASIA{k:012}"}}}}"#))
        };
        let key = |k: usize| Some(crate::schema::event_key::format(k as u128 * 7919 + 1));
        let person = |k: usize| Some(format!("person{}", k % 5));
        let ua = |k: usize| Some(format!("aws-cli/2.{} sid/s{}", k % 3, k % 7));
        let mut columns: Vec<Column> = vec![
            Column::new(ev::EVENT_ID.into(), strs(&id)),
            Column::new(ev::EVENT_KEY.into(), strs(&key)),
            Column::new(ev::EVENT_SOURCE.into(), strs(&source)),
            Column::new(ev::EVENT_NAME.into(), strs(&name)),
            Column::new(ev::IAM_ACTION.into(), strs(&iam)),
            Column::new(ev::RESPONSE_ELEMENTS.into(), strs(&response)),
            Column::new(ev::USER_NAME.into(), strs(&person)),
            Column::new(ev::USER_AGENT.into(), strs(&ua)),
            Column::new(
                ev::REQUEST_PARAMETERS.into(),
                strs(&|k| Some(format!(r#"{{"bucketName":"b{k}"}}"#))),
            ),
        ];
        for c in [
            ev::AWS_REGION,
            ev::ACCOUNT_ID,
            ev::IDENTITY_TYPE,
            ev::PRINCIPAL_ARN,
            ev::ROLE_NAME,
            ev::SESSION_NAME,
            ev::SOURCE_IDENTITY,
            ev::INVOKED_BY,
            ev::ON_BEHALF_OF,
            ev::ACCESS_KEY_ID,
            ev::SOURCE_IP,
            ev::EVENT_TYPE,
            ev::ERROR_CODE,
        ] {
            columns.push(Column::new(
                c.into(),
                strs(&|k| (k % 3 > 0).then(|| format!("{c}{}", k % 11))),
            ));
        }
        let times: Vec<i64> = i.clone().map(|k| T0 + k as i64 * 1_000_000).collect();
        columns.push(
            Column::new(ev::EVENT_TIME.into(), times)
                .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
                .unwrap(),
        );
        columns.push(Column::new(
            ev::CONSOLE_SESSION.into(),
            i.clone().map(|k| k.is_multiple_of(9)).collect::<Vec<_>>(),
        ));
        columns.push(Column::new(
            ev::READ_ONLY.into(),
            i.clone()
                .map(|k| Some(k.is_multiple_of(2)))
                .collect::<Vec<_>>(),
        ));
        DataFrame::new_infer_height(columns).unwrap()
    }

    /// Stages `parts` as events parts of a new store, with `tap` shown
    /// the first `observed` of them.
    fn stage(
        dir: &std::path::Path,
        parts: &[DataFrame],
        tap: &Tap,
        observed: usize,
    ) -> StoreWriter {
        let mut w = StoreWriter::open(dir).unwrap();
        w.observe(table::EVENTS, tap.observer());
        for (n, df) in parts.iter().enumerate() {
            if n == observed {
                w.stop_observing();
            }
            if n % 2 == 0 {
                w.write_owned_part(table::EVENTS, Some("event_date=2025-12-06"), df.clone())
                    .unwrap();
            } else {
                w.write_partitioned_parts(
                    table::EVENTS,
                    vec![("event_date=2025-12-07".into(), df.clone())],
                )
                .unwrap();
            }
        }
        w.stop_observing();
        w
    }

    fn parts() -> Vec<DataFrame> {
        vec![part(0, 50), part(50, 120), part(170, 31)]
    }

    /// Everything `StoredEvents` holds, as text (hash maps sorted).
    fn text(s: &StoredEvents) -> String {
        let e = &s.events;
        let mut stack: Vec<_> = e.stack_op_ids.iter().collect();
        stack.sort();
        let mut issued: Vec<_> = e.issued_keys.iter().collect();
        issued.sort();
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?} {:?} {:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            s.keys,
            s.id_hashes,
            s.shared_ids,
            e.time,
            e.console,
            e.write,
            [
                &e.source,
                &e.name,
                &e.region,
                &e.account,
                &e.identity_type,
                &e.principal_arn,
                &e.user_name,
                &e.role_name,
                &e.session_name,
                &e.source_identity,
                &e.invoked_by,
                &e.on_behalf_of,
                &e.access_key_id,
                &e.source_ip,
                &e.user_agent,
                &e.event_type,
                &e.error_code
            ],
            stack,
            issued,
            e.destructive
                .iter()
                .map(|h| (h.event, &h.iam_action, &h.request_parameters))
                .collect::<Vec<_>>(),
            e.len(),
        )
    }

    #[test]
    fn tapped_events_are_those_read_back_from_the_parts() {
        let dir = tempfile::tempdir().unwrap();
        let tap = Tap::with_budget(usize::MAX).unwrap();
        let w = stage(dir.path(), &parts(), &tap, usize::MAX);
        let tapped = tap.finish().expect("the tap took every part");
        let store = w.pending();
        assert_eq!(tapped.parts, store.part_paths(table::EVENTS));
        let read = StoredEvents::from_store(&store).unwrap();
        assert_eq!(read.events.len(), 201);
        // What the parts hold is there: an issued key, a stack operation, a
        // destructive call and an event id in two parts.
        assert!(!read.events.issued_keys.is_empty() && !read.events.stack_op_ids.is_empty());
        assert!(!read.events.destructive.is_empty() && !read.shared_ids.is_empty());
        assert_eq!(text(&tapped.events), text(&read));
    }

    #[test]
    fn events_read_back_have_their_room_reserved_from_the_footers() {
        // Two reads of parts (4 + 2): grown read by read, the vectors would
        // double to 320 for 180 events.
        let dir = tempfile::tempdir().unwrap();
        let tap = Tap::with_budget(usize::MAX).unwrap();
        let sizes = [40, 40, 40, 40, 10, 10];
        let parts: Vec<DataFrame> = (0..sizes.len())
            .map(|k| part(sizes[..k].iter().sum(), sizes[k]))
            .collect();
        let w = stage(dir.path(), &parts, &tap, 0);
        let read = StoredEvents::from_store(&w.pending()).unwrap();
        assert_eq!(read.events.len(), 180);
        assert_eq!(read.events.time.capacity(), 180);
        assert_eq!(read.events.write.capacity(), 180);
        assert_eq!(read.keys.capacity(), 180);
        assert_eq!(read.id_hashes.capacity(), 180);
    }

    #[test]
    fn a_tap_gives_up_past_its_budget_or_on_a_part_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        let tap = Tap::with_budget(169).unwrap();
        let _w = stage(dir.path(), &parts(), &tap, usize::MAX);
        assert!(tap.finish().is_none(), "201 events against a budget of 169");
        let dir = tempfile::tempdir().unwrap();
        let tap = Tap::with_budget(usize::MAX).unwrap();
        let broken = part(0, 10).drop(ev::USER_AGENT).unwrap();
        let _w = stage(dir.path(), &[part(10, 5), broken], &tap, usize::MAX);
        assert!(tap.finish().is_none(), "a part without user_agent");
    }

    #[test]
    fn attribution_reads_the_store_when_the_tap_missed_a_part() {
        let dir = tempfile::tempdir().unwrap();
        let tap = Tap::with_budget(usize::MAX).unwrap();
        let w = stage(dir.path(), &parts(), &tap, 2);
        let tapped = tap.finish().expect("the tap took the parts it saw");
        assert_eq!(tapped.parts.len(), 2);
        let store = w.pending();
        let settings = crate::attribution::Settings::default();
        let computed =
            crate::attribution::compute_all(&store, &settings, Some(tapped), |_| Ok(())).unwrap();
        assert_eq!(
            computed.stats.events, 201,
            "the third part's events are read"
        );
    }
}
