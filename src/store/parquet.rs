//! Writing one Parquet part, with the encoding chosen per column.
//!
//! polars' own writer tries a dictionary for every string column (after a
//! cardinality estimate over all its values) and Snappy for every page.
//! Random identifiers (`event_id`, `request_id`) gain from neither: they are
//! written plain and uncompressed, which saves the estimate, the failed
//! attempt and a compression pass that shrinks them by a few percent. Other
//! string columns get a dictionary by polars' rule (distinct values at most
//! three quarters of the rows), judged on their first `SAMPLE_ROWS` rows
//! instead of every value (`dictionary`). Every other column is written as
//! polars writes it. Row groups are encoded and compressed column by column
//! on polars' thread pool before they are written, so a part written from
//! one thread still uses every core.
//!
//! The file is an ordinary Parquet file with polars' Arrow schema in its
//! metadata: DuckDB, Spark, Athena and polars read it as before. Integers
//! are written signed (an unsigned column is cast to Int64 here, in the one
//! place every part passes): Spark reads an unsigned 64-bit column as
//! DECIMAL(20,0) and Trino's reader refuses it (issue 21).

use crate::schema::events;
use anyhow::{Context, Result};
use polars::prelude::*;
use polars_parquet::write::{
    CompressedPage, CompressionOptions, DynIter, DynStreamingIterator, Encoding, FileWriter,
    StatisticsOptions, Version, WriteOptions, array_to_columns, compress,
    fallible_streaming_iterator, to_parquet_schema,
};
use rayon::prelude::*;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

/// Rows per row group.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;

/// Columns holding random identifiers: every value distinct and
/// incompressible, so a dictionary or Snappy costs time and gains nothing.
pub const RANDOM_ID_COLUMNS: &[&str] = &[
    events::EVENT_ID,
    events::EVENT_KEY,
    events::REQUEST_ID,
    events::SHARED_EVENT_ID,
];

/// What polars writes by default: Snappy, min, max and null counts.
fn options() -> WriteOptions {
    WriteOptions {
        statistics: StatisticsOptions::default(),
        version: Version::V1,
        compression: CompressionOptions::Snappy,
        data_page_size: None,
    }
}

/// How one column is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// polars' choice: a dictionary when it pays, Snappy.
    Default,
    /// Plain values, no compression.
    PlainRaw,
}

fn layout(column: &str, dtype: &DataType) -> Layout {
    if dtype == &DataType::String && RANDOM_ID_COLUMNS.contains(&column) {
        Layout::PlainRaw
    } else {
        Layout::Default
    }
}

/// Writes `df` to a new file at `path`; `df` is left as written (its
/// unsigned columns signed).
pub fn write(path: &Path, df: &mut DataFrame) -> Result<()> {
    signed_integers(df)
        .and_then(|()| write_inner(path, df.clone()))
        .map_err(anyhow::Error::from)
        .with_context(|| format!("writing {}", path.display()))
}

/// `write`, consuming `df`: each column's memory goes as soon as it is
/// encoded (a part of one row group), so writing a part holds the part
/// and its compressed pages, not also a rechunked copy and the pages of
/// every column before compression.
pub fn write_owned(path: &Path, mut df: DataFrame) -> Result<()> {
    signed_integers(&mut df)
        .and_then(|()| write_inner(path, df))
        .map_err(anyhow::Error::from)
        .with_context(|| format!("writing {}", path.display()))
}

/// Unsigned integer columns become Int64 (a count or a line number never
/// needs the 64th bit); a value past `i64::MAX` is an error, not a wrap.
fn signed_integers(df: &mut DataFrame) -> PolarsResult<()> {
    let unsigned: Vec<PlSmallStr> = df
        .columns()
        .iter()
        .filter(|c| c.dtype().is_unsigned_integer())
        .map(|c| c.name().clone())
        .collect();
    for name in unsigned {
        let signed = df.column(&name)?.strict_cast(&DataType::Int64)?;
        df.with_column(signed)?;
    }
    Ok(())
}

/// Row groups as (offset, rows): as polars splits a frame, `rows /
/// ROW_GROUP_ROWS` groups of equal size (at least one; the last takes the
/// remainder), none for no rows.
fn row_groups(rows: usize) -> Vec<(usize, usize)> {
    if rows == 0 {
        return Vec::new();
    }
    let n = (rows / ROW_GROUP_ROWS).max(1);
    let size = rows / n;
    (0..n)
        .map(|i| {
            let offset = i * size;
            let len = if i + 1 == n { rows - offset } else { size };
            (offset, len)
        })
        .collect()
}

/// Writes the columns row group by row group. Each column is sliced,
/// made contiguous, encoded and compressed on its own (in parallel on
/// polars' pool), so the transient copies are a column's, not the frame's;
/// a frame of one row group gives each column up as it is encoded.
fn write_inner(path: &Path, df: DataFrame) -> PolarsResult<()> {
    let file = File::create(path)?;
    let layouts: Vec<Layout> = df
        .columns()
        .iter()
        .map(|c| layout(c.name(), c.dtype()))
        .collect();
    let arrow_schema = df.schema().to_arrow(CompatLevel::newest());
    let parquet_schema = to_parquet_schema(&arrow_schema)?;
    let fields = parquet_schema.fields().to_vec();
    let mut writer = FileWriter::new_with_parquet_schema(
        BufWriter::with_capacity(1 << 20, file),
        arrow_schema,
        parquet_schema,
        options(),
    );
    let encode = |column: &Column, (offset, len): (usize, usize), type_, layout| {
        let part = column
            .as_materialized_series()
            .slice(offset as i64, len)
            .rechunk();
        encode_column(&part.to_arrow(0, CompatLevel::newest()), type_, layout)
    };
    let groups = row_groups(df.height());
    if let [group] = groups[..] {
        let columns = df.into_columns();
        let pages = polars_core::runtime::RAYON.install(|| {
            columns
                .into_par_iter()
                .zip(&fields)
                .zip(&layouts)
                .map(|((c, type_), layout)| encode(&c, group, type_, *layout))
                .collect::<PolarsResult<Vec<_>>>()
        })?;
        write_group(&mut writer, group.1, &pages)?;
    } else {
        for group in groups {
            let pages = polars_core::runtime::RAYON.install(|| {
                df.columns()
                    .par_iter()
                    .zip(&fields)
                    .zip(&layouts)
                    .map(|((c, type_), layout)| encode(c, group, type_, *layout))
                    .collect::<PolarsResult<Vec<_>>>()
            })?;
            write_group(&mut writer, group.1, &pages)?;
        }
    }
    writer.end(None)?;
    Ok(())
}

/// Writes one row group: per column, per Parquet leaf, its pages.
fn write_group<W: std::io::Write>(
    writer: &mut FileWriter<W>,
    rows: usize,
    columns: &[Vec<Vec<CompressedPage>>],
) -> PolarsResult<()> {
    let leaves = columns.iter().flatten().map(|pages| {
        Ok(DynStreamingIterator::new(
            fallible_streaming_iterator::convert(pages.iter().map(PolarsResult::Ok)),
        ))
    });
    writer.write(rows as u64, DynIter::new(leaves))
}

/// Rows of a string column whose distinct values decide its encoding.
const SAMPLE_ROWS: usize = 8 * 1024;

/// `array` as a dictionary array, when the distinct values of its first
/// `SAMPLE_ROWS` rows are at most three quarters of them (polars' rule,
/// which estimates over every value: on a 64K-row part that estimate
/// hashed every string of every column, 2-3 % of an ingest); `None` to
/// write it plain. The choice changes the file's size, never its values.
fn dictionary(array: &ArrayRef) -> Option<ArrayRef> {
    let sample = array.len().min(SAMPLE_ROWS);
    if sample > 128 {
        let distinct = polars_compute::cardinality::estimate_cardinality(&*array.sliced(0, sample));
        if distinct as f64 / sample as f64 > 0.75 {
            return None;
        }
    }
    let dtype = ArrowDataType::Dictionary(
        polars_arrow::datatypes::IntegerType::UInt32,
        Box::new(array.dtype().clone()),
        false,
    );
    polars_compute::cast::cast(&**array, &dtype, Default::default()).ok()
}

fn encode_column(
    array: &ArrayRef,
    type_: &polars_parquet::write::ParquetType,
    layout: Layout,
) -> PolarsResult<Vec<Vec<CompressedPage>>> {
    // What is written, whether plain, and how it is compressed.
    let (array, plain, compression) = match layout {
        Layout::Default if array.dtype() == &ArrowDataType::Utf8View => match dictionary(array) {
            Some(dict) => (dict, false, options().compression),
            None => (array.clone(), true, options().compression),
        },
        Layout::Default => (array.clone(), false, options().compression),
        Layout::PlainRaw => (array.clone(), true, CompressionOptions::Uncompressed),
    };
    let mut encodings = polars_parquet::write::get_dtype_encoding(array.dtype());
    if plain {
        encodings.fill(Encoding::Plain);
    }
    array_to_columns(&array, type_.clone(), options(), &encodings)?
        .into_iter()
        .map(|pages| {
            pages
                .map(|page| Ok(compress(page?, Vec::new(), compression)?))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars_parquet::parquet::compression::Compression;

    /// `df` written as a part, read back, and the part's metadata.
    fn round_trip(df: &mut DataFrame) -> (DataFrame, polars_parquet::read::FileMetadata) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part.parquet");
        write(&path, df).unwrap();
        let back = ParquetReader::new(File::open(&path).unwrap())
            .finish()
            .unwrap();
        let meta = polars_parquet::read::read_metadata(&mut File::open(&path).unwrap()).unwrap();
        (back, meta)
    }

    #[test]
    fn random_ids_are_plain_and_raw_the_rest_as_polars_writes_it_and_all_reads_back() {
        let rows = 2 * ROW_GROUP_ROWS + 5;
        let ids: Vec<String> = (0..rows)
            .map(|i| {
                format!(
                    "{:016x}-{i}",
                    (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
                )
            })
            .collect();
        let names: Vec<&str> = (0..rows)
            .map(|i| ["DeleteBucket", "ListBuckets", "GetObject"][i % 3])
            .collect();
        let resources: Vec<Series> = (0..rows)
            .map(|i| Series::new("".into(), vec![format!("arn:aws:s3:::b{}", i % 7)]))
            .collect();
        let mut df = df!(
            events::EVENT_ID => ids,
            events::EVENT_NAME => names,
            events::RESOURCES => resources,
            "n" => (0..rows as i64).collect::<Vec<_>>(),
        )
        .unwrap();
        let unsigned = (0..rows as u64).collect::<Vec<u64>>();
        let mut with_unsigned = df.clone();
        with_unsigned
            .with_column(Column::new("u".into(), unsigned.clone()))
            .unwrap();
        df.with_column(Column::new(
            "u".into(),
            unsigned.into_iter().map(|u| u as i64).collect::<Vec<i64>>(),
        ))
        .unwrap();
        let (back, meta) = round_trip(&mut with_unsigned);
        // Read back equal, the unsigned column as Int64 (issue 21).
        assert!(back.equals_missing(&df), "{back}\n{df}");

        // Split as polars splits: whole row groups of at least ROW_GROUP_ROWS.
        assert_eq!(meta.row_groups.len(), row_groups(rows).len());
        assert_eq!(meta.row_groups.len(), rows / ROW_GROUP_ROWS);
        for rg in &meta.row_groups {
            let column = |name: &str| {
                rg.parquet_columns()
                    .iter()
                    .find(|c| c.descriptor().path_in_schema[0].as_str() == name)
                    .unwrap()
            };
            let id = column(events::EVENT_ID);
            assert_eq!(id.compression(), Compression::Uncompressed);
            assert_eq!(
                id.dictionary_page_offset(),
                None,
                "event_id has no dictionary"
            );
            let name = column(events::EVENT_NAME);
            assert_eq!(name.compression(), Compression::Snappy);
            assert!(
                name.dictionary_page_offset().is_some(),
                "event_name has a dictionary"
            );
            assert_eq!(column(events::RESOURCES).compression(), Compression::Snappy);
        }
    }

    /// A string column's dictionary is decided on its first `SAMPLE_ROWS`
    /// rows: distinct there, plain (though the rest repeat one value);
    /// repeating there, a dictionary (though the rest are distinct).
    /// Both read back as written, nulls included.
    #[test]
    fn a_dictionary_is_chosen_on_the_first_rows() {
        let rows = 40_000;
        let text = |distinct_first: bool| -> Vec<Option<String>> {
            (0..rows)
                .map(|i| {
                    let distinct = (i < SAMPLE_ROWS) == distinct_first;
                    match (i % 97, distinct) {
                        (0, _) => None,
                        (_, true) => Some(format!("{{\"key\":\"{i}\"}}")),
                        (_, false) => Some(format!("{{\"key\":\"{}\"}}", i % 3)),
                    }
                })
                .collect()
        };
        let mut df = df!(
            "distinct_first" => text(true),
            "repeating_first" => text(false),
        )
        .unwrap();
        let (back, meta) = round_trip(&mut df);
        assert!(back.equals_missing(&df));
        let rg = &meta.row_groups[0];
        let dictionary = |name: &str| {
            rg.parquet_columns()
                .iter()
                .find(|c| c.descriptor().path_in_schema[0].as_str() == name)
                .unwrap()
                .dictionary_page_offset()
                .is_some()
        };
        assert!(!dictionary("distinct_first"));
        assert!(dictionary("repeating_first"));
    }

    #[test]
    fn an_owned_frame_of_many_chunks_is_written_whole_in_one_row_group() {
        let chunk = |from: i64| {
            df!(
                "n" => (from..from + 1000).collect::<Vec<i64>>(),
                "s" => (from..from + 1000).map(|i| format!("value number {i}")).collect::<Vec<_>>(),
                "u" => (from..from + 1000).map(|i| i as u64).collect::<Vec<u64>>(),
            )
            .unwrap()
        };
        let mut df = chunk(0);
        for i in 1..5 {
            df.vstack_mut_owned(chunk(i * 1000)).unwrap();
        }
        assert_eq!(df.first_col_n_chunks(), 5);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part.parquet");
        write_owned(&path, df.clone()).unwrap();
        let back = ParquetReader::new(File::open(&path).unwrap())
            .finish()
            .unwrap();
        let mut want = df;
        want.with_column(want.column("u").unwrap().cast(&DataType::Int64).unwrap())
            .unwrap();
        assert!(back.equals_missing(&want), "{back}\n{want}");
        let meta = polars_parquet::read::read_metadata(&mut File::open(&path).unwrap()).unwrap();
        assert_eq!(meta.row_groups.len(), 1);
    }

    #[test]
    fn row_groups_split_as_polars_does() {
        assert!(row_groups(0).is_empty());
        assert_eq!(row_groups(5), [(0, 5)]);
        let r = ROW_GROUP_ROWS;
        assert_eq!(row_groups(2 * r + 5), [(0, r + 2), (r + 2, r + 3)]);
    }
}
