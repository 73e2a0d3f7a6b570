//! A `Workspace`: the store a command reads (or a temporary one made from
//! input paths by one write run), the settings in force, the attribution
//! matching both, and the analysed period kept in memory when a command
//! runs many queries over it. No command-line types: a library caller or a
//! worker that is handed a store uses it as the CLI does.

use crate::pipeline;
use crate::settings::Settings;
use crate::sql::TimeWindow;
use crate::store::Store;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// An open store, temporary when it was made from input paths.
pub struct Workspace {
    pub store: Store,
    /// The write run that made a temporary store from input paths.
    pub ingest: Option<pipeline::Report>,
    pub settings: Settings,
    /// Attribution computed in memory because the stored one was stale and
    /// another writer held the store.
    pub attribution: Option<polars::prelude::LazyFrame>,
    /// The attribution rebuilt on opening, because the stored one was stale.
    pub rebuilt: Option<crate::attribution::Stats>,
    /// `events` with its attribution for one window, in memory, for a
    /// command that runs many queries over it (`report`).
    events_cache: Option<EventsCache>,
    _temp: Option<tempfile::TempDir>,
}

/// The columns `report` and what it calls read (queries in `queries/report_*`,
/// `compare_cells`, `destructive_events`, incident linking, privileges,
/// anomalies, timelines); identity details, the parsed user agent and the
/// attribution's evidence stay on disk.
const CACHED_COLUMNS: &[&str] = &[
    "event_id",
    "event_key",
    "event_time",
    "event_date",
    "event_source",
    "event_name",
    "aws_region",
    "account_id",
    "source_ip",
    "user_agent",
    "principal_arn",
    "read_only",
    "error_code",
    "request_parameters",
    "resources",
    "iam_action",
    "actor_kind",
    "actor",
    "operator",
    "agent_session_id",
    "tool_call_id",
    "action_id",
    "via",
    "destructive",
    "destructive_category",
    "severity",
    "catalog_rule",
    "approval",
    "approval_rule",
    "human_last_spoke_secs",
    "write",
];

struct EventsCache {
    window: TimeWindow,
    frame: polars::prelude::DataFrame,
    /// The store has no event before the window: a query from the start of
    /// time up to the window's end sees exactly the cached rows.
    nothing_before: bool,
}

impl Workspace {
    /// Opens the store at `dir`. Settings: `config` if given, else
    /// `./trailblame.toml`, else the settings file of the last run that
    /// left attribution for later, or else the one the store was last
    /// attributed with (when it is still there), else the built-in ones.
    /// A stale attribution is rebuilt (`rebuilt` says so).
    pub fn open_store(dir: &Path, config: Option<&Path>) -> Result<Workspace> {
        let store = Store::open(dir)?;
        let m = &store.manifest;
        let remembered = m
            .deferred_settings_source
            .as_ref()
            .or(m.attribution.as_ref().map(|a| &a.settings_source))
            .map(PathBuf::from)
            .filter(|p| p.is_file());
        let settings = match (config, remembered) {
            (None, Some(p)) if !Path::new(crate::settings::FILE_NAME).is_file() => {
                Settings::find(Some(&p), &[], false)?.0
            }
            _ => Settings::find(config, &[], false)?.0,
        };
        let mut ws = Workspace {
            store,
            ingest: None,
            settings,
            attribution: None,
            rebuilt: None,
            events_cache: None,
            _temp: None,
        };
        ws.refresh_attribution()?;
        Ok(ws)
    }

    /// Reads `inputs` into a temporary store with one write run.
    pub fn from_inputs(inputs: &[PathBuf], opts: &pipeline::Options) -> Result<Workspace> {
        let temp = tempfile::Builder::new().prefix("trailblame-").tempdir()?;
        let report = pipeline::run(inputs, temp.path(), opts)?;
        Ok(Workspace {
            store: Store::open(temp.path())?,
            ingest: Some(report),
            settings: opts.settings.clone(),
            attribution: None,
            rebuilt: None,
            events_cache: None,
            _temp: Some(temp),
        })
    }

    /// Makes the store's attribution match the settings: rebuilt and saved
    /// when stale, computed in memory when another writer holds the store.
    fn refresh_attribution(&mut self) -> Result<()> {
        let settings = &self.settings.attribution;
        if crate::attribution::is_current(&self.store, settings) {
            return Ok(());
        }
        let (lf, stats) =
            crate::attribution::current(&self.store, settings, &self.settings.source)?;
        self.rebuilt = stats;
        match Store::open(&self.store.root) {
            Ok(s) if crate::attribution::is_current(&s, settings) => self.store = s,
            _ => self.attribution = Some(lf),
        }
        Ok(())
    }

    /// A SQL context over the store with `events` carrying the attribution.
    pub fn sql(&self, window: TimeWindow) -> Result<polars::sql::SQLContext> {
        if let Some(c) = &self.events_cache {
            let inside = |w: TimeWindow| {
                let since_ok = match (w.since, c.window.since) {
                    (_, None) => true,
                    (Some(s), Some(cs)) => s >= cs,
                    (None, Some(_)) => false,
                };
                let until_ok = match (w.until, c.window.until) {
                    (_, None) => true,
                    (Some(u), Some(cu)) => u <= cu,
                    (None, Some(_)) => false,
                };
                since_ok && until_ok
            };
            let covered = inside(window)
                || (c.nothing_before
                    && window.until == c.window.until
                    && window
                        .since
                        .is_none_or(|s| c.window.since.is_some_and(|cs| s <= cs)));
            if covered {
                return crate::sql::context_over(
                    &self.store,
                    window,
                    self.attribution.clone(),
                    polars::prelude::IntoLazy::lazy(c.frame.clone()),
                );
            }
        }
        crate::sql::context_with(&self.store, window, self.attribution.clone())
    }

    /// Keeps `events` with its attribution for `window` in memory: later
    /// `sql` calls for that window (or, when the store holds nothing before
    /// it, from any earlier start to its end) read it instead of the files.
    pub fn cache_events(&mut self, window: TimeWindow) -> Result<()> {
        let mut cx = crate::sql::context_with(&self.store, window, self.attribution.clone())?;
        let frame = crate::sql::run(
            &mut cx,
            &format!("SELECT {} FROM events", CACHED_COLUMNS.join(", ")),
        )?;
        let nothing_before = match window.since {
            None => true,
            Some(s) => {
                // The events alone: joining the attribution counts no more.
                let before = TimeWindow {
                    since: None,
                    until: Some(s),
                };
                let events = self.store.scan_events_between(None, Some(s))?;
                crate::store::row_count(before.apply(events))? == 0
            }
        };
        self.events_cache = Some(EventsCache {
            window,
            frame,
            nothing_before,
        });
        Ok(())
    }

    /// True when the store holds no event before the cached window.
    pub fn nothing_before_cache(&self) -> bool {
        self.events_cache.as_ref().is_some_and(|c| c.nothing_before)
    }

    /// The incidents export: `--incidents`, else `[incidents] file` of the
    /// settings.
    pub fn incidents_file(&self, explicit: Option<&Path>) -> Result<PathBuf> {
        match (explicit, &self.settings.incidents.file) {
            (Some(p), _) => Ok(p.to_path_buf()),
            (None, Some(p)) => Ok(self.settings.resolve(p)),
            (None, None) => bail!(
                "no incidents file: give --incidents FILE, or set `file` under [incidents] in trailblame.toml"
            ),
        }
    }

    /// IAM data files: `--iam`, else `[privileges] iam` of the settings (a
    /// folder stands for the files in it, in name order). Empty when none.
    pub fn iam_files(&self, explicit: &[PathBuf]) -> Result<Vec<PathBuf>> {
        if !explicit.is_empty() {
            return Ok(explicit.to_vec());
        }
        let mut out = Vec::new();
        for p in &self.settings.privileges.iam {
            let p = self.settings.resolve(p);
            if p.is_dir() {
                let mut files: Vec<PathBuf> = std::fs::read_dir(&p)
                    .with_context(|| format!("reading {}", p.display()))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|f| f.is_file())
                    .collect();
                files.sort();
                out.extend(files);
            } else {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// True when this workspace's own write run skipped input (a record
    /// quarantined or a file not read).
    pub fn skipped_input(&self) -> bool {
        self.ingest
            .as_ref()
            .is_some_and(pipeline::Report::skipped_something)
    }
}
