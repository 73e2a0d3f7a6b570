//! EC2 parameter writers (describe filters, instances, security-group
//! rules, tags, network interfaces); see `params` for the contract.

use crate::cloudtrail::ec2_items;
use crate::json::{Obj, lambda_time};
use crate::scenario::cast::ACCOUNTS;
use crate::scenario::params::shape::{Ev, Shape};

pub(crate) fn write(shape: Shape, ev: &mut Ev<'_>) {
    let res = ev.res_lists;
    match shape {
        Shape::Ec2Filter(set) => {
            let mut r = Obj::new(ev.req);
            r.empty(set).empty("filterSet");
            r.end();
        }
        Shape::SgIds | Shape::SgRules => {
            let (id, _) = res.sgs[ev.rng.index(res.sgs.len())].clone();
            let id = ev.res.unwrap_or(&id).to_string();
            let mut r = Obj::new(ev.req);
            if matches!(shape, Shape::SgIds) {
                r.empty("securityGroupSet");
                ec2_items(&mut r, "securityGroupIdSet", "groupId", &[&id]);
                r.empty("filterSet");
            } else {
                let mut f = r.obj("DescribeSecurityGroupRulesRequest");
                let mut fl = f.obj("Filter");
                fl.str("Name", "group-id").str("Value", &id).str("tag", "1");
                fl.end();
                f.end();
            }
            r.end();
        }
        Shape::RunInstances => {
            let subnet = res.subnets[ev.rng.index(res.subnets.len())].clone();
            let ami = format!("ami-0{}", ev.rng.hex(16));
            let itype = *ev
                .rng
                .pick(&["t3.micro", "t3.small", "m6i.large", "c7g.xlarge"]);
            let token = ev.rng.uuid();
            {
                let mut r = Obj::new(ev.req);
                {
                    let mut s = r.obj("instancesSet");
                    let mut a = s.arr("items");
                    a.obj()
                        .str("imageId", &ami)
                        .num("minCount", 1)
                        .num("maxCount", 1)
                        .end();
                    a.end();
                    s.end();
                }
                r.str("instanceType", itype)
                    .str("subnetId", &subnet)
                    .bool("disableApiTermination", false)
                    .str("clientToken", &token);
                r.end();
            }
            if !ev.failed {
                let iid = format!("i-0{}", ev.rng.hex(16));
                let rid = format!("r-0{}", ev.rng.hex(16));
                let acct = ev.acct_id();
                let mut o = Obj::new(ev.resp);
                o.str("requestId", &ev.rng.uuid())
                    .str("reservationId", &rid)
                    .str("ownerId", acct)
                    .empty("groupSet");
                let mut s = o.obj("instancesSet");
                let mut a = s.arr("items");
                a.obj()
                    .str("instanceId", &iid)
                    .str("imageId", &ami)
                    .str("instanceType", itype)
                    .str("subnetId", &subnet)
                    .str("launchTime", &lambda_time(ev.t).replace(".000+0000", "Z"))
                    .end();
                a.end();
                s.end();
                o.end();
            }
        }
        Shape::InstanceIds => {
            let iid = ev.pick(&res.instances);
            let failed = ev.failed;
            let mut r = Obj::new(ev.req);
            ec2_items(&mut r, "instancesSet", "instanceId", &[&iid]);
            r.end();
            if !failed {
                let mut o = Obj::new(ev.resp);
                o.str("requestId", &ev.rng.uuid());
                let mut s = o.obj("instancesSet");
                let mut a = s.arr("items");
                let mut it = a.obj();
                it.str("instanceId", &iid);
                it.obj("currentState")
                    .num("code", 32)
                    .str("name", "shutting-down")
                    .end();
                it.obj("previousState")
                    .num("code", 16)
                    .str("name", "running")
                    .end();
                it.end();
                a.end();
                s.end();
                o.end();
            }
        }
        Shape::CreateTags => {
            let iid = res.instances[ev.rng.index(res.instances.len())].clone();
            let mut r = Obj::new(ev.req);
            ec2_items(&mut r, "resourcesSet", "resourceId", &[&iid]);
            {
                let mut s = r.obj("tagSet");
                let mut a = s.arr("items");
                a.obj().str("key", "Owner").str("value", "platform").end();
                a.end();
                s.end();
            }
            r.end();
            if !ev.failed {
                let id = ev.rng.uuid();
                Obj::new(ev.resp)
                    .str("requestId", &id)
                    .bool("_return", true)
                    .end();
            }
        }
        Shape::SgRule => {
            let (id, _) = res.sgs[ev.rng.index(res.sgs.len())].clone();
            let id = ev.res.unwrap_or(&id).to_string();
            let cidr = ev.aux.unwrap_or("10.20.0.0/16").to_string();
            let port = if cidr.starts_with("10.") { 443 } else { 22 };
            let mut r = Obj::new(ev.req);
            r.str("groupId", &id);
            {
                let mut p = r.obj("ipPermissions");
                let mut a = p.arr("items");
                let mut it = a.obj();
                it.str("ipProtocol", "tcp")
                    .num("fromPort", port)
                    .num("toPort", port)
                    .empty("groups");
                {
                    let mut rs = it.obj("ipRanges");
                    let mut ra = rs.arr("items");
                    ra.obj().str("cidrIp", &cidr).end();
                    ra.end();
                    rs.end();
                }
                it.empty("ipv6Ranges").empty("prefixListIds");
                it.end();
                a.end();
                p.end();
            }
            r.end();
            if !ev.failed {
                let rid = ev.rng.uuid();
                let rule = format!("sgr-0{}", ev.rng.hex(16));
                let mut o = Obj::new(ev.resp);
                o.str("requestId", &rid).bool("_return", true);
                let mut s = o.obj("securityGroupRuleSet");
                let mut a = s.arr("items");
                a.obj()
                    .str("groupOwnerId", ACCOUNTS[ev.acct as usize].id)
                    .bool("isEgress", false)
                    .str("ipProtocol", "tcp")
                    .num("fromPort", port)
                    .num("toPort", port)
                    .str("cidrIpv4", &cidr)
                    .str("securityGroupRuleId", &rule)
                    .str("groupId", &id)
                    .end();
                a.end();
                s.end();
                o.end();
            }
        }
        Shape::CreateEni | Shape::DeleteEni => {
            let eni = format!("eni-0{}", ev.rng.hex(16));
            let subnet = res.subnets[ev.rng.index(res.subnets.len())].clone();
            if matches!(shape, Shape::DeleteEni) {
                Obj::new(ev.req).str("networkInterfaceId", &eni).end();
                if !ev.failed {
                    let id = ev.rng.uuid();
                    Obj::new(ev.resp)
                        .str("requestId", &id)
                        .bool("_return", true)
                        .end();
                }
            } else {
                Obj::new(ev.req)
                    .str("subnetId", &subnet)
                    .str("description", "ELB app/billing-api/8c1f0a2d3e4b5a6c")
                    .end();
                if !ev.failed {
                    let id = ev.rng.uuid();
                    let mut o = Obj::new(ev.resp);
                    o.str("requestId", &id);
                    o.obj("networkInterface")
                        .str("networkInterfaceId", &eni)
                        .str("subnetId", &subnet)
                        .str("status", "pending")
                        .end();
                    o.end();
                }
            }
        }
        _ => {}
    }
}
