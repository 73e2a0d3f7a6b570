//! What a parameter writer works on: the operation's `Shape` (named in
//! `ops`), and `Ev`, the event being written with the account's resources
//! and the part buffers to fill.

use crate::json::Obj;
use crate::rng::Rng;
use crate::scenario::cast::ACCOUNTS;
use crate::scenario::resources::AcctRes;

/// The parameter shape of an operation (see `ops`).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Shape {
    Null,
    AssumeRole,
    WebIdentity,
    ListBuckets,
    /// A bucket sub-resource call (`policy`, `acl`, …; `""` for none).
    Bucket(&'static str),
    CreateBucket,
    ListObjects,
    Object,
    PutObject,
    Ec2Filter(&'static str),
    SgIds,
    SgRules,
    RunInstances,
    InstanceIds,
    CreateTags,
    SgRule,
    CreateEni,
    DeleteEni,
    Function,
    FunctionCode,
    FunctionConfig,
    CreateFunction,
    LambdaPermission,
    EventSourceMapping,
    LogGroupPrefix,
    LogGroup,
    LogStream,
    FilterLogs,
    Retention,
    Alarms,
    MetricData,
    MetricStats,
    PutAlarm,
    Stack,
    ListStacks,
    CreateStack,
    UpdateStack,
    CreateChangeSet,
    ChangeSet,
    DriftStatus,
    Role,
    RolePolicy,
    RolePolicyArn,
    CreateRole,
    Table,
    TableArn,
    CreateTable,
    DeleteTable,
    Queue,
    CreateQueue,
    Rule,
    RestApi,
    Kms,
    Secret,
    Param,
    Params,
    ParamPath,
    Cost,
    ConsoleLogin,
    Asg,
    TargetGroup,
}

/// Everything a writer needs, and the buffers it fills (empty = absent).
pub(crate) struct Ev<'a> {
    pub rng: &'a mut Rng,
    pub res_lists: &'a AcctRes,
    pub acct: u8,
    pub region: &'a str,
    pub t: i64,
    pub res: Option<&'a str>,
    pub aux: Option<&'a str>,
    /// The call failed: no response elements.
    pub failed: bool,
    pub req: &'a mut Vec<u8>,
    pub resp: &'a mut Vec<u8>,
    pub resources: &'a mut Vec<u8>,
    pub extra: &'a mut Vec<u8>,
}

impl Ev<'_> {
    pub(crate) fn acct_id(&self) -> &'static str {
        ACCOUNTS[self.acct as usize].id
    }

    /// The scripted resource, or one picked from `list`.
    pub(crate) fn pick(&mut self, list: &[String]) -> String {
        match self.res {
            Some(r) => r.to_string(),
            None if list.is_empty() => "default".to_string(),
            None => list[self.rng.index(list.len())].clone(),
        }
    }

    pub(super) fn req(&mut self) -> Obj<'_> {
        Obj::new(self.req)
    }

    pub(super) fn resp(&mut self) -> Option<Obj<'_>> {
        (!self.failed).then(|| Obj::new(self.resp))
    }
}
