//! The hard size limits that bound a run's memory whatever the input
//! (issue 23): how many bytes of one file are read (decompressed, or plain),
//! how long one record and one field may be. They are settings
//! (`[ingest]` in `trailblame.toml`, overridable by options); the defaults
//! keep a run under about 1 GiB. What goes over a limit is never dropped
//! silently: an over-limit record is quarantined with the limit named, an
//! over-limit file is read up to the limit, the rest reported on the file
//! and counted in `Accounting::files_over_limit`.

use serde::Deserialize;

/// `[ingest]`: the size limits.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Bytes of one file read into memory: its decompressed size for gzip,
    /// its size for a plain file.
    pub max_file_bytes: u64,
    /// Bytes of one record's JSON text.
    pub max_record_bytes: u64,
    /// Bytes of one field's value (a user agent, request parameters).
    pub max_field_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 128 << 20,
            max_record_bytes: 1 << 20,
            max_field_bytes: 256 << 10,
        }
    }
}

impl Limits {
    /// Checks the limits make sense; `source` names where they came from.
    pub fn check(&self, source: &str) -> anyhow::Result<()> {
        for (name, v) in [
            ("max_file_bytes", self.max_file_bytes),
            ("max_record_bytes", self.max_record_bytes),
            ("max_field_bytes", self.max_field_bytes),
        ] {
            if v == 0 {
                anyhow::bail!("{source}: ingest.{name} must be above 0");
            }
        }
        Ok(())
    }
}

/// Bytes as people read them: `128 MiB`, `300 KiB`, `17 bytes`.
pub fn human_bytes(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(128 << 20), "128 MiB");
        assert_eq!(human_bytes(256 << 10), "256 KiB");
        assert_eq!(human_bytes(1000), "1000 bytes");
        assert!(Limits::default().check("x").is_ok());
        let zero = Limits {
            max_field_bytes: 0,
            ..Limits::default()
        };
        assert!(
            zero.check("x")
                .unwrap_err()
                .to_string()
                .contains("max_field_bytes")
        );
    }
}
