//! The WAL applied in memory against SQLite applying it to a copy on
//! disk: for many variants of a WAL (cut, damaged, resealed with one
//! field changed, from before a restart, of another database), both give
//! the same pages, tables and integrity.

use std::path::{Path, PathBuf};

use rusqlite::types::Value;

use super::super::{Snapshot, open_snapshot_up_to};
use super::*;

#[test]
fn the_checksum_reads_words_in_the_magics_order() {
    let data = [0u8, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4];
    // s0 = 1, s1 = 2 + 1 = 3; then s0 = 1 + 3 + 3 = 7, s1 = 3 + 4 + 7 = 14.
    assert_eq!(checksum(true, &data, [0, 0]), [7, 14]);
    let le: Vec<u8> = data
        .chunks(4)
        .flat_map(|w| w.iter().rev().copied())
        .collect();
    assert_eq!(checksum(false, &le, [0, 0]), [7, 14]);
    // Continued from an earlier sum, wrapping.
    assert_eq!(checksum(true, &data[..8], [u32::MAX, 0]), [0, 2]);
}

#[test]
fn short_or_foreign_wals_are_empty() {
    for wal in [&[][..], &[0x37, 0x7f, 0x06, 0x82][..], &[0u8; 100][..]] {
        assert!(matches!(scan(wal, wal.len() as u64).unwrap(), Wal::Empty));
    }
}

/// The page size a WAL's header names.
fn page_size(wal: &[u8]) -> usize {
    be32(wal, 8) as usize
}

/// Bytes of one frame of `wal`.
fn frame_size(wal: &[u8]) -> usize {
    FRAME_HEADER + page_size(wal)
}

/// Whole frames in `wal`.
fn frames(wal: &[u8]) -> usize {
    (wal.len() - WAL_HEADER) / frame_size(wal)
}

/// Where frame `i` (from 0) starts.
fn frame_at(wal: &[u8], i: usize) -> usize {
    WAL_HEADER + i * frame_size(wal)
}

/// Recomputes the header's checksum and then every whole frame's, in the
/// byte order the magic number names: the WAL is valid again but for what
/// the caller changed in it on purpose.
fn reseal(wal: &mut [u8]) {
    let big = be32(wal, 0) & 1 == 1;
    let mut sum = checksum(big, &wal[..24], [0, 0]);
    wal[24..28].copy_from_slice(&sum[0].to_be_bytes());
    wal[28..32].copy_from_slice(&sum[1].to_be_bytes());
    let size = frame_size(wal);
    for frame in wal[WAL_HEADER..].chunks_exact_mut(size) {
        let (head, data) = frame.split_at_mut(FRAME_HEADER);
        sum = checksum(big, data, checksum(big, &head[..8], sum));
        head[16..20].copy_from_slice(&sum[0].to_be_bytes());
        head[20..24].copy_from_slice(&sum[1].to_be_bytes());
    }
}

/// `wal` with the u32 at `at` set to `value`, then resealed.
fn resealed_with(wal: &[u8], at: usize, value: u32) -> Vec<u8> {
    let mut w = wal.to_vec();
    w[at..at + 4].copy_from_slice(&value.to_be_bytes());
    reseal(&mut w);
    w
}

/// The database sizes (in pages) the commit frames of `wal` name.
fn commit_sizes(wal: &[u8]) -> Vec<u32> {
    (0..frames(wal))
        .map(|i| be32(wal, frame_at(wal, i) + 4))
        .filter(|&n| n != 0)
        .collect()
}

/// A database as an agent leaves it: the file and its `-wal`.
struct Built {
    _dir: tempfile::TempDir,
    db: PathBuf,
    wal: Vec<u8>,
}

fn build(sql: &str) -> Built {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("agent.db");
    trailblame_synth::agent_db::build_database_from_sql(sql, &db);
    let wal = std::fs::read(wal_path(&db)).unwrap();
    Built { _dir: dir, db, wal }
}

fn wal_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

/// Everything a snapshot shows: each table's rows in rowid order (the
/// schema first), the integrity check and the pages SQLite reads (as
/// many as `page_count`), bytes 18 and 19 of page 1 (the WAL flag, 1 in
/// an image) read as 1.
#[derive(Debug, PartialEq)]
struct Seen {
    tables: Vec<(String, Vec<Vec<Value>>)>,
    integrity: Vec<String>,
    pages: Vec<u8>,
}

fn seen(snap: anyhow::Result<Snapshot>) -> Result<Seen, String> {
    let mut snap = snap.map_err(|e| format!("{e:#}"))?;
    let conn = &snap.conn;
    let rows = |sql: &str| -> rusqlite::Result<Vec<Vec<Value>>> {
        let mut stmt = conn.prepare(sql)?;
        let n = stmt.column_count();
        stmt.query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect())?
            .collect()
    };
    let read = || -> rusqlite::Result<Seen> {
        let mut names: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        names.insert(0, "sqlite_master".into());
        let tables = names
            .into_iter()
            .map(|t| {
                Ok((
                    t.clone(),
                    rows(&format!("SELECT * FROM \"{t}\" ORDER BY rowid"))?,
                ))
            })
            .collect::<rusqlite::Result<_>>()?;
        let integrity = conn
            .prepare("PRAGMA integrity_check")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(Seen {
            tables,
            integrity,
            pages: Vec::new(),
        })
    };
    let mut out = read().map_err(|e| e.to_string())?;
    let size = |pragma: &str| -> rusqlite::Result<usize> {
        let n: i64 = conn.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    };
    let len = (|| Ok::<_, rusqlite::Error>(size("page_count")? * size("page_size")?))()
        .map_err(|e| e.to_string())?;
    let mut pages = snap
        .conn
        .serialize(rusqlite::MAIN_DB)
        .map_err(|e| e.to_string())?
        .to_vec();
    // An image is as long as the last commit says; SQLite reads as many
    // pages as page 1 says when that is fewer, and serializes those.
    pages.truncate(len);
    for b in pages.iter_mut().skip(18).take(2) {
        if *b == 2 {
            *b = 1;
        }
    }
    out.pages = pages;
    Ok(out)
}

/// What was seen, in short: the error, or the rows per table.
fn outline(seen: &Result<Seen, String>) -> String {
    match seen {
        Err(e) => format!("an error ({e})"),
        Ok(s) => {
            let rows: Vec<_> = s.tables.iter().map(|(t, r)| (t, r.len())).collect();
            format!("rows {rows:?}, integrity {:?}", s.integrity)
        }
    }
}

/// Where a variant is expected to be read when it may be in memory.
#[derive(Clone, Copy, PartialEq)]
enum Reads {
    /// As an image in memory.
    InMemory,
    /// Left to SQLite, through the copy on disk.
    OnDisk,
}

/// Opens `built`'s database with `wal` beside it both ways (the copy on
/// disk that SQLite applies the WAL to; the image, from the whole bytes
/// and from the file when given only its head), checks they agree and
/// that the files were left as they were, without a `-shm`; returns what
/// SQLite saw.
fn both_ways(built: &Built, wal: &[u8], expect: Reads, what: &str) -> Result<Seen, String> {
    std::fs::write(wal_path(&built.db), wal).unwrap();
    let bytes = std::fs::read(&built.db).unwrap();
    let by_sqlite = seen(open_snapshot_up_to(&built.db, &bytes, 0).inspect(|s| {
        assert!(s._dir.is_some(), "{what}: copied to disk");
        assert!(s.wal_read, "{what}");
    }));
    for given in [&bytes[..], &bytes[..100]] {
        let snap = open_snapshot_up_to(&built.db, given, u64::MAX);
        if let Ok(s) = &snap {
            let in_memory = s._dir.is_none();
            assert_eq!(
                in_memory,
                expect == Reads::InMemory,
                "{what}: where it was read"
            );
        }
        let by_us = seen(snap);
        match (&by_sqlite, &by_us) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.tables, b.tables, "{what}: tables");
                assert_eq!(a.integrity, b.integrity, "{what}: integrity");
                if a.pages != b.pages {
                    let at = a.pages.iter().zip(&b.pages).position(|(x, y)| x != y);
                    panic!(
                        "{what}: pages differ: {} vs {} bytes, first at {at:?}",
                        a.pages.len(),
                        b.pages.len()
                    );
                }
            }
            (Err(_), Err(_)) => {}
            _ => panic!(
                "{what}: SQLite gave {}, the image {}",
                outline(&by_sqlite),
                outline(&by_us)
            ),
        }
    }
    assert!(
        std::fs::read(&built.db).unwrap() == bytes,
        "{what}: database changed"
    );
    assert!(
        std::fs::read(wal_path(&built.db)).unwrap() == wal,
        "{what}: WAL changed"
    );
    let mut shm = built.db.as_os_str().to_owned();
    shm.push("-shm");
    assert!(
        !Path::new(&shm).exists(),
        "{what}: a -shm beside the database"
    );
    by_sqlite
}

/// Like `both_ways`, and the database reads as sound.
fn both_ways_sound(built: &Built, wal: &[u8], what: &str) -> Seen {
    let s = both_ways(built, wal, Reads::InMemory, what).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(s.integrity, ["ok"], "{what}");
    s
}

/// A table grown far past the database file in the WAL, one page updated
/// in several transactions, rows deleted so that the database shrinks
/// (auto-vacuum), in pages of 512 bytes (many frames, few bytes).
const GROWN_THEN_SHRUNK: &str = "PRAGMA page_size = 512; PRAGMA auto_vacuum = FULL;
PRAGMA journal_mode = WAL;
CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);
CREATE TABLE u(k TEXT, n INTEGER);
CREATE INDEX u_k ON u(k);
INSERT INTO t WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < 40) SELECT value, printf('base %d', value) FROM s;
-- @wal
UPDATE t SET v = 'first' WHERE id = 1;
UPDATE t SET v = 'second' WHERE id = 1;
BEGIN;
INSERT INTO u WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < 900) SELECT printf('key %05d', value), value FROM s; COMMIT;
UPDATE t SET v = 'third' WHERE id = 1;
DELETE FROM u WHERE n % 3 <> 0;
INSERT INTO t VALUES (100, 'late');
DELETE FROM u WHERE n > 300;
UPDATE t SET v = 'last' WHERE id = 2;
";

/// Pages of 1024 bytes, no auto-vacuum: the database shrinks by `VACUUM`;
/// a row on overflow pages.
const VACUUMED: &str = "PRAGMA page_size = 1024; PRAGMA journal_mode = WAL;
CREATE TABLE s(id TEXT PRIMARY KEY, body BLOB);
CREATE TABLE m(v TEXT);
INSERT INTO m WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < 50) SELECT printf('m %d', value) FROM s;
-- @wal
INSERT INTO m WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < 300) SELECT printf('wal %d', value) FROM s;
INSERT INTO s VALUES ('overflow', randomblob(5000)), ('small', x'00ff');
BEGIN; INSERT INTO m VALUES ('a'); UPDATE m SET v = 'b' WHERE v = 'a'; COMMIT;
DELETE FROM m WHERE rowid % 2 = 0;
VACUUM;
INSERT INTO m VALUES ('after vacuum');
";

#[test]
fn a_wal_applied_in_memory_reads_as_sqlite_reads_it() {
    let started = std::time::Instant::now();
    let mut variants = 0;
    for (name, sql) in [
        ("grown then shrunk", GROWN_THEN_SHRUNK),
        ("vacuumed", VACUUMED),
    ] {
        let built = build(sql);
        let wal = &built.wal;
        let db_len = std::fs::read(&built.db).unwrap().len();
        let db_pages = (db_len / page_size(wal)) as u32;
        let n = frames(wal);
        let size = frame_size(wal);
        // The fixture does what it says: several commits, a database
        // larger than its file, then smaller than it was.
        let commits = commit_sizes(wal);
        assert!(commits.len() >= 6, "{name}: {commits:?}");
        let most = commits.iter().copied().max().unwrap();
        assert!(most > db_pages, "{name}: {commits:?} vs {db_pages}");
        assert!(*commits.last().unwrap() < most, "{name}: {commits:?}");
        let whole = both_ways_sound(&built, wal, &format!("{name}: as is"));
        let mut check = |w: &[u8], expect: Reads, what: String| {
            variants += 1;
            both_ways(&built, w, expect, &format!("{name}: {what}"))
        };
        let sound = |r: Result<Seen, String>, what: &str| {
            let s = r.unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(s.integrity, ["ok"], "{what}");
        };

        // Cut at every frame boundary and inside frames; empty.
        for cut in [0, 1, 16, 31, 32, 33] {
            sound(
                check(&wal[..cut], Reads::InMemory, format!("cut at {cut}")),
                name,
            );
        }
        for k in 0..=n {
            let at = WAL_HEADER + k * size;
            sound(
                check(&wal[..at], Reads::InMemory, format!("cut after frame {k}")),
                name,
            );
            if k < n && k % 3 == 0 {
                for inside in [1, 8, 24, size / 2, size - 1] {
                    let r = check(
                        &wal[..at + inside],
                        Reads::InMemory,
                        format!("cut in frame {k}"),
                    );
                    sound(r, name);
                }
            }
        }
        // One byte flipped: in the header, in a frame's header, in a page.
        for at in 0..WAL_HEADER {
            let mut w = wal.clone();
            w[at] ^= 0x10;
            // A flipped version byte also breaks the header's checksum.
            sound(
                check(&w, Reads::InMemory, format!("header byte {at} flipped")),
                name,
            );
        }
        for k in (0..n).step_by(2) {
            let frame = frame_at(wal, k);
            for at in [0, 3, 4, 7, 8, 15, 16, 23, 24, 24 + size / 3, size - 1] {
                let mut w = wal.clone();
                w[frame + at] ^= 0x01;
                let r = check(&w, Reads::InMemory, format!("frame {k} byte {at} flipped"));
                sound(r, name);
            }
        }
        // Valid checksums, one thing changed: a frame with other salts (a
        // WAL from before a restart) and all after it; page number 0; a
        // commit made a plain frame (its frames then wait for the next);
        // the last commit naming a smaller or larger database.
        for k in (0..n).step_by(5) {
            let frame = frame_at(wal, k);
            let salt = be32(wal, frame + 8);
            let mut w = wal.clone();
            for i in k..n {
                let f = frame_at(wal, i);
                w[f + 8..f + 12].copy_from_slice(&salt.wrapping_sub(1).to_be_bytes());
            }
            reseal(&mut w);
            sound(
                check(&w, Reads::InMemory, format!("other salts from frame {k}")),
                name,
            );
            let w = resealed_with(wal, frame, 0);
            sound(
                check(&w, Reads::InMemory, format!("frame {k}: page 0")),
                name,
            );
            if be32(wal, frame + 4) != 0 {
                let w = resealed_with(wal, frame + 4, 0);
                sound(
                    check(&w, Reads::InMemory, format!("frame {k}: commit cleared")),
                    name,
                );
            }
        }
        let last_commit = (0..n)
            .rev()
            .map(|k| frame_at(wal, k))
            .find(|&f| be32(wal, f + 4) != 0)
            .unwrap();
        let pages = be32(wal, last_commit + 4);
        for other in [1, pages - 1, pages + 1, pages + 7, db_pages + 3] {
            let w = resealed_with(wal, last_commit + 4, other);
            // Cut or zero-extended: not always sound, but read alike.
            let _ = check(&w, Reads::InMemory, format!("last commit of {other} pages"));
        }
        // Big-endian checksums: SQLite reads the same rows.
        let big = resealed_with(wal, 0, MAGIC | 1);
        assert_eq!(
            check(&big, Reads::InMemory, "big-endian".into()).unwrap(),
            whole,
            "{name}: big-endian checksums"
        );
        // A header of another version: SQLite refuses the WAL, and it is
        // left to SQLite. One of another page size, its frames resealed
        // at that size: where a commit is among them, the pages disagree
        // with the database's and that too is left to SQLite.
        let w = resealed_with(wal, 4, VERSION + 1);
        let refused = check(&w, Reads::OnDisk, "another version".into());
        assert!(refused.is_err(), "{name}: another version: {refused:?}");
        let w = resealed_with(wal, 8, page_size(wal) as u32 * 2);
        let reads = match scan(&w[..], w.len() as u64).unwrap() {
            Wal::Committed(_) => Reads::OnDisk,
            _ => Reads::InMemory,
        };
        let _ = check(&w, reads, "another page size".into());
    }
    // The database file cut, at a page and inside one, the WAL as is:
    // what neither holds reads as zeros both ways.
    let built = build(GROWN_THEN_SHRUNK);
    let db = std::fs::read(&built.db).unwrap();
    let page = page_size(&built.wal);
    for cut in [db.len() - page, db.len() / 2, 3 * page + 100] {
        std::fs::write(&built.db, &db[..cut]).unwrap();
        let _ = both_ways(
            &built,
            &built.wal,
            Reads::InMemory,
            &format!("database cut at {cut}"),
        );
        variants += 1;
    }
    // The two fixtures' WALs swapped: pages of another size, left to
    // SQLite; of another database with pages of the same size, applied
    // alike (whatever that makes of the database).
    let (small, large) = (build(GROWN_THEN_SHRUNK), build(VACUUMED));
    let _ = both_ways(&small, &large.wal, Reads::OnDisk, "another database's WAL");
    let _ = both_ways(&large, &small.wal, Reads::OnDisk, "another database's WAL");
    let other = build(&GROWN_THEN_SHRUNK.replace("'first'", "'other'"));
    let _ = both_ways(
        &small,
        &other.wal,
        Reads::InMemory,
        "another database's WAL",
    );
    eprintln!("{variants} variants in {:.1?}", started.elapsed());
}

#[test]
fn past_the_database_files_end_the_image_is_zeros() {
    // Pages of 512 bytes, 1300 bytes in the file; page 2 from the WAL;
    // the last commit says 4 pages: page 3 ends in zeros, page 4 is all.
    let mut wal = vec![0u8; WAL_HEADER + FRAME_HEADER + 512];
    wal[..4].copy_from_slice(&MAGIC.to_be_bytes());
    wal[4..8].copy_from_slice(&VERSION.to_be_bytes());
    wal[8..12].copy_from_slice(&512u32.to_be_bytes());
    let frame = frame_at(&wal, 0);
    wal[frame..frame + 4].copy_from_slice(&2u32.to_be_bytes());
    wal[frame + 4..frame + 8].copy_from_slice(&4u32.to_be_bytes());
    wal[frame + FRAME_HEADER..].fill(b'w');
    reseal(&mut wal);
    let Wal::Committed(c) = scan(&wal[..], wal.len() as u64).unwrap() else {
        panic!("a commit");
    };
    let mut db = vec![b'd'; 1300];
    db[18] = 2;
    db[19] = 2;
    let mut image = Image::new(&db[..], db.len() as u64, &wal[..], Some(&c));
    assert_eq!(image.len(), 4 * 512);
    // Read in uneven pieces into a buffer that is not zeros.
    let mut out = vec![0xaa; 4 * 512 + 10];
    let mut at = 0;
    for piece in [7, 13, 700, 1000, 10_000] {
        let end = (at + piece).min(out.len());
        at += image.read(&mut out[at..end]).unwrap();
    }
    assert_eq!(at, 4 * 512);
    let mut want = db[..512].to_vec();
    want[18] = 1;
    want[19] = 1;
    want.extend([b'w'; 512]);
    want.extend(&db[1024..]);
    want.resize(4 * 512, 0);
    assert_eq!(out[..at], want[..]);
}

#[test]
fn frames_left_from_before_a_restart_are_ignored() {
    // A checkpoint that copied every frame lets the next writer start the
    // WAL again from its first frame, with new salts: the older frames
    // after the new ones are not part of it.
    let built = build(
        "PRAGMA page_size = 512; PRAGMA journal_mode = WAL;
CREATE TABLE t(v TEXT);
-- @wal
INSERT INTO t WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < 400) SELECT printf('before %d', value) FROM s;
PRAGMA wal_checkpoint(PASSIVE);
INSERT INTO t VALUES ('after the restart');
",
    );
    let wal = &built.wal;
    let Wal::Committed(kept) = scan(&wal[..], wal.len() as u64).unwrap() else {
        panic!("committed frames");
    };
    assert!(
        kept.frame_pages.len() < frames(wal) / 2,
        "older frames follow"
    );
    let s = both_ways_sound(&built, wal, "restarted");
    let t = &s.tables.iter().find(|(n, _)| n == "t").unwrap().1;
    assert_eq!(t.len(), 401);
}
