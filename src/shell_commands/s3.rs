//! `aws s3 ...`: the high-level S3 commands and the API calls each fans out to.
//!
//! These commands are awscli code, not API operations, so the catalog cannot
//! answer for them. The fan-out follows `awscli/customizations/s3/`
//! (subcommands.py, filegenerator.py, s3handler.py):
//! - a single remote object is probed with HeadObject before a download or
//!   copy (not before a delete); `--recursive` and `sync` list with
//!   ListObjectsV2 instead;
//! - deletes are one DeleteObject per key (rb --force runs rm --recursive);
//! - uploads are PutObject, or CreateMultipartUpload/UploadPart/
//!   CompleteMultipartUpload above the multipart threshold (size unknown
//!   here, so all are listed).
//!
//! Object-level calls are CloudTrail *data* events: absent unless the trail
//! selects them.

use super::aws_cli::{CliArgs, Resolved};

const S3: &str = "s3.amazonaws.com";

/// The `aws s3` subcommands.
pub const HIGH_LEVEL: &[&str] = &[
    "ls", "cp", "mv", "rm", "sync", "mb", "rb", "presign", "website",
];

/// Boolean options of the s3 commands (all other options take a value).
const FLAGS: &[&str] = &[
    "--recursive",
    "--force",
    "--dryrun",
    "--quiet",
    "--only-show-errors",
    "--no-progress",
    "--follow-symlinks",
    "--no-follow-symlinks",
    "--no-guess-mime-type",
    "--delete",
    "--exact-timestamps",
    "--size-only",
    "--human-readable",
    "--summarize",
    "--sse",
    "--request-payer",
    "--no-overwrite",
    "--ignore-glacier-warnings",
    "--force-glacier-transfer",
];

pub fn is_high_level(cmd: &str) -> bool {
    HIGH_LEVEL.contains(&cmd)
}

pub fn is_flag(option: &str) -> bool {
    FLAGS.contains(&option)
}

/// `--sse` and `--request-payer` may be followed by a value or not.
pub fn is_optional_value(option: &str, next: &str) -> bool {
    match option {
        "--sse" => matches!(next, "AES256" | "aws:kms" | "aws:kms:dsse"),
        "--request-payer" => next == "requester",
        _ => false,
    }
}

fn is_s3(path: &str) -> bool {
    path.starts_with("s3://") || path.starts_with("S3://")
}

const UPLOAD: &[(&str, &str)] = &[
    (S3, "PutObject"),
    (S3, "CreateMultipartUpload"),
    (S3, "UploadPart"),
    (S3, "CompleteMultipartUpload"),
];

/// Calls made by `aws s3 <cmd> <paths...>`; None for an unknown subcommand.
pub fn resolve(cmd: &str, paths: &[String], a: &CliArgs) -> Option<Resolved> {
    let recursive = a.has("--recursive");
    let dry = a.dry_run;
    let mut ops: Vec<(&str, &str)> = Vec::new();
    let mut destructive = false;
    match cmd {
        "ls" => match paths.first().map(String::as_str) {
            None | Some("s3://") => ops.push((S3, "ListBuckets")),
            Some(_) => ops.push((S3, "ListObjectsV2")),
        },
        "mb" => ops.push((S3, "CreateBucket")),
        "rb" => {
            if a.has("--force") {
                ops.push((S3, "ListObjectsV2"));
                if !dry {
                    ops.push((S3, "DeleteObject"));
                }
            }
            ops.push((S3, "DeleteBucket"));
            destructive = true;
        }
        "rm" => {
            if recursive {
                ops.push((S3, "ListObjectsV2"));
            }
            if !dry {
                ops.push((S3, "DeleteObject"));
            }
            destructive = true;
        }
        "cp" | "mv" => {
            let (Some(src), Some(dst)) = (paths.first(), paths.get(1)) else {
                return Some(Resolved::known(&[]));
            };
            let (src_s3, dst_s3) = (is_s3(src), is_s3(dst));
            if src_s3 {
                ops.push((
                    S3,
                    if recursive {
                        "ListObjectsV2"
                    } else {
                        "HeadObject"
                    },
                ));
            }
            if !dry {
                transfer(&mut ops, src_s3, dst_s3);
                if cmd == "mv" && src_s3 {
                    ops.push((S3, "DeleteObject"));
                }
            }
        }
        "sync" => {
            let (Some(src), Some(dst)) = (paths.first(), paths.get(1)) else {
                return Some(Resolved::known(&[]));
            };
            let (src_s3, dst_s3) = (is_s3(src), is_s3(dst));
            if src_s3 || dst_s3 {
                ops.push((S3, "ListObjectsV2"));
            }
            if !dry {
                transfer(&mut ops, src_s3, dst_s3);
                if a.has("--delete") && dst_s3 {
                    ops.push((S3, "DeleteObject"));
                }
            }
            destructive = a.has("--delete");
        }
        // Signed locally, nothing sent.
        "presign" => {}
        "website" => ops.push((S3, "PutBucketWebsite")),
        _ => return None,
    }
    let mut r = Resolved::known(&ops);
    // rm/rb of a single key without --recursive is still destructive, but an
    // s3 → s3 mv's DeleteObject is a move, not a loss.
    r.destructive = destructive;
    Some(r)
}

fn transfer(ops: &mut Vec<(&str, &str)>, src_s3: bool, dst_s3: bool) {
    match (src_s3, dst_s3) {
        (true, true) => ops.push((S3, "CopyObject")),
        (true, false) => ops.push((S3, "GetObject")),
        (false, true) => ops.extend_from_slice(UPLOAD),
        (false, false) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::aws_cli::{Site, analyse_cli};
    use super::super::{AwsInvocation, Operation};

    fn s3(cmd: &str) -> AwsInvocation {
        let words: Vec<String> = cmd.split_whitespace().map(str::to_string).collect();
        analyse_cli(
            "aws",
            &words[1..],
            &Site {
                raw: cmd,
                ..Default::default()
            },
        )
    }

    fn names(inv: &AwsInvocation) -> Vec<&str> {
        assert!(
            inv.operations
                .iter()
                .all(|o| o.event_source == "s3.amazonaws.com")
        );
        inv.operations
            .iter()
            .map(|o| o.event_name.as_str())
            .collect()
    }

    #[test]
    fn ls_lists_buckets_or_objects() {
        assert_eq!(names(&s3("aws s3 ls")), ["ListBuckets"]);
        assert_eq!(
            names(&s3(
                "aws s3 ls s3://b/prefix/ --recursive --human-readable --summarize"
            )),
            ["ListObjectsV2"]
        );
        assert_eq!(s3("aws s3 ls").cli_command.as_deref(), Some("s3.ls"));
    }

    #[test]
    fn mb_rb_rm() {
        assert_eq!(names(&s3("aws s3 mb s3://b")), ["CreateBucket"]);
        let rb = s3("aws s3 rb s3://b");
        assert_eq!(names(&rb), ["DeleteBucket"]);
        assert!(rb.destructive_hint);
        let rb = s3("aws s3 rb s3://b --force");
        assert_eq!(
            names(&rb),
            ["ListObjectsV2", "DeleteObject", "DeleteBucket"]
        );
        assert_eq!(rb.cli_command.as_deref(), Some("s3.rb"));
        assert!(rb.destructive_hint && rb.operations_known);
        assert_eq!(names(&s3("aws s3 rm s3://b/k")), ["DeleteObject"]);
        let rm = s3("aws s3 rm s3://b/ --recursive --exclude * --include *.log");
        assert_eq!(names(&rm), ["ListObjectsV2", "DeleteObject"]);
        assert!(rm.destructive_hint);
    }

    #[test]
    fn cp_by_direction() {
        assert_eq!(
            names(&s3("aws s3 cp ./a.txt s3://b/a.txt --sse --acl private")),
            [
                "PutObject",
                "CreateMultipartUpload",
                "UploadPart",
                "CompleteMultipartUpload"
            ]
        );
        assert_eq!(
            names(&s3("aws s3 cp s3://b/a.txt .")),
            ["HeadObject", "GetObject"]
        );
        assert_eq!(
            names(&s3("aws s3 cp s3://b/a.txt -")),
            ["HeadObject", "GetObject"]
        );
        assert_eq!(
            names(&s3("aws s3 cp s3://b/ s3://c/ --recursive")),
            ["ListObjectsV2", "CopyObject"]
        );
        assert_eq!(
            names(&s3("aws s3 cp --recursive ./dir s3://b/dir")).len(),
            4
        );
        assert!(!s3("aws s3 cp s3://b/a.txt .").destructive_hint);
    }

    #[test]
    fn mv_deletes_the_source_object() {
        assert_eq!(
            names(&s3("aws s3 mv s3://b/a s3://b/c")),
            ["HeadObject", "CopyObject", "DeleteObject"]
        );
        assert_eq!(
            names(&s3("aws s3 mv s3://b/a ./a")),
            ["HeadObject", "GetObject", "DeleteObject"]
        );
        assert!(!names(&s3("aws s3 mv ./a s3://b/a")).contains(&"DeleteObject"));
    }

    #[test]
    fn sync_lists_and_optionally_deletes() {
        let s = s3("aws s3 sync ./site s3://b --delete --exclude .git/*");
        assert_eq!(
            names(&s),
            [
                "ListObjectsV2",
                "PutObject",
                "CreateMultipartUpload",
                "UploadPart",
                "CompleteMultipartUpload",
                "DeleteObject"
            ]
        );
        assert!(s.destructive_hint);
        let s = s3("aws s3 sync s3://b ./local");
        assert_eq!(names(&s), ["ListObjectsV2", "GetObject"]);
        assert!(!s.destructive_hint);
    }

    #[test]
    fn dryrun_lists_but_changes_nothing() {
        let s = s3("aws s3 rm s3://b --recursive --dryrun");
        assert_eq!(names(&s), ["ListObjectsV2"]);
        assert!(s.dry_run && s.destructive_hint);
        assert_eq!(
            names(&s3("aws s3 cp a s3://b/a --dryrun")),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn presign_makes_no_call_and_unknown_subcommand_is_unknown() {
        let p = s3("aws s3 presign s3://b/k --expires-in 600");
        assert!(p.operations.is_empty() && p.operations_known);
        let u = s3("aws s3 frob s3://b");
        assert!(u.operations.is_empty() && !u.operations_known);
        assert_eq!(
            s3("aws s3 website s3://b --index-document index.html").operations,
            [Operation::new("s3.amazonaws.com", "PutBucketWebsite")]
        );
    }
}
