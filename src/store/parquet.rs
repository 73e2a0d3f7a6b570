//! Writing one Parquet part, with the encoding chosen per column.
//!
//! polars' own writer tries a dictionary for every string column (after a
//! cardinality estimate over all its values) and Snappy for every page.
//! Random identifiers (`event_id`, `request_id`) gain from neither: they are
//! written plain and uncompressed, which saves the estimate, the failed
//! attempt and a compression pass that shrinks them by a few percent. Every
//! other column is written as polars writes it. Row groups are encoded and
//! compressed column by column on polars' thread pool before they are
//! written, so a part written from one thread still uses every core.
//!
//! The file is an ordinary Parquet file with polars' Arrow schema in its
//! metadata: DuckDB, Spark, Athena and polars read it as before.

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

/// Writes `df` to a new file at `path`.
pub fn write(path: &Path, df: &mut DataFrame) -> Result<()> {
    write_inner(path, df)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("writing {}", path.display()))
}

fn write_inner(path: &Path, df: &mut DataFrame) -> PolarsResult<()> {
    let file = File::create(path)?;
    let layouts: Vec<Layout> = df
        .columns()
        .iter()
        .map(|c| layout(c.name(), c.dtype()))
        .collect();
    let chunked = polars::frame::chunk_df_for_writing(df, ROW_GROUP_ROWS)?;
    let arrow_schema = chunked.schema().to_arrow(CompatLevel::newest());
    let parquet_schema = to_parquet_schema(&arrow_schema)?;
    let fields = parquet_schema.fields().to_vec();
    let mut writer = FileWriter::new_with_parquet_schema(
        BufWriter::with_capacity(1 << 20, file),
        arrow_schema,
        parquet_schema,
        options(),
    );
    for batch in chunked.iter_chunks(CompatLevel::newest(), false) {
        if batch.is_empty() {
            continue;
        }
        let rows = batch.len() as u64;
        // Per column, per Parquet leaf: its pages, encoded and compressed.
        let columns: Vec<Vec<Vec<CompressedPage>>> = polars_core::runtime::RAYON.install(|| {
            batch
                .columns()
                .par_iter()
                .zip(&fields)
                .zip(&layouts)
                .map(|((array, type_), layout)| encode_column(array, type_, *layout))
                .collect::<PolarsResult<_>>()
        })?;
        let leaves = columns.iter().flatten().map(|pages| {
            Ok(DynStreamingIterator::new(
                fallible_streaming_iterator::convert(pages.iter().map(PolarsResult::Ok)),
            ))
        });
        writer.write(rows, DynIter::new(leaves))?;
    }
    writer.end(None)?;
    Ok(())
}

fn encode_column(
    array: &ArrayRef,
    type_: &polars_parquet::write::ParquetType,
    layout: Layout,
) -> PolarsResult<Vec<Vec<CompressedPage>>> {
    let mut encodings = polars_parquet::write::get_dtype_encoding(array.dtype());
    let compression = match layout {
        Layout::Default => options().compression,
        Layout::PlainRaw => {
            encodings.fill(Encoding::Plain);
            CompressionOptions::Uncompressed
        }
    };
    array_to_columns(array, type_.clone(), options(), &encodings)?
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
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part.parquet");
        write(&path, &mut df).unwrap();

        let back = ParquetReader::new(File::open(&path).unwrap())
            .finish()
            .unwrap();
        assert!(back.equals_missing(&df), "{back}\n{df}");

        let meta = polars_parquet::read::read_metadata(&mut File::open(&path).unwrap()).unwrap();
        // Split as polars splits: whole row groups of at least ROW_GROUP_ROWS.
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
}
