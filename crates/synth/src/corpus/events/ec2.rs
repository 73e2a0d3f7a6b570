//! EC2 request and response shapes: the `…Set`/`items` nesting, filter sets,
//! and the large `RunInstances` response with its `instancesSet`,
//! `blockDeviceMapping` and network interfaces.

use crate::cloudtrail::ec2_items;
use crate::corpus::events::parts::{Ev, filter_set};
use crate::json::Obj;

const INSTANCE_TYPES: &[&str] = &[
    "t3.micro",
    "t3.medium",
    "t3.large",
    "m6i.large",
    "m7g.xlarge",
    "c6i.2xlarge",
    "r6i.large",
    "g5.xlarge",
];

const TAG_KEYS: &[&str] = &["Name", "Environment", "Team", "Service", "CostCenter"];

fn private_ip(ev: &mut Ev<'_>) -> String {
    format!(
        "10.{}.{}.{}",
        ev.rng.below(4),
        ev.rng.below(256),
        1 + ev.rng.below(254)
    )
}

fn dns_name(region: &str, ip: &str) -> String {
    let host = format!("ip-{}", ip.replace('.', "-"));
    if region == "us-east-1" {
        format!("{host}.ec2.internal")
    } else {
        format!("{host}.{region}.compute.internal")
    }
}

pub(super) fn describe_instances(ev: &mut Ev<'_>) {
    let env = ev.acct.env;
    let by_id = ev.rng.chance(0.4);
    let ids: Vec<&str> = if by_id {
        (0..ev.rng.range(1, 3)).map(|_| ev.instance()).collect()
    } else {
        Vec::new()
    };
    let state = *ev.rng.pick(&["running", "running", "stopped", "pending"]);
    let tag_filter = ev.rng.chance(0.5);
    let max = ev.rng.chance(0.3);
    let mut o = Obj::new(&mut ev.out.req);
    if by_id {
        ec2_items(&mut o, "instancesSet", "instanceId", &ids);
        o.empty("filterSet");
    } else {
        o.empty("instancesSet");
        if tag_filter {
            filter_set(
                &mut o,
                &[("instance-state-name", state), ("tag:Environment", env)],
            );
        } else {
            filter_set(&mut o, &[("instance-state-name", state)]);
        }
    }
    if max {
        o.num("maxResults", 1000);
    }
    o.end();
}

pub(super) fn describe_security_groups(ev: &mut Ev<'_>) {
    let sg = ev.security_group();
    let vpc = ev.vpc();
    let by_id = ev.rng.chance(0.5);
    let mut o = Obj::new(&mut ev.out.req);
    o.empty("securityGroupSet");
    if by_id {
        ec2_items(&mut o, "securityGroupIdSet", "groupId", &[sg]);
        o.empty("filterSet");
    } else {
        o.empty("securityGroupIdSet");
        filter_set(&mut o, &[("vpc-id", vpc)]);
    }
    o.end();
}

pub(super) fn describe_vpcs(ev: &mut Ev<'_>) {
    let mut o = Obj::new(&mut ev.out.req);
    o.empty("vpcSet");
    filter_set(&mut o, &[]);
    o.end();
}

pub(super) fn describe_subnets(ev: &mut Ev<'_>) {
    let vpc = ev.vpc();
    let mut o = Obj::new(&mut ev.out.req);
    o.empty("subnetSet");
    filter_set(&mut o, &[("vpc-id", vpc)]);
    o.end();
}

pub(super) fn describe_volumes(ev: &mut Ev<'_>) {
    let inst = ev.instance();
    let mut o = Obj::new(&mut ev.out.req);
    o.empty("volumeSet");
    filter_set(&mut o, &[("attachment.instance-id", inst)]);
    o.end();
}

pub(super) fn describe_images(ev: &mut Ev<'_>) {
    let ami = ev.ami();
    let by_owner = ev.rng.chance(0.5);
    let mut o = Obj::new(&mut ev.out.req);
    o.empty("executableBySet");
    if by_owner {
        o.empty("imagesSet");
        ec2_items(&mut o, "ownersSet", "owner", &["amazon"]);
        filter_set(
            &mut o,
            &[("name", "al2023-ami-2023.*-x86_64"), ("state", "available")],
        );
    } else {
        ec2_items(&mut o, "imagesSet", "imageId", &[ami]);
        o.empty("ownersSet").empty("filterSet");
    }
    o.end();
}

pub(super) fn describe_instance_status(ev: &mut Ev<'_>) {
    let inst = ev.instance();
    let mut o = Obj::new(&mut ev.out.req);
    ec2_items(&mut o, "instancesSet", "instanceId", &[inst]);
    o.empty("filterSet").bool("includeAllInstances", true);
    o.end();
}

pub(super) fn describe_regions(ev: &mut Ev<'_>) {
    let mut o = Obj::new(&mut ev.out.req);
    o.empty("regionSet");
    o.end();
}

pub(super) fn describe_network_interfaces(ev: &mut Ev<'_>) {
    let sg = ev.security_group();
    let mut o = Obj::new(&mut ev.out.req);
    o.empty("networkInterfaceIdSet");
    filter_set(&mut o, &[("group-id", sg)]);
    o.end();
}

pub(super) fn run_instances(ev: &mut Ev<'_>) {
    let ami = ev.ami();
    let subnet = ev.subnet();
    let sg = ev.security_group();
    let vpc = ev.vpc();
    let itype = *ev.rng.pick(INSTANCE_TYPES);
    let token = ev.rng.uuid();
    let name = format!(
        "{}-{}",
        ev.rng.pick(&["web", "worker", "bastion", "batch"]),
        ev.acct.env
    );
    let profile = format!(
        "arn:aws:iam::{}:instance-profile/{}-instance-profile",
        ev.acct.id, name
    );
    let count = if ev.rng.chance(0.8) {
        1
    } else {
        ev.rng.range(2, 3)
    };
    let size = *ev.rng.pick(&[8i64, 20, 30, 50, 100]);
    {
        let mut o = Obj::new(&mut ev.out.req);
        {
            let mut set = o.obj("instancesSet");
            let mut a = set.arr("items");
            a.obj()
                .str("imageId", ami)
                .num("minCount", count as i64)
                .num("maxCount", count as i64)
                .end();
            a.end();
            set.end();
        }
        o.str("userData", "<sensitiveDataRemoved>")
            .str("instanceType", itype);
        {
            let mut bdm = o.obj("blockDeviceMapping");
            let mut a = bdm.arr("items");
            let mut item = a.obj();
            item.str("deviceName", "/dev/xvda");
            item.obj("ebs")
                .num("volumeSize", size)
                .bool("deleteOnTermination", true)
                .str("volumeType", "gp3")
                .bool("encrypted", true)
                .end();
            item.end();
            a.end();
            bdm.end();
        }
        o.obj("monitoring").bool("enabled", false).end();
        o.bool("disableApiTermination", false)
            .bool("disableApiStop", false)
            .str("clientToken", &token);
        {
            let mut nis = o.obj("networkInterfaceSet");
            let mut a = nis.arr("items");
            let mut ni = a.obj();
            ni.num("deviceIndex", 0).str("subnetId", subnet);
            ec2_items(&mut ni, "groupSet", "groupId", &[sg]);
            ni.end();
            a.end();
            nis.end();
        }
        o.obj("iamInstanceProfile").str("arn", &profile).end();
        {
            let mut ts = o.obj("tagSpecificationSet");
            let mut a = ts.arr("items");
            let mut spec = a.obj();
            spec.str("resourceType", "instance");
            let mut tags = spec.arr("tags");
            tags.obj().str("key", "Name").str("value", &name).end();
            tags.obj()
                .str("key", "Environment")
                .str("value", ev.acct.env)
                .end();
            tags.end();
            spec.end();
            a.end();
            ts.end();
        }
        o.obj("metadataOptions")
            .str("httpTokens", "required")
            .num("httpPutResponseHopLimit", 2)
            .end();
        o.end();
    }
    // Response: one reservation with `count` instances.
    let reservation = format!("r-0{}", ev.rng.hex(16));
    let request_id = ev.rng.uuid();
    let launch_ms = ev.t * 1000;
    let mut instances = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let id = format!("i-0{}", ev.rng.hex(16));
        let ip = private_ip(ev);
        let eni = format!("eni-0{}", ev.rng.hex(16));
        let mac = format!(
            "0e:{}:{}:{}:{}:{}",
            ev.rng.hex(2),
            ev.rng.hex(2),
            ev.rng.hex(2),
            ev.rng.hex(2),
            ev.rng.hex(2)
        );
        let attach = format!("eni-attach-0{}", ev.rng.hex(16));
        let az = ev.az();
        instances.push((id, ip, eni, mac, attach, az));
    }
    let region = ev.region;
    let acct = ev.acct.id.as_str();
    let mut o = Obj::new(&mut ev.out.resp);
    o.str("requestId", &request_id)
        .str("reservationId", &reservation)
        .str("ownerId", acct)
        .empty("groupSet");
    {
        let mut set = o.obj("instancesSet");
        let mut a = set.arr("items");
        for (i, (id, ip, eni, mac, attach, az)) in instances.iter().enumerate() {
            let dns = dns_name(region, ip);
            let mut it = a.obj();
            it.str("instanceId", id)
                .str("imageId", ami)
                .str("currentInstanceBootMode", "legacy-bios");
            it.obj("instanceState")
                .num("code", 0)
                .str("name", "pending")
                .end();
            it.str("privateDnsName", &dns)
                .num("amiLaunchIndex", i as i64)
                .empty("productCodes")
                .str("instanceType", itype)
                .num("launchTime", launch_ms);
            it.obj("placement")
                .str("availabilityZone", az)
                .str("tenancy", "default")
                .end();
            it.obj("monitoring").str("state", "disabled").end();
            it.str("subnetId", subnet)
                .str("vpcId", vpc)
                .str("privateIpAddress", ip);
            it.obj("stateReason")
                .str("code", "pending")
                .str("message", "pending")
                .end();
            it.str("architecture", "x86_64")
                .str("rootDeviceType", "ebs")
                .str("rootDeviceName", "/dev/xvda")
                .empty("blockDeviceMapping")
                .str("virtualizationType", "hvm")
                .str("hypervisor", "xen");
            {
                let mut tags = it.obj("tagSet");
                let mut ta = tags.arr("items");
                ta.obj().str("key", "Name").str("value", &name).end();
                ta.end();
                tags.end();
            }
            {
                let mut gs = it.obj("groupSet");
                let mut ga = gs.arr("items");
                ga.obj()
                    .str("groupId", sg)
                    .str("groupName", "default")
                    .end();
                ga.end();
                gs.end();
            }
            it.bool("sourceDestCheck", true);
            {
                let mut nis = it.obj("networkInterfaceSet");
                let mut na = nis.arr("items");
                let mut ni = na.obj();
                ni.str("networkInterfaceId", eni)
                    .str("subnetId", subnet)
                    .str("vpcId", vpc)
                    .str("ownerId", acct)
                    .str("status", "in-use")
                    .str("macAddress", mac)
                    .str("privateIpAddress", ip)
                    .str("privateDnsName", &dns)
                    .bool("sourceDestCheck", true)
                    .str("interfaceType", "interface");
                ni.obj("attachment")
                    .str("attachmentId", attach)
                    .num("deviceIndex", 0)
                    .num("networkCardIndex", 0)
                    .str("status", "attaching")
                    .num("attachTime", launch_ms)
                    .bool("deleteOnTermination", true)
                    .end();
                ni.end();
                na.end();
                nis.end();
            }
            it.bool("ebsOptimized", false).bool("enaSupport", true);
            it.obj("cpuOptions")
                .num("coreCount", 1)
                .num("threadsPerCore", 2)
                .end();
            it.obj("capacityReservationSpecification")
                .str("capacityReservationPreference", "open")
                .end();
            it.obj("enclaveOptions").bool("enabled", false).end();
            it.obj("metadataOptions")
                .str("state", "pending")
                .str("httpTokens", "required")
                .num("httpPutResponseHopLimit", 2)
                .str("httpEndpoint", "enabled")
                .str("httpProtocolIpv4", "enabled")
                .str("httpProtocolIpv6", "disabled")
                .str("instanceMetadataTags", "disabled")
                .end();
            it.obj("maintenanceOptions")
                .str("autoRecovery", "default")
                .end();
            it.obj("privateDnsNameOptions")
                .str("hostnameType", "ip-name")
                .bool("enableResourceNameDnsARecord", false)
                .bool("enableResourceNameDnsAAAARecord", false)
                .end();
            it.end();
        }
        a.end();
        set.end();
    }
    o.str("requesterId", "").end();
}

fn state_change(ev: &mut Ev<'_>, current: (i64, &str), previous: (i64, &str), force: bool) {
    let id = ev.instance();
    {
        let mut o = Obj::new(&mut ev.out.req);
        ec2_items(&mut o, "instancesSet", "instanceId", &[id]);
        if force {
            o.bool("force", false);
        }
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.resp);
    let mut set = o.obj("instancesSet");
    let mut a = set.arr("items");
    let mut it = a.obj();
    it.str("instanceId", id);
    it.obj("currentState")
        .num("code", current.0)
        .str("name", current.1)
        .end();
    it.obj("previousState")
        .num("code", previous.0)
        .str("name", previous.1)
        .end();
    it.end();
    a.end();
    set.end();
    o.end();
}

pub(super) fn terminate_instances(ev: &mut Ev<'_>) {
    state_change(ev, (32, "shutting-down"), (16, "running"), false);
}

pub(super) fn start_instances(ev: &mut Ev<'_>) {
    state_change(ev, (0, "pending"), (80, "stopped"), false);
}

pub(super) fn stop_instances(ev: &mut Ev<'_>) {
    state_change(ev, (64, "stopping"), (16, "running"), true);
}

pub(super) fn create_tags(ev: &mut Ev<'_>) {
    let target = if ev.rng.chance(0.7) {
        ev.instance()
    } else {
        ev.volume()
    };
    let key = *ev.rng.pick(TAG_KEYS);
    let value = match key {
        "Environment" => ev.acct.env.to_string(),
        "Team" => ev
            .rng
            .pick(&["platform", "payments", "data", "web"])
            .to_string(),
        "CostCenter" => format!("cc-{}", ev.rng.range(1000, 9999)),
        _ => format!("{}-{}", ev.rng.pick(&["web", "worker", "db"]), ev.acct.env),
    };
    let rid = ev.rng.uuid();
    {
        let mut o = Obj::new(&mut ev.out.req);
        ec2_items(&mut o, "resourcesSet", "resourceId", &[target]);
        {
            let mut ts = o.obj("tagSet");
            let mut a = ts.arr("items");
            a.obj().str("key", key).str("value", &value).end();
            a.end();
            ts.end();
        }
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.resp);
    o.str("requestId", &rid).bool("_return", true);
    o.end();
}

pub(super) fn authorize_ingress(ev: &mut Ev<'_>) {
    let sg = ev.security_group();
    let port = *ev.rng.pick(&[22i64, 443, 5432, 8080, 3389]);
    let cidr = if ev.rng.chance(0.2) {
        "0.0.0.0/0".to_string()
    } else {
        format!("10.{}.0.0/16", ev.rng.below(4))
    };
    let rid = ev.rng.uuid();
    let rule = format!("sgr-0{}", ev.rng.hex(16));
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("groupId", sg);
        let mut ip = o.obj("ipPermissions");
        let mut a = ip.arr("items");
        let mut p = a.obj();
        p.str("ipProtocol", "tcp")
            .num("fromPort", port)
            .num("toPort", port)
            .empty("groups");
        ec2_items(&mut p, "ipRanges", "cidrIp", &[&cidr]);
        p.empty("ipv6Ranges").empty("prefixListIds");
        p.end();
        a.end();
        ip.end();
        o.end();
    }
    let acct = ev.acct.id.as_str();
    let mut o = Obj::new(&mut ev.out.resp);
    o.str("requestId", &rid).bool("_return", true);
    let mut set = o.obj("securityGroupRuleSet");
    let mut a = set.arr("items");
    a.obj()
        .str("groupOwnerId", acct)
        .str("groupId", sg)
        .str("securityGroupRuleId", &rule)
        .bool("isEgress", false)
        .str("ipProtocol", "tcp")
        .num("fromPort", port)
        .num("toPort", port)
        .str("cidrIpv4", &cidr)
        .end();
    a.end();
    set.end();
    o.end();
}

pub(super) fn create_security_group(ev: &mut Ev<'_>) {
    let vpc = ev.vpc();
    let name = format!(
        "{}-{}-sg",
        ev.rng.pick(&["alb", "app", "db", "lambda"]),
        ev.acct.env
    );
    let id = format!("sg-0{}", ev.rng.hex(16));
    let rid = ev.rng.uuid();
    let arn = ev.arn("ec2", &format!("security-group/{id}"));
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("groupName", &name)
            .str("groupDescription", "Managed by Terraform")
            .str("vpcId", vpc);
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.resp);
    o.str("requestId", &rid)
        .bool("_return", true)
        .str("groupId", &id)
        .str("securityGroupArn", &arn);
    o.end();
}

pub(super) fn create_network_interface(ev: &mut Ev<'_>) {
    let subnet = ev.subnet();
    let sg = ev.security_group();
    let vpc = ev.vpc();
    let fname = ev.function();
    let eni = format!("eni-0{}", ev.rng.hex(16));
    let ip = private_ip(ev);
    let az = ev.az();
    let rid = ev.rng.uuid();
    let mac = format!(
        "0a:{}:{}:{}:{}:{}",
        ev.rng.hex(2),
        ev.rng.hex(2),
        ev.rng.hex(2),
        ev.rng.hex(2),
        ev.rng.hex(2)
    );
    let description = format!("AWS Lambda VPC ENI-{fname}-{}", ev.rng.uuid());
    let region = ev.region;
    let acct = ev.acct.id.as_str();
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("subnetId", subnet).str("description", &description);
        ec2_items(&mut o, "groupSet", "groupId", &[sg]);
        o.empty("privateIpAddressesSet");
        o.end();
    }
    let dns = dns_name(region, &ip);
    let mut o = Obj::new(&mut ev.out.resp);
    o.str("requestId", &rid);
    let mut ni = o.obj("networkInterface");
    ni.str("networkInterfaceId", &eni)
        .str("subnetId", subnet)
        .str("vpcId", vpc)
        .str("availabilityZone", &az)
        .str("description", &description)
        .str("ownerId", acct)
        .str("requesterId", "AROA000000000EXAMPLE:lambda")
        .bool("requesterManaged", false)
        .str("status", "pending")
        .str("macAddress", &mac)
        .str("privateIpAddress", &ip)
        .str("privateDnsName", &dns)
        .bool("sourceDestCheck", true);
    {
        let mut gs = ni.obj("groupSet");
        let mut a = gs.arr("items");
        a.obj()
            .str("groupId", sg)
            .str("groupName", "lambda-sg")
            .end();
        a.end();
        gs.end();
    }
    {
        let mut ps = ni.obj("privateIpAddressesSet");
        let mut a = ps.arr("item");
        a.obj()
            .str("privateIpAddress", &ip)
            .str("privateDnsName", &dns)
            .bool("primary", true)
            .end();
        a.end();
        ps.end();
    }
    ni.empty("ipv6AddressesSet")
        .empty("tagSet")
        .str("interfaceType", "lambda");
    ni.end();
    o.end();
}

pub(super) fn delete_network_interface(ev: &mut Ev<'_>) {
    let eni = format!("eni-0{}", ev.rng.hex(16));
    let rid = ev.rng.uuid();
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("networkInterfaceId", &eni);
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.resp);
    o.str("requestId", &rid).bool("_return", true);
    o.end();
}

pub(super) fn create_snapshot(ev: &mut Ev<'_>) {
    let vol = ev.volume();
    let snap = format!("snap-0{}", ev.rng.hex(16));
    let rid = ev.rng.uuid();
    let size = *ev.rng.pick(&[8i64, 20, 30, 100]);
    let acct = ev.acct.id.as_str();
    let t = ev.t;
    {
        let mut o = Obj::new(&mut ev.out.req);
        o.str("volumeId", vol).str("description", "nightly backup");
        o.end();
    }
    let mut o = Obj::new(&mut ev.out.resp);
    o.str("requestId", &rid)
        .str("snapshotId", &snap)
        .str("volumeId", vol)
        .str("status", "pending")
        .num("startTime", t * 1000)
        .str("progress", "")
        .str("ownerId", acct)
        .str("description", "nightly backup")
        .num("volumeSize", size)
        .bool("encrypted", true);
    o.end();
}
