//! A database's write-ahead log applied by us, in memory. Opening a copy
//! of an agent's database and its `-wal` on disk lets SQLite apply the
//! WAL, but costs a copy of both files and then, for every page read, a
//! look-up in the WAL index and a read from the WAL file. Instead `scan`
//! finds what SQLite's own recovery would keep of the WAL (the frames up
//! to the last valid commit, by the file format's salts and checksums)
//! and `Image` reads the database with those frames written over their
//! pages, which SQLite then reads from memory. What SQLite would not read
//! that way (a WAL version it refuses, page sizes that disagree) is left
//! to SQLite, through the copy on disk.

use std::io::{self, Read};

use rayon::prelude::*;

/// Bytes of the WAL header and of a frame's header.
const WAL_HEADER: usize = 32;
const FRAME_HEADER: usize = 24;
/// The WAL magic number, its low bit cleared; set, the checksum words
/// are big-endian.
const MAGIC: u32 = 0x377f_0682;
/// The only WAL format version SQLite reads.
const VERSION: u32 = 3_007_000;
/// Bytes of the WAL one thread checks at a time (whole frames), and of
/// the image one thread fills at a time. Small in tests, so that their
/// small files are read in many parts, pages across the image's.
const SCAN_PART: usize = if cfg!(test) { 1500 } else { 4 << 20 };
const IMAGE_PART: usize = if cfg!(test) { 1300 } else { 8 << 20 };
/// Frames of the WAL read at once when they follow one another.
const FRAMES_READ_AT_ONCE: usize = 256;

/// Bytes read at an offset, by several threads at once.
pub(super) trait ReadAt: Sync {
    /// Reads into `buf` from byte `at`: the bytes read, 0 at the end.
    fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<usize>;

    /// Reads until `buf` is full or the input ends: the bytes read.
    fn read_full_at(&self, buf: &mut [u8], at: u64) -> io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            match self.read_at(&mut buf[n..], at + n as u64) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }
}

impl ReadAt for [u8] {
    fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<usize> {
        let from = usize::try_from(at).unwrap_or(usize::MAX).min(self.len());
        let n = buf.len().min(self.len() - from);
        buf[..n].copy_from_slice(&self[from..from + n]);
        Ok(n)
    }
}

impl ReadAt for std::fs::File {
    #[cfg(unix)]
    fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(self, buf, at)
    }

    #[cfg(windows)]
    fn read_at(&self, buf: &mut [u8], at: u64) -> io::Result<usize> {
        std::os::windows::fs::FileExt::seek_read(self, buf, at)
    }
}

/// What SQLite would make of a WAL when it opens the database beside it.
pub(super) enum Wal {
    /// Nothing to apply (too short, an invalid header, no valid commit):
    /// SQLite reads the database file as it is.
    Empty,
    /// Valid frames up to the last commit.
    Committed(Committed),
    /// A WAL SQLite refuses to open (a valid header of another format
    /// version): left to SQLite to report.
    Refused,
}

/// The committed frames of a WAL.
pub(super) struct Committed {
    /// The WAL header as scanned: if it has changed by the time the
    /// frames were read, the WAL was restarted meanwhile.
    pub header: [u8; WAL_HEADER],
    pub page_size: u32,
    /// The database's size in pages after the last commit.
    pub pages: u32,
    /// The page each frame holds, frames 1 to the last commit in order.
    frame_pages: Vec<u32>,
}

impl Committed {
    /// The database's size in bytes after the last commit.
    pub fn image_len(&self) -> u64 {
        u64::from(self.pages) * u64::from(self.page_size)
    }

    /// The frame (counted from 1) holding the newest committed copy of
    /// `page`, if any.
    pub fn frame_of(&self, page: u32) -> Option<u32> {
        let i = self.frame_pages.iter().rposition(|&p| p == page)?;
        u32::try_from(i + 1).ok()
    }

    /// The newest committed frame (from 1) of each page within the
    /// database after the last commit, with its page, in frame order.
    fn newest_frames(&self) -> Vec<(u32, u32)> {
        let mut newest = vec![0u32; self.pages as usize];
        for (i, &page) in self.frame_pages.iter().enumerate() {
            // Pages past the end of the database are dropped; frame
            // numbers fit in a u32 (`scan` counts no further).
            let slot = (page as usize)
                .checked_sub(1)
                .and_then(|p| newest.get_mut(p));
            if let (Some(slot), Ok(frame)) = (slot, u32::try_from(i + 1)) {
                *slot = frame;
            }
        }
        let mut frames: Vec<(u32, u32)> = (1..=self.pages)
            .zip(newest)
            .filter(|&(_, frame)| frame != 0)
            .map(|(page, frame)| (frame, page))
            .collect();
        frames.sort_unstable();
        frames
    }
}

/// Where `frame` (counted from 1) starts in a WAL of pages of
/// `page_size` bytes.
fn frame_offset(page_size: u64, frame: u32) -> u64 {
    WAL_HEADER as u64 + u64::from(frame.saturating_sub(1)) * (FRAME_HEADER as u64 + page_size)
}

/// Where the data of `frame` (counted from 1) starts in a WAL of pages
/// of `page_size` bytes.
pub(super) fn data_offset(page_size: u32, frame: u32) -> u64 {
    frame_offset(u64::from(page_size), frame) + FRAME_HEADER as u64
}

/// A big-endian u32 at `at` (the caller has checked the length).
fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The WAL checksum of `data` (a multiple of 8 bytes) continued from
/// `sum`: for each pair of words x0, x1, read in the order the magic
/// says, s0 += x0 + s1 and then s1 += x1 + s0, wrapping.
fn checksum(big_endian: bool, data: &[u8], sum: [u32; 2]) -> [u32; 2] {
    fn run(data: &[u8], [mut s0, mut s1]: [u32; 2], word: impl Fn([u8; 4]) -> u32) -> [u32; 2] {
        for pair in data.chunks_exact(8) {
            let x0 = word([pair[0], pair[1], pair[2], pair[3]]);
            let x1 = word([pair[4], pair[5], pair[6], pair[7]]);
            s0 = s0.wrapping_add(x0).wrapping_add(s1);
            s1 = s1.wrapping_add(x1).wrapping_add(s0);
        }
        [s0, s1]
    }
    if big_endian {
        run(data, sum, u32::from_be_bytes)
    } else {
        run(data, sum, u32::from_le_bytes)
    }
}

/// What SQLite's recovery keeps of the WAL `wal`, `len` bytes long (its
/// size when opened: as SQLite does, only whole frames within it are
/// read). Frames are valid while their salts are the header's, their page
/// number is not 0 and their cumulative checksum holds; the valid frames
/// after the last commit are dropped. Parts of the WAL are checked on
/// several threads: a part's first checksum continues from the one the
/// frame before it stores, which is the one computed as long as every
/// frame before is valid, and only then do its frames count.
pub(super) fn scan(wal: &(impl ReadAt + ?Sized), len: u64) -> io::Result<Wal> {
    let mut header = [0u8; WAL_HEADER];
    if len <= WAL_HEADER as u64 || wal.read_full_at(&mut header, 0)? < WAL_HEADER {
        return Ok(Wal::Empty);
    }
    let magic = be32(&header, 0);
    let page_size = be32(&header, 8);
    if magic & !1 != MAGIC || !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
        return Ok(Wal::Empty);
    }
    let format = Format {
        big_endian: magic & 1 == 1,
        page_size,
        header,
    };
    if format.sum(&header[..24], [0, 0]) != [be32(&header, 24), be32(&header, 28)] {
        return Ok(Wal::Empty);
    }
    if be32(&header, 4) != VERSION {
        return Ok(Wal::Refused);
    }
    // Frame numbers are u32s, in SQLite too.
    let frames = (len - WAL_HEADER as u64) / format.frame_size() as u64;
    let frames = u32::try_from(frames).unwrap_or(u32::MAX);
    let per_part = u32::try_from((SCAN_PART / format.frame_size()).max(1)).unwrap_or(1);
    let parts: Vec<io::Result<Part>> = (0..frames.div_ceil(per_part))
        .into_par_iter()
        .map(|i| {
            let first = i * per_part + 1;
            format.check(wal, first, per_part.min(frames - (first - 1)))
        })
        .collect();
    let mut frame_pages = Vec::new();
    let mut last_commit = None;
    for part in parts {
        let part = part?;
        for (page, db_pages) in part.frames {
            frame_pages.push(page);
            if db_pages != 0 {
                last_commit = Some((frame_pages.len(), db_pages));
            }
        }
        if !part.whole {
            break;
        }
    }
    Ok(match last_commit {
        None => Wal::Empty,
        Some((frames, pages)) => {
            frame_pages.truncate(frames);
            Wal::Committed(Committed {
                header,
                page_size,
                pages,
                frame_pages,
            })
        }
    })
}

/// What a WAL's valid header says of its frames.
struct Format {
    big_endian: bool,
    page_size: u32,
    header: [u8; WAL_HEADER],
}

/// The valid frames at the start of a run of frames: each one's page and
/// database size (0 unless a commit); `whole` when all of them are.
struct Part {
    frames: Vec<(u32, u32)>,
    whole: bool,
}

impl Format {
    fn frame_size(&self) -> usize {
        FRAME_HEADER + self.page_size as usize
    }

    fn sum(&self, data: &[u8], sum: [u32; 2]) -> [u32; 2] {
        checksum(self.big_endian, data, sum)
    }

    /// The valid frames among `count` from frame `first` (from 1), their
    /// checksums continued from the header's or from the one the frame
    /// before stores.
    fn check(&self, wal: &(impl ReadAt + ?Sized), first: u32, count: u32) -> io::Result<Part> {
        let page_size = u64::from(self.page_size);
        let mut sum = [be32(&self.header, 24), be32(&self.header, 28)];
        if first > 1 {
            let mut stored = [0u8; 8];
            let at = frame_offset(page_size, first - 1) + 16;
            if wal.read_full_at(&mut stored, at)? < stored.len() {
                return Ok(Part {
                    frames: Vec::new(),
                    whole: false,
                });
            }
            sum = [be32(&stored, 0), be32(&stored, 4)];
        }
        let size = self.frame_size();
        let mut buf = vec![0u8; size * count as usize];
        let got = wal.read_full_at(&mut buf, frame_offset(page_size, first))?;
        let mut frames = Vec::with_capacity(count as usize);
        for frame in buf[..got].chunks_exact(size) {
            let (head, data) = frame.split_at(FRAME_HEADER);
            let page = be32(head, 0);
            if head[8..16] != self.header[16..24] || page == 0 {
                break;
            }
            let next = self.sum(data, self.sum(&head[..8], sum));
            if next != [be32(head, 16), be32(head, 20)] {
                break;
            }
            sum = next;
            frames.push((page, be32(head, 4)));
        }
        Ok(Part {
            whole: frames.len() == count as usize,
            frames,
        })
    }
}

/// The database as SQLite would read it through its WAL, as a `Read`:
/// the database file's bytes (`db`, `db_len` long), each page of a
/// committed frame read from the WAL over them, cut or zero-extended to
/// the size of the last commit. In page 1 the file format versions
/// (bytes 18 and 19) say "legacy" (1) where they said "WAL" (2), since
/// SQLite would otherwise look for a WAL beside the image.
pub(super) struct Image<'a, D: ?Sized, W: ?Sized> {
    db: &'a D,
    db_len: u64,
    wal: &'a W,
    page_size: u64,
    /// The newest frame of each page in the WAL, with its page, in frame
    /// order (the order they are read in).
    frames: Vec<(u32, u32)>,
    len: u64,
    pos: u64,
}

impl<'a, D: ReadAt + ?Sized, W: ReadAt + ?Sized> Image<'a, D, W> {
    /// The database `db` with `wal`'s committed frames, if any, applied.
    pub fn new(db: &'a D, db_len: u64, wal: &'a W, committed: Option<&Committed>) -> Self {
        let (page_size, frames, len) = match committed {
            Some(c) => (u64::from(c.page_size), c.newest_frames(), c.image_len()),
            None => (0, Vec::new(), db_len),
        };
        Image {
            db,
            db_len,
            wal,
            page_size,
            frames,
            len,
            pos: 0,
        }
    }

    /// The image's length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Fills `out` with the image from byte `at`.
    fn read_part(&self, at: u64, out: &mut [u8]) -> io::Result<()> {
        self.read_db(at, out)?;
        if self.page_size > 0 {
            self.read_frames(at, out)?;
        }
        Ok(())
    }

    /// Fills `out` with the database file from byte `at`, zeros past its
    /// end (as SQLite reads a short file).
    fn read_db(&self, at: u64, out: &mut [u8]) -> io::Result<()> {
        let mut n = 0;
        if at < self.db_len {
            let want = out
                .len()
                .min(usize::try_from(self.db_len - at).unwrap_or(usize::MAX));
            n = self.db.read_full_at(&mut out[..want], at)?;
        }
        out[n..].fill(0);
        Ok(())
    }

    /// Writes over `out`, the image from byte `at`, the pages from the
    /// WAL within it, reading frames that follow one another at once.
    fn read_frames(&self, at: u64, out: &mut [u8]) -> io::Result<()> {
        let size = self.page_size;
        let end = at + out.len() as u64;
        // Pages are from 1 (`newest_frames`).
        let page_at = |page: u32| u64::from(page - 1) * size;
        let within: Vec<(u32, u32)> = self
            .frames
            .iter()
            .copied()
            .filter(|&(_, page)| page_at(page) < end && page_at(page) + size > at)
            .collect();
        let frame_size = FRAME_HEADER + size as usize;
        let mut frames = Vec::new();
        for run in within.chunk_by(|a, b| b.0 == a.0 + 1) {
            for run in run.chunks(FRAMES_READ_AT_ONCE) {
                frames.resize(run.len() * frame_size, 0);
                let got = self
                    .wal
                    .read_full_at(&mut frames, frame_offset(size, run[0].0))?;
                if got < frames.len() {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                for (frame, &(_, page)) in frames.chunks_exact(frame_size).zip(run) {
                    let data = &frame[FRAME_HEADER..];
                    let (from, to) = (page_at(page).max(at), (page_at(page) + size).min(end));
                    let page_at = page_at(page);
                    out[(from - at) as usize..(to - at) as usize]
                        .copy_from_slice(&data[(from - page_at) as usize..(to - page_at) as usize]);
                }
            }
        }
        Ok(())
    }
}

impl<D: ReadAt + ?Sized, W: ReadAt + ?Sized> Read for Image<'_, D, W> {
    /// Fills as much of `buf` as the image has left, in parts on several
    /// threads.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let start = self.pos;
        let n = buf
            .len()
            .min(usize::try_from(self.len - start).unwrap_or(usize::MAX));
        let buf = &mut buf[..n];
        let this = &*self;
        buf.par_chunks_mut(IMAGE_PART)
            .enumerate()
            .try_for_each(|(i, part)| this.read_part(start + (i * IMAGE_PART) as u64, part))?;
        for version in [18u64, 19] {
            if let Some(b) = version
                .checked_sub(start)
                .and_then(|i| buf.get_mut(usize::try_from(i).ok()?))
                && *b == 2
            {
                *b = 1;
            }
        }
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests;
