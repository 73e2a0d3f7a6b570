//! DynamoDB, RDS, Route 53, Bedrock and Amazon Q shapes. DynamoDB data
//! events hide key values (`HIDDEN_DUE_TO_SECURITY_REASONS`) and carry an
//! `apiVersion`; Amazon Q hides prompts.

use crate::corpus::events::parts::Ev;
use crate::corpus::events::platform::HIDDEN;
use crate::json::{Obj, civil, java_time};

fn table_resource(ev: &mut Ev<'_>, table: &str) {
    let arn = ev.arn("dynamodb", &format!("table/{table}"));
    ev.resource("AWS::DynamoDB::Table", &arn);
    ev.out.api_version = Some("2012-08-10");
}

pub(super) fn table_only(ev: &mut Ev<'_>) {
    let t = ev.table();
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("tableName", t);
        o.end();
    }
    table_resource(ev, t);
}

pub(super) fn get_item(ev: &mut Ev<'_>) {
    let t = ev.table();
    let consistent = ev.rng.chance(0.2);
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("tableName", t);
        o.obj("key").str("pk", HIDDEN).str("sk", HIDDEN).end();
        o.bool("consistentRead", consistent);
        o.end();
    }
    table_resource(ev, t);
}

pub(super) fn query(ev: &mut Ev<'_>) {
    let t = ev.table();
    let index = ev.rng.chance(0.4);
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("tableName", t);
        if index {
            o.str("indexName", "gsi1");
        }
        o.str(
            "keyConditionExpression",
            "#pk = :pk AND begins_with(#sk, :prefix)",
        );
        o.obj("expressionAttributeNames")
            .str("#pk", "pk")
            .str("#sk", "sk")
            .end();
        o.obj("expressionAttributeValues")
            .str(":pk", HIDDEN)
            .str(":prefix", HIDDEN)
            .end();
        o.num("limit", 100);
        o.end();
    }
    table_resource(ev, t);
}

pub(super) fn put_item(ev: &mut Ev<'_>) {
    let t = ev.table();
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("tableName", t);
        o.obj("key").str("pk", HIDDEN).str("sk", HIDDEN).end();
        o.str_list("item", &["pk", "sk", "status", "updatedAt", "ttl"]);
        o.end();
    }
    table_resource(ev, t);
}

pub(super) fn describe_db_instances(ev: &mut Ev<'_>) {
    let db = ev.database();
    let by_id = ev.rng.chance(0.6);
    let mut o = Obj::new(&mut ev.out.req);
    if by_id {
        o.str("dBInstanceIdentifier", db);
    }
    o.end();
}

pub(super) fn create_db_snapshot(ev: &mut Ev<'_>) {
    let db = ev.database();
    let c = civil(ev.t);
    let snap = format!(
        "{db}-manual-{:04}{:02}{:02}-{:02}{:02}",
        c.year, c.month, c.day, c.hour, c.minute
    );
    let az = ev.az();
    let vpc = ev.vpc();
    let key = ev.kms_key();
    let key_arn = ev.arn("kms", &format!("key/{key}"));
    let snap_arn = ev.arn("rds", &format!("snapshot:{snap}"));
    let resource_id = format!("db-{}", ev.rng.upper_alnum(26));
    let created = java_time(ev.t - 86_400 * ev.rng.range(30, 700) as i64, true);
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("dBSnapshotIdentifier", &snap)
            .str("dBInstanceIdentifier", db);
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.resp);
    o.str("dBSnapshotIdentifier", &snap)
        .str("dBInstanceIdentifier", db)
        .str("engine", "postgres")
        .num("allocatedStorage", 100)
        .str("status", "creating")
        .num("port", 5432)
        .str("availabilityZone", &az)
        .str("vpcId", vpc)
        .str("instanceCreateTime", &created)
        .str("masterUsername", "postgres")
        .str("engineVersion", "16.4")
        .str("licenseModel", "postgresql-license")
        .str("snapshotType", "manual")
        .num("percentProgress", 0)
        .str("storageType", "gp3")
        .bool("encrypted", true)
        .str("kmsKeyId", &key_arn)
        .str("dBSnapshotArn", &snap_arn)
        .bool("iAMDatabaseAuthenticationEnabled", false)
        .empty("processorFeatures")
        .str("dbiResourceId", &resource_id)
        .str("snapshotTarget", "region");
    o.end();
}

pub(super) fn change_record_sets(ev: &mut Ev<'_>) {
    let zone = ev.hosted_zone();
    let name = format!(
        "{}.{}.{}.",
        ev.rng.pick(&["api", "www", "orders", "status"]),
        ev.acct.env,
        ev.world.domain
    );
    let change = format!("C0{}", ev.rng.upper_alnum(19));
    let ip = format!(
        "10.{}.{}.{}",
        ev.rng.below(4),
        ev.rng.below(256),
        1 + ev.rng.below(254)
    );
    let t = ev.t;
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("hostedZoneId", zone);
        let mut cb = o.obj("changeBatch");
        let mut cs = cb.arr("changes");
        let mut c = cs.obj();
        c.str("action", "UPSERT");
        {
            let mut rrs = c.obj("resourceRecordSet");
            rrs.str("name", &name).str("type", "A").num("tTL", 60);
            let mut rr = rrs.arr("resourceRecords");
            rr.obj().str("value", &ip).end();
            rr.end();
            rrs.end();
        }
        c.end();
        cs.end();
        cb.end();
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.resp);
    o.obj("changeInfo")
        .str("id", &format!("/change/{change}"))
        .str("status", "PENDING")
        .str("submittedAt", &java_time(t, true))
        .end();
    o.end();
}

pub(super) fn get_change(ev: &mut Ev<'_>) {
    let change = format!("C0{}", ev.rng.upper_alnum(19));
    let mut o = Obj::new(&mut ev.out.req);
    o.str("id", &change);
    o.end();
}

pub(super) fn invoke_model(ev: &mut Ev<'_>) {
    let model = *ev.rng.pick(&[
        "anthropic.claude-3-5-sonnet-20241022-v2:0",
        "anthropic.claude-3-haiku-20240307-v1:0",
        "amazon.titan-embed-text-v2:0",
        "us.anthropic.claude-sonnet-4-20250514-v1:0",
    ]);
    let mut o = Obj::new(&mut ev.out.req);
    o.str("modelId", model);
    o.end();
    ev.out.host = format!("bedrock-runtime.{}.amazonaws.com", ev.region);
}

pub(super) fn q_conversation(ev: &mut Ev<'_>) {
    let id = ev.rng.uuid();
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("source", "CONSOLE");
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.resp);
    o.str("conversationId", &id)
        .str("conversationToken", "Value hidden due to security reasons.");
    o.end();
}

pub(super) fn q_message(ev: &mut Ev<'_>) {
    let id = ev.rng.uuid();
    let utterance = ev.rng.uuid();
    let mut o = Obj::new(&mut ev.out.req);
    o.str("conversationId", &id)
        .str("conversationToken", "Value hidden due to security reasons.")
        .str("utterance", "Value hidden due to security reasons.")
        .str("source", "CONSOLE")
        .str("utteranceId", &utterance);
    o.end();
}

pub(super) fn codewhisperer(ev: &mut Ev<'_>) {
    let lang = *ev.rng.pick(&["python", "typescript", "java", "go"]);
    let profile = format!(
        "arn:aws:codewhisperer:us-east-1:{}:profile/{}",
        ev.acct.id,
        ev.rng.upper_alnum(12)
    );
    let mut o = Obj::new(&mut ev.out.req);
    {
        let mut fc = o.obj("fileContext");
        fc.str("filename", HIDDEN);
        fc.obj("programmingLanguage")
            .str("languageName", lang)
            .end();
        fc.end();
    }
    o.num("maxResults", 1).str("profileArn", &profile);
    o.end();
}
