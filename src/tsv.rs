//! Tab-separated lines, as the embedded catalogs hold them.

/// The `N` tab-separated fields of `line`, or how many it has when that is
/// not `N`. Nothing is allocated: every command reads the catalogs' 40,000
/// lines before it starts.
pub fn fields<const N: usize>(line: &str) -> Result<[&str; N], usize> {
    let mut out = [""; N];
    let mut n = 0;
    let mut start = 0;
    // One pass over the bytes: the fields are short, and a search per field
    // cost more than the fields. A tab is ASCII, so every cut is at a
    // character boundary.
    for (i, &b) in line.as_bytes().iter().enumerate() {
        if b == b'\t' {
            if let Some(slot) = out.get_mut(n) {
                *slot = &line[start..i];
            }
            n += 1;
            start = i + 1;
        }
    }
    if let Some(slot) = out.get_mut(n) {
        *slot = &line[start..];
    }
    n += 1;
    if n == N { Ok(out) } else { Err(n) }
}

/// The text of a gzip member (`bytes`), room made once from the size its
/// trailer gives. The size is only a hint, checked by the decoder at the
/// end, so the room made is capped at 16 times the member (the catalogs
/// inflate about tenfold).
pub fn inflate(bytes: &[u8]) -> std::io::Result<String> {
    use std::io::Read;
    let size = bytes
        .len()
        .checked_sub(4)
        .and_then(|at| bytes.get(at..))
        .and_then(|t| <[u8; 4]>::try_from(t).ok())
        .map_or(0, u32::from_le_bytes);
    let mut text = String::with_capacity((size as usize).min(bytes.len().saturating_mul(16)));
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::fields;

    #[test]
    fn exactly_n_fields_or_how_many_there_are() {
        assert_eq!(fields::<3>("a\tb\tc"), Ok(["a", "b", "c"]));
        assert_eq!(fields::<3>("a\t\t"), Ok(["a", "", ""]));
        assert_eq!(fields::<3>("a\tb"), Err(2));
        assert_eq!(fields::<3>("a"), Err(1));
        assert_eq!(fields::<3>("a\tb\tc\td\te"), Err(5));
        assert_eq!(fields::<1>(""), Ok([""]));
        assert_eq!(fields::<2>("é\tü"), Ok(["é", "ü"]));
    }

    #[test]
    fn a_member_inflates_whole_a_false_size_or_a_cut_is_an_error() {
        use std::io::Write;
        let text = "line\tone\n".repeat(1000);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text.as_bytes()).unwrap();
        let mut bytes = gz.finish().unwrap();
        assert_eq!(super::inflate(&bytes).unwrap(), text);
        // A trailer whose size is false: the decoder checks it.
        let at = bytes.len() - 4;
        bytes[at..].copy_from_slice(&7u32.to_le_bytes());
        assert!(
            super::inflate(&bytes).is_err(),
            "the size is checked by the decoder"
        );
        let cut = &bytes[..bytes.len() / 2];
        assert!(
            super::inflate(cut).is_err(),
            "a member cut short is an error"
        );
    }
}
