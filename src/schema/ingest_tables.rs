//! The tables ingest writes from CloudTrail input: `events` (the stored
//! Parquet schema too), `quarantine` and `ingested_files`.

use super::{ColumnDoc, col, events, ingested_files, quarantine, string_list, utc_micros};
use polars::prelude::{DataType, Field, PlSmallStr, Schema};

/// The `events` table as stored in each Parquet part (without the Hive
/// partition column `event_date`, which lives in the directory name).
pub fn events_columns() -> Vec<ColumnDoc> {
    use events::*;
    let s = || DataType::String;
    let b = || DataType::Boolean;
    vec![
        col(
            EVENT_ID,
            s(),
            "CloudTrail eventID (`synthetic-<hash>` for records without one: eventVersion 1.0, or later versions exported without it, counted as `synthetic_ids`); a second delivery of the same event is dropped at ingest",
        ),
        col(
            EVENT_KEY,
            s(),
            "the event's identity in the store: 32 hex digits of the 128-bit hash de-duplication compares (eventID, source, name, request id, principal, source IP, error code, additionalEventData, time). Unique per stored event, unlike `event_id` (records that share an eventID but differ are two events); every derived table joins on it",
        ),
        col(
            EVENT_TIME,
            utc_micros(),
            "eventTime (UTC; CloudTrail records completion time to the second)",
        ),
        col(EVENT_VERSION, s(), "eventVersion"),
        col(EVENT_SOURCE, s(), "eventSource, e.g. ec2.amazonaws.com"),
        col(EVENT_NAME, s(), "eventName, e.g. TerminateInstances"),
        col(AWS_REGION, s(), "awsRegion"),
        col(
            ACCOUNT_ID,
            s(),
            "account that recorded the event: recipientAccountId, else the EventBridge envelope or S3 path account, else userIdentity.accountId",
        ),
        col(
            SOURCE_IP,
            s(),
            "sourceIPAddress (an IP, or a service DNS name for service calls)",
        ),
        col(USER_AGENT, s(), "userAgent as recorded"),
        col(
            IDENTITY_TYPE,
            s(),
            "userIdentity.type (IAMUser, AssumedRole, Root, AWSService, …); null when the record has no userIdentity",
        ),
        col(PRINCIPAL_ARN, s(), "userIdentity.arn"),
        col(PRINCIPAL_ID, s(), "userIdentity.principalId"),
        col(
            ACCOUNT_OF_PRINCIPAL,
            s(),
            "userIdentity.accountId (the caller's account)",
        ),
        col(
            USER_NAME,
            s(),
            "userIdentity.userName (IAM user, or the federated user's name)",
        ),
        col(
            ROLE_ARN,
            s(),
            "sessionContext.sessionIssuer.arn when the issuer is a role",
        ),
        col(
            ROLE_NAME,
            s(),
            "sessionContext.sessionIssuer.userName when the issuer is a role",
        ),
        col(
            SESSION_NAME,
            s(),
            "role session name, from assumed-role/<Role>/<Session>",
        ),
        col(ACCESS_KEY_ID, s(), "userIdentity.accessKeyId"),
        col(
            SOURCE_IDENTITY,
            s(),
            "sessionContext.sourceIdentity (survives role chaining)",
        ),
        col(
            INVOKED_BY,
            s(),
            "userIdentity.invokedBy (a service acting for the caller)",
        ),
        col(
            ON_BEHALF_OF,
            s(),
            "userIdentity.onBehalfOf.userId (IdentityCenterUser)",
        ),
        col(
            MFA_AUTHENTICATED,
            b(),
            "sessionContext.attributes.mfaAuthenticated",
        ),
        col(
            SESSION_CREATED_AT,
            utc_micros(),
            "sessionContext.attributes.creationDate (null when it is not a time, counted as `fields_nulled`)",
        ),
        col(
            CONSOLE_SESSION,
            b(),
            "true when sessionCredentialFromConsole is \"true\" or the event is a console sign-in",
        ),
        col(READ_ONLY, b(), "readOnly"),
        col(MANAGEMENT_EVENT, b(), "managementEvent"),
        col(
            EVENT_TYPE,
            s(),
            "eventType (AwsApiCall, AwsServiceEvent, AwsConsoleSignIn, AwsCloudTrailInsight, …)",
        ),
        col(
            EVENT_CATEGORY,
            s(),
            "eventCategory (Management, Data, NetworkActivity, Insight) as recorded",
        ),
        col(ERROR_CODE, s(), "errorCode; null on success"),
        col(ERROR_MESSAGE, s(), "errorMessage"),
        col(REQUEST_ID, s(), "requestID"),
        col(SHARED_EVENT_ID, s(), "sharedEventID"),
        col(VPC_ENDPOINT_ID, s(), "vpcEndpointId"),
        col(
            REQUEST_PARAMETERS,
            s(),
            "requestParameters as JSON text (null when absent or null)",
        ),
        col(RESPONSE_ELEMENTS, s(), "responseElements as JSON text"),
        col(
            ADDITIONAL_EVENT_DATA,
            s(),
            "additionalEventData as JSON text",
        ),
        col(
            SERVICE_EVENT_DETAILS,
            s(),
            "serviceEventDetails as JSON text",
        ),
        col(
            INSIGHT_DETAILS,
            s(),
            "insightDetails as JSON text (insight events)",
        ),
        col(
            RESOURCES,
            string_list(),
            "ARNs from resources[] (entries without an ARN are left out)",
        ),
        col(
            IAM_ACTION,
            s(),
            "IAM action <prefix>:<Action> derived from event source and name, with the known exceptions",
        ),
        col(
            CLIENT,
            s(),
            "caller kind from the user agent: aws-cli, boto3, sdk, console, terraform, service, other",
        ),
        col(CLIENT_VERSION, s(), "version of that client"),
        col(
            CLI_COMMAND,
            s(),
            "AWS CLI command from md/command# (or legacy command/), e.g. s3.rm",
        ),
        col(
            FEATURE_IDS,
            string_list(),
            "feature ids from the user agent's m/ component (AN = Claude Code, AP = Codex, …)",
        ),
        col(EXEC_ENV, s(), "exec-env/ component (AWS_EXECUTION_ENV)"),
        col(APP_ID, s(), "app/ component (AWS_SDK_UA_APP_ID)"),
        col(
            CLI_SESSION,
            s(),
            "sid/ component (CLI session per host and tty)",
        ),
        col(
            MCP_SERVER,
            s(),
            "awslabs MCP server from md/awslabs#mcp#<server>#<ver>",
        ),
        col(SOURCE_FILE, s(), "input file the record came from"),
        col(
            SOURCE_LINE,
            DataType::UInt64,
            "1-based line in the (decompressed) input file where the record starts",
        ),
        col(
            SOURCE_INDEX,
            DataType::UInt64,
            "0-based index of the record in its file",
        ),
    ]
}

pub fn events_schema() -> Schema {
    Schema::from_iter(
        events_columns()
            .into_iter()
            .map(|c| Field::new(PlSmallStr::from_static(c.name), c.dtype)),
    )
}

pub fn quarantine_columns() -> Vec<ColumnDoc> {
    use quarantine::*;
    vec![
        col(SOURCE_FILE, DataType::String, "input file"),
        col(
            LINE,
            DataType::UInt64,
            "1-based line where the bad record starts, when known",
        ),
        col(
            RECORD_INDEX,
            DataType::UInt64,
            "0-based record index in the file, when known",
        ),
        col(
            POSITION,
            DataType::String,
            "readable position: `line 12`, `record 3`, `byte 4096`",
        ),
        col(REASON, DataType::String, "why the record was not kept"),
        col(
            RAW,
            DataType::String,
            "the raw text (lossy UTF-8), cut to 64 KiB",
        ),
        col(
            RAW_BYTES,
            DataType::UInt64,
            "length of the raw record in bytes before cutting",
        ),
        col(INGEST_RUN, DataType::UInt64, "ingest run that met it"),
    ]
}

pub fn ingested_files_columns() -> Vec<ColumnDoc> {
    use ingested_files::*;
    vec![
        col(PATH, DataType::String, "input file path as given"),
        col(
            CONTENT_HASH,
            DataType::String,
            "xxh3-128 of the file's bytes; a file with a known hash is not read again",
        ),
        col(SIZE_BYTES, DataType::UInt64, "file size"),
        col(
            KIND,
            DataType::String,
            "what the file was: cloudtrail, digest, not_cloudtrail, not_log, iam_data, claude_hook_log (recognised, not read), empty, unknown, unreadable, already_ingested, or transcript:<format>",
        ),
        col(
            RECORDS_READ,
            DataType::UInt64,
            "records met: kept + duplicates + quarantined, plus skipped for transcripts (whose records are lines)",
        ),
        col(
            KEPT,
            DataType::UInt64,
            "records written (transcripts: lines used)",
        ),
        col(
            DUPLICATES,
            DataType::UInt64,
            "records whose event_id was already stored",
        ),
        col(QUARANTINED, DataType::UInt64, "records quarantined"),
        col(
            SKIPPED,
            DataType::UInt64,
            "transcript lines of kinds with nothing to store (progress, snapshots, unknown types); 0 for CloudTrail",
        ),
        col(INGEST_RUN, DataType::UInt64, "ingest run"),
        col(
            NOTE,
            DataType::String,
            "why a file was skipped, or what was noticed (what was accepted leniently: times without a zone, synthetic ids, fields set to null)",
        ),
    ]
}
