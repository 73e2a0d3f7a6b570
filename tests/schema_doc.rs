//! SCHEMA.md is generated from src/schema.rs; this keeps them in step.

mod common;

#[test]
fn schema_md_matches_the_code() {
    let r = common::run(&["schema"]);
    assert_eq!(r.code, 0);
    let file = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/SCHEMA.md")).unwrap();
    assert!(
        file == r.stdout,
        "SCHEMA.md is stale: run `cargo run -- schema > SCHEMA.md`"
    );
}
