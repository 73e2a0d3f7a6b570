//! The OCSF ↔ CloudTrail field mapping, declared here with the tables'
//! columns: `ocsf::read` and `ocsf::write` follow it, and SCHEMA.md prints
//! it (`markdown`). Source: the OCSF project's CloudTrail example for OCSF
//! 1.1.0 and the Amazon Security Lake documentation.

/// OCSF attribute path → CloudTrail field path, both directions.
pub const MAPPING: &[(&str, &str)] = &[
    ("metadata.uid", "eventID"),
    ("time", "eventTime"),
    ("metadata.product.version", "eventVersion"),
    ("metadata.event_code", "eventType"),
    ("metadata.product.feature.name", "eventCategory"),
    ("api.service.name", "eventSource"),
    ("api.operation", "eventName"),
    ("api.version", "apiVersion"),
    ("api.request.uid", "requestID"),
    ("api.request.data", "requestParameters"),
    ("api.response.data", "responseElements"),
    ("api.response.error", "errorCode"),
    ("api.response.message", "errorMessage"),
    ("cloud.region", "awsRegion"),
    ("cloud.account.uid", "recipientAccountId"),
    ("src_endpoint.ip", "sourceIPAddress (an address)"),
    ("src_endpoint.domain", "sourceIPAddress (a service name)"),
    ("src_endpoint.uid", "vpcEndpointId"),
    ("http_request.user_agent", "userAgent"),
    ("actor.user.type", "userIdentity.type"),
    ("actor.user.uid", "userIdentity.arn"),
    ("actor.user.uid_alt", "userIdentity.principalId"),
    ("actor.user.account.uid", "userIdentity.accountId"),
    ("actor.user.credential_uid", "userIdentity.accessKeyId"),
    ("actor.user.name", "userIdentity.userName"),
    ("actor.invoked_by", "userIdentity.invokedBy"),
    ("actor.idp.name", "userIdentity.identityProvider"),
    (
        "actor.session.created_time_dt",
        "userIdentity.sessionContext.attributes.creationDate",
    ),
    (
        "actor.session.is_mfa",
        "userIdentity.sessionContext.attributes.mfaAuthenticated",
    ),
    (
        "actor.session.issuer",
        "userIdentity.sessionContext.sessionIssuer.arn",
    ),
    ("resources[].uid", "resources[].ARN"),
    ("resources[].owner.account.uid", "resources[].accountId"),
    ("resources[].type", "resources[].type"),
    ("unmapped[PATH]", "any other field, by its CloudTrail path"),
];

/// CloudTrail fields OCSF 6003 has no attribute for: null unless Security
/// Lake kept them in `unmapped` (the coverage notes name them).
pub const LOST_UNLESS_UNMAPPED: &[&str] = &[
    "userIdentity.sessionContext.sourceIdentity",
    "userIdentity.sessionContext.sessionIssuer.userName",
    "userIdentity.sessionContext.sessionIssuer.type",
    "userIdentity.onBehalfOf",
    "sessionCredentialFromConsole",
    "readOnly",
    "managementEvent",
    "sharedEventID",
    "additionalEventData",
    "serviceEventDetails",
];
