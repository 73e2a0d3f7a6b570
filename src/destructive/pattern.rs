//! IAM-style action patterns: `prefix:Name` where the name may hold `*`
//! (any run of characters, possibly empty). Matching ignores ASCII case, as
//! IAM does (`s3:deletebucket` and `s3:DeleteBucket` are the same action).

use crate::cloudtrail::glob;

/// A checked `prefix:Name` pattern, stored lower-cased for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPattern {
    lower: String,
    literal_len: usize,
}

impl ActionPattern {
    /// Checks the shape: a non-empty lower-case service prefix without
    /// wildcards, a colon, and a non-empty name of letters, digits, `_`, `-`
    /// and `*` (`s3:*` is allowed here; the destructive catalog refuses it).
    pub fn parse(text: &str) -> Result<ActionPattern, String> {
        let (prefix, name) = text
            .split_once(':')
            .ok_or_else(|| format!("{text:?} is not prefix:Action"))?;
        if prefix.is_empty()
            || !prefix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(format!(
                "service prefix {prefix:?} must be lower-case letters, digits and '-' (no wildcard)"
            ));
        }
        if !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'*'))
        {
            return Err(format!(
                "action name {name:?} has characters IAM does not use"
            ));
        }
        if name.is_empty() {
            return Err(format!("{text:?} has no action name"));
        }
        let literal_len = name.bytes().filter(|b| *b != b'*').count();
        Ok(ActionPattern {
            lower: text.to_ascii_lowercase(),
            literal_len,
        })
    }

    pub fn is_glob(&self) -> bool {
        self.lower.contains('*')
    }

    /// The pattern in lower case (the key for exact patterns).
    pub fn lower(&self) -> &str {
        &self.lower
    }

    /// Characters that are not `*`: a longer literal is a more specific glob.
    pub fn literal_len(&self) -> usize {
        self.literal_len
    }

    /// True when `action_lower` (already lower-cased) matches.
    pub fn matches_lower(&self, action_lower: &str) -> bool {
        glob::matches(&self.lower, action_lower, &glob::CATALOG_ACTION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, a: &str) -> bool {
        ActionPattern::parse(p)
            .unwrap()
            .matches_lower(&a.to_ascii_lowercase())
    }

    #[test]
    fn globs_match_like_iam() {
        assert!(m("ec2:Delete*", "ec2:DeleteVpc"));
        assert!(m("ec2:Delete*", "ec2:Delete"));
        assert!(!m("ec2:Delete*", "ec2:CreateVpc"));
        assert!(!m("ec2:Delete*", "rds:DeleteDBInstance"));
        assert!(m("ec2:Delete*Table", "ec2:DeleteRouteTable"));
        assert!(m("ec2:Delete*Table", "ec2:DeleteTransitGatewayRouteTable"));
        assert!(!m("ec2:Delete*Table", "ec2:DeleteRouteTableX"));
        assert!(m("s3:*Object*", "s3:DeleteObjectVersion"));
        assert!(m("guardduty:*", "guardduty:DeleteDetector"));
        // case-insensitive, as IAM
        assert!(m("s3:deletebucket", "S3:DELETEBUCKET"));
        assert!(m("s3:Delete*", "s3:deletebucket"));
        // exact patterns match only themselves
        assert!(m("s3:DeleteBucket", "s3:DeleteBucket"));
        assert!(!m("s3:DeleteBucket", "s3:DeleteBucketPolicy"));
    }

    #[test]
    fn pattern_shape_is_checked() {
        assert!(ActionPattern::parse("s3DeleteBucket").is_err());
        assert!(ActionPattern::parse("*:DeleteBucket").is_err());
        assert!(ActionPattern::parse("S3:DeleteBucket").is_err());
        assert!(ActionPattern::parse("s3:").is_err());
        assert_eq!(ActionPattern::parse("s3:*").unwrap().literal_len(), 0);
        assert!(ActionPattern::parse("s3:Delete Bucket").is_err());
        assert!(ActionPattern::parse(":Delete").is_err());
        let p = ActionPattern::parse("ec2:Delete*Table").unwrap();
        assert!(p.is_glob());
        assert_eq!(p.literal_len(), "DeleteTable".len());
        assert!(!ActionPattern::parse("ec2:DeleteVpc").unwrap().is_glob());
    }
}
