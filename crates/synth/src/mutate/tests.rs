use super::*;

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn mutator(seed: u64) -> Mutator {
    Mutator::new(seeds(&fixtures()).unwrap(), seed, Profile::ci())
}

#[test]
fn the_same_seed_gives_the_same_cases_and_another_seed_others() {
    let a = mutator(7);
    let b = mutator(7);
    let c = mutator(8);
    let mut differ = 0;
    for n in 0..60 {
        let (x, y, z) = (a.case(n), b.case(n), c.case(n));
        assert_eq!(x.bytes, y.bytes, "case {n}");
        assert_eq!(x.steps, y.steps, "case {n}");
        differ += usize::from(x.bytes != z.bytes);
    }
    assert!(differ > 50, "{differ}");
}

#[test]
fn every_format_gets_cases_in_turn_and_the_fixtures_cover_the_formats() {
    let m = mutator(1);
    let f = m.formats();
    for want in [
        "cloudtrail",
        "cloudtrail-s3",
        "cloudtrail-gzip",
        "cloudtrail-bad",
        "cloudtrail-lenient",
        "ocsf-parquet",
        "ocsf-source",
        "iam",
        "transcript:claude-code",
        "transcript:claude-hooks",
        "transcript:codex",
        "transcript:gemini",
        "transcript:aider",
        "transcript:amazon-q",
        "transcript:copilot",
        "transcript:kiro",
        "transcript:otel",
    ] {
        assert!(f.iter().any(|x| x == want), "{want} missing from {f:?}");
    }
    for n in 0..f.len() as u64 * 2 {
        assert_eq!(m.case(n).format, f[(n % f.len() as u64) as usize]);
    }
    assert!(m.seeds().iter().all(|s| !s.rel_path.ends_with(".py")));
}

#[test]
fn every_mutation_and_encoding_is_drawn_and_changes_the_content() {
    let m = mutator(3);
    let seed = "cloudtrail/records.jsonl";
    let original = &m.seeds().iter().find(|s| s.rel_path == seed).unwrap().bytes;
    for (i, (op, _)) in Op::ALL.iter().enumerate() {
        let c = m.chosen(i as u64, seed, &[*op], Encoding::Plain).unwrap();
        // A swap may draw the same line twice; every other op must change.
        if *op != Op::SwapLines {
            assert_ne!(&c.bytes, original, "{op:?}: {:?}", c.steps);
        }
    }
    let mut drawn = std::collections::BTreeSet::new();
    for n in 0..2000 {
        for s in m.case(n).steps {
            drawn.insert(s.split([' ', ':']).next().unwrap().to_string());
        }
    }
    for word in [
        "bits",
        "bytes",
        "truncate",
        "splice",
        "concatenate",
        "lines",
        "wrong",
        "member",
        "invalid",
        "escape",
        "hostile",
        "gzip",
        "plain",
    ] {
        assert!(drawn.contains(word), "{word} never drawn: {drawn:?}");
    }
}

#[test]
fn deep_nesting_reaches_the_profile_depth() {
    let m = mutator(4);
    let c = m
        .chosen(
            0,
            "cloudtrail/records.jsonl",
            &[Op::DeepNesting],
            Encoding::Plain,
        )
        .unwrap();
    let opens = c
        .bytes
        .iter()
        .filter(|b| **b == b'[' || **b == b'{')
        .count();
    assert!(opens >= 100_000, "{opens}: {:?}", c.steps);
}

#[test]
fn a_huge_string_has_its_size_and_replaces_a_string_value() {
    let m = mutator(5);
    let seed = "cloudtrail/single-record.json";
    let before = m
        .seeds()
        .iter()
        .find(|s| s.rel_path == seed)
        .unwrap()
        .bytes
        .len();
    let c = m.huge_field(0, seed, "userAgent", 300 << 10).unwrap();
    assert!(c.bytes.len() > before + (290 << 10), "{}", c.bytes.len());
    assert_eq!(c.steps[1], "userAgent given a 307200-byte string");
    assert!(m.huge_field(0, seed, "noSuchKey", 10).is_none());
    let mut rng = Rng::new(1);
    let mut b = br#"{"userAgent": "x", "n": 1}"#.to_vec();
    let did = ops::huge_string(&mut b, &mut rng, 1000);
    assert!(did.starts_with("1000-byte string as userAgent"), "{did}");
    assert!(b.len() > 1000);
}

#[test]
fn gzip_variants_inflate_to_what_they_hold() {
    let m = mutator(6);
    let seed = "cloudtrail/records.jsonl";
    let original = m
        .seeds()
        .iter()
        .find(|s| s.rel_path == seed)
        .unwrap()
        .bytes
        .clone();
    for enc in [Encoding::Gzip, Encoding::GzipMembers] {
        let c = m.chosen(0, seed, &[], enc).unwrap();
        assert!(is_gzip(&c.bytes));
        assert_eq!(gunzip(&c.bytes), original, "{enc:?}");
    }
    let twice = m.chosen(0, seed, &[], Encoding::GzipTwice).unwrap();
    assert_eq!(gunzip(&gunzip(&twice.bytes)), original);
    let cut = m.chosen(1, seed, &[], Encoding::GzipTruncated).unwrap();
    assert!(original.starts_with(&gunzip(&cut.bytes)));
    let bomb = Mutator::new(
        m.seeds().to_vec(),
        1,
        Profile {
            gzip_bomb_bytes: 4 << 20,
            ..Profile::ci()
        },
    )
    .chosen(0, seed, &[], Encoding::GzipBomb)
    .unwrap();
    assert!(bomb.bytes.len() < 64 << 10, "{}", bomb.bytes.len());
    assert_eq!(gunzip(&bomb.bytes).len(), original.len() + (4 << 20));
}
