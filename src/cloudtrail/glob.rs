//! One glob matcher for every pattern the tool reads: IAM `Action`
//! elements in policies, the destructive catalog's action patterns, and the
//! role, session, user and marker patterns of the settings and the agent
//! marker catalog.
//!
//! A `*` in the pattern matches any run of the text (also none, and across
//! any character, `:` included: `*:Get*` matches `s3:GetObject`). The rest
//! is a choice of [`Rules`], because the three callers have always compared
//! differently and must go on doing so:
//!
//! | rules | case | `?` | a `*` in the text facing a `*` in the pattern |
//! |---|---|---|---|
//! | [`IAM_POLICY`] | bytes as given (callers lower-case ASCII first) | one byte | the pattern's `*` is a wildcard |
//! | [`CATALOG_ACTION`] | bytes as given (callers lower-case ASCII first) | a plain `?` | the pattern's `*` is a wildcard |
//! | [`SETTINGS`] | Unicode lower case of both sides, character by character | one character | matched as a plain character first, never revisited |
//!
//! The last column is a quirk of the old settings matcher, most likely a
//! bug, kept so that the re-layout did not change attribution: `*claude*`
//! does not match the text `claude*x` under [`SETTINGS`], because the
//! pattern's second `*` is spent on the text's `*`. Only a text holding `*`
//! can tell the difference; fixing it changes labels, so it needs a
//! `RULES_REVISION` bump.
//!
//! The algorithm backtracks only to the last `*`, so it is linear in
//! practice and never allocates for byte comparison.

/// How a pattern and a text are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub case: Case,
    /// `?` stands for one unit of the text (a byte, or a character under
    /// [`Case::UnicodeInsensitive`]); when false it is a plain `?`.
    pub question_mark: bool,
    pub star: Star,
}

/// How letters compare, and what one unit of text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Byte for byte. Callers that ignore ASCII case lower-case both sides
    /// first (IAM names are ASCII), so the hot loops allocate nothing.
    Exact,
    /// Both sides lower-cased with `char::to_lowercase` (one character may
    /// become several: `İ` is `i` and a combining dot) and compared
    /// character by character.
    UnicodeInsensitive,
}

/// What a `*` in the pattern does where the text holds a `*` too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Star {
    /// Always a wildcard.
    Wildcard,
    /// Matches the text's `*` as a plain character, and is not remembered
    /// as a place to backtrack to (the settings matcher's rule).
    LiteralFirst,
}

/// IAM policy `Action` / `NotAction` elements, as the privilege evaluator
/// matches them against lower-cased action names.
pub const IAM_POLICY: Rules = Rules {
    case: Case::Exact,
    question_mark: true,
    star: Star::Wildcard,
};

/// The destructive catalog's `prefix:Name*` patterns (which cannot hold a
/// `?`), against lower-cased action names.
pub const CATALOG_ACTION: Rules = Rules {
    case: Case::Exact,
    question_mark: false,
    star: Star::Wildcard,
};

/// `trailblame.toml` principal patterns and `catalogs/agent_markers.tsv`
/// patterns, against role, session and user names and user-agent parts.
pub const SETTINGS: Rules = Rules {
    case: Case::UnicodeInsensitive,
    question_mark: true,
    star: Star::LiteralFirst,
};

/// True when `text` matches `pattern` under `rules`.
pub fn matches(pattern: &str, text: &str, rules: &Rules) -> bool {
    let any = rules.question_mark;
    let literal_first = rules.star == Star::LiteralFirst;
    match rules.case {
        Case::Exact => run(
            pattern.as_bytes(),
            text.as_bytes(),
            b'*',
            any.then_some(b'?'),
            literal_first,
        ),
        Case::UnicodeInsensitive => {
            let p: Vec<char> = pattern.chars().flat_map(char::to_lowercase).collect();
            let t: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
            run(&p, &t, '*', any.then_some('?'), literal_first)
        }
    }
}

/// The match over units (bytes or characters): `star` any run, `any` one
/// unit; backtracks to the last star only.
fn run<T: Copy + Eq>(p: &[T], t: &[T], star: T, any: Option<T>, literal_first: bool) -> bool {
    let (mut pi, mut ti) = (0, 0);
    // The last star's place in the pattern and the text it started at.
    let mut back: Option<(usize, usize)> = None;
    while ti < t.len() {
        let here = p.get(pi).copied();
        if here == Some(star) && !(literal_first && t[ti] == star) {
            back = Some((pi, ti));
            pi += 1;
        } else if here.is_some_and(|c| c == t[ti] || Some(c) == any) {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = back {
            pi = sp + 1;
            ti = st + 1;
            back = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == star)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(pattern, text, under IAM_POLICY, CATALOG_ACTION, SETTINGS)`.
    type Case3 = (&'static str, &'static str, bool, bool, bool);

    fn check(cases: &[Case3]) {
        for &(p, t, iam, catalog, settings) in cases {
            let got = (
                matches(p, t, &IAM_POLICY),
                matches(p, t, &CATALOG_ACTION),
                matches(p, t, &SETTINGS),
            );
            assert_eq!(got, (iam, catalog, settings), "{p:?} against {t:?}");
        }
    }

    #[test]
    fn star_is_any_run_also_none_and_across_the_colon() {
        check(&[
            ("ec2:delete*", "ec2:deletevpc", true, true, true),
            ("ec2:delete*", "ec2:delete", true, true, true),
            (
                "ec2:delete*table",
                "ec2:deletetransitgatewayroutetable",
                true,
                true,
                true,
            ),
            (
                "ec2:delete*table",
                "ec2:deleteroutetablex",
                false,
                false,
                false,
            ),
            ("*:get*", "s3:getobject", true, true, true),
            ("**", "x", true, true, true),
            ("", "x", false, false, false),
            (
                "s3:deletebucket",
                "s3:deletebucketpolicy",
                false,
                false,
                false,
            ),
        ]);
    }

    #[test]
    fn exact_rules_compare_bytes_and_the_settings_fold_unicode_case() {
        check(&[
            ("s3:Get*", "s3:getobject", false, false, true),
            ("ÉQUIPE-*", "équipe-ci", false, false, true),
            ("é", "É", false, false, true),
            // One character lower-cases to two under Unicode rules.
            ("i??", "İx", false, false, true),
        ]);
    }

    #[test]
    fn question_mark_is_one_byte_one_character_or_plain() {
        check(&[
            ("s?:getobject", "s3:getobject", true, false, true),
            ("s3:getobjec?", "s3:getobjec", false, false, false),
            ("??", "é", true, false, false),
            ("a?c", "a?c", true, true, true),
        ]);
    }

    #[test]
    fn a_star_in_the_text_is_literal_first_only_under_the_settings() {
        check(&[
            ("*claude*", "claude*x", true, true, false),
            ("*claude*", "x*claude", true, true, true),
            ("a*", "a*", true, true, true),
            ("*a", "*ba", true, true, false),
        ]);
    }

    /// Moved from `attribution/config.rs` with the matcher it tested.
    #[test]
    fn globs() {
        let glob_match = |p, t| matches(p, t, &SETTINGS);
        assert!(glob_match("github-actions*", "GitHub-Actions-Deploy"));
        assert!(glob_match("*-agent-*", "ops-agent-1"));
        assert!(!glob_match("*-agent-*", "agent-1"));
        assert!(glob_match("a?c", "abc"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("ci-*", "deploy-ci"));
        assert!(glob_match("*x*y", "axbxcy"));
    }
}
