//! `requestParameters`, `responseElements`, `resources` and
//! `additionalEventData` of each operation, in the shapes CloudTrail
//! records: read-only calls mostly have a null response, writes echo the
//! created or changed resource, S3 object calls carry the transfer
//! details. When a scripted event names its resource (`res`, `aux`) that
//! name is used; otherwise one is picked from the account's resources.
//!
//! `shape` holds what every writer works on; one file per group of
//! services writes their parts.

mod app_services;
mod cloudformation;
mod ec2;
mod iam;
mod identity;
mod lambda;
mod monitoring;
mod s3;
mod shape;

pub(crate) use shape::{Ev, Shape};

/// Writes the parts of one event.
pub(crate) fn write(shape: Shape, ev: &mut Ev<'_>) {
    match shape {
        Shape::Null => {}
        Shape::AssumeRole | Shape::WebIdentity => identity::sts(shape, ev),
        Shape::ConsoleLogin => identity::console_login(ev),
        Shape::ListBuckets
        | Shape::Bucket(_)
        | Shape::CreateBucket
        | Shape::ListObjects
        | Shape::Object
        | Shape::PutObject => s3::write(shape, ev),
        Shape::Ec2Filter(_)
        | Shape::SgIds
        | Shape::SgRules
        | Shape::RunInstances
        | Shape::InstanceIds
        | Shape::CreateTags
        | Shape::SgRule
        | Shape::CreateEni
        | Shape::DeleteEni => ec2::write(shape, ev),
        Shape::Function
        | Shape::FunctionCode
        | Shape::FunctionConfig
        | Shape::CreateFunction
        | Shape::LambdaPermission
        | Shape::EventSourceMapping => lambda::write(shape, ev),
        Shape::LogGroupPrefix
        | Shape::LogGroup
        | Shape::Retention
        | Shape::LogStream
        | Shape::FilterLogs
        | Shape::Alarms
        | Shape::MetricData
        | Shape::MetricStats
        | Shape::PutAlarm
        | Shape::Cost => monitoring::write(shape, ev),
        Shape::Stack
        | Shape::UpdateStack
        | Shape::CreateStack
        | Shape::DriftStatus
        | Shape::ListStacks
        | Shape::CreateChangeSet
        | Shape::ChangeSet => cloudformation::write(shape, ev),
        Shape::Role | Shape::RolePolicy | Shape::RolePolicyArn | Shape::CreateRole => {
            iam::write(shape, ev)
        }
        Shape::Table
        | Shape::CreateTable
        | Shape::DeleteTable
        | Shape::TableArn
        | Shape::Queue
        | Shape::CreateQueue
        | Shape::Rule
        | Shape::RestApi
        | Shape::Kms
        | Shape::Secret
        | Shape::Param
        | Shape::Params
        | Shape::ParamPath
        | Shape::Asg
        | Shape::TargetGroup => app_services::write(shape, ev),
    }
}
