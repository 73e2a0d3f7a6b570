//! Parts of a CloudTrail record that both generators write the same way:
//! EC2's `…Set`/`items` lists and the `tlsDetails` block.

use crate::json::Obj;

/// `"<set>":{"items":[{"<key>":"<v>"},…]}`, EC2's list shape.
pub(crate) fn ec2_items(o: &mut Obj<'_>, set: &str, key: &str, values: &[&str]) {
    let mut s = o.obj(set);
    let mut a = s.arr("items");
    for v in values {
        a.obj().str(key, v).end();
    }
    a.end();
    s.end();
}

/// `tlsDetails` of a call made over TLS 1.2 (`tls12`) or 1.3 to `host`.
pub(crate) fn tls_details(o: &mut Obj<'_>, tls12: bool, host: &str) {
    let mut t = o.obj("tlsDetails");
    t.str("tlsVersion", if tls12 { "TLSv1.2" } else { "TLSv1.3" })
        .str(
            "cipherSuite",
            if tls12 {
                "ECDHE-RSA-AES128-GCM-SHA256"
            } else {
                "TLS_AES_128_GCM_SHA256"
            },
        )
        .str("clientProvidedHostHeader", host);
    t.end();
}
