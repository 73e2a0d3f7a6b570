//! The one shape the fast path knows: which members of a CloudTrail
//! record (and of its `userIdentity`, session context and resources) go to
//! which `Doc` field, each read once (a duplicate gives up), any other
//! member validated and skipped.

use super::super::record::{
    Doc, OnBehalfOf, Resource, Resources, SessionAttributes, SessionContext, SessionIssuer,
    UserIdentity,
};
use super::{GiveUp, Parser, R};

/// Reads one JSON object into a `$ty` as serde's derive would: the member
/// named `name` is read with the `Parser` method `read` into `field` (a
/// second one is a duplicate: give up), any other member is validated and
/// skipped, a missing one keeps its default.
macro_rules! object {
    ($p:expr, $ty:ident, [$($name:literal: $read:ident => $field:ident),* $(,)?]) => {{
        let mut value = $ty::default();
        let mut seen = Seen(0);
        $p.members(|p, key| {
            let mut bit = 0u32;
            $(
                if key == $name {
                    seen.mark(bit)?;
                    value.$field = p.$read()?;
                    return Ok(());
                }
                bit += 1;
            )*
            let _ = bit;
            p.skip()
        })?;
        value
    }};
}

/// Records which fields of a struct were seen (serde rejects duplicates).
struct Seen(u64);

impl Seen {
    fn mark(&mut self, bit: u32) -> R<()> {
        let m = 1u64 << bit;
        if self.0 & m != 0 {
            return Err(GiveUp);
        }
        self.0 |= m;
        Ok(())
    }
}

impl<'a> Parser<'a> {
    pub(super) fn doc(&mut self) -> R<Doc<'a>> {
        Ok(object!(self, Doc, [
            b"eventVersion": opt_str => event_version,
            b"eventID": opt_str => event_id,
            b"eventTime": opt_str => event_time,
            b"eventSource": opt_str => event_source,
            b"eventName": opt_str => event_name,
            b"awsRegion": opt_str => aws_region,
            b"sourceIPAddress": opt_str => source_ip_address,
            b"userAgent": opt_str => user_agent,
            b"userIdentity": user_identity => user_identity,
            b"errorCode": opt_str => error_code,
            b"errorMessage": opt_str => error_message,
            b"requestID": opt_str => request_id,
            b"sharedEventID": opt_str => shared_event_id,
            b"vpcEndpointId": opt_str => vpc_endpoint_id,
            b"eventType": opt_str => event_type,
            b"eventCategory": opt_str => event_category,
            b"readOnly": loose_bool => read_only,
            b"managementEvent": loose_bool => management_event,
            b"recipientAccountId": opt_str => recipient_account_id,
            b"requestParameters": raw => request_parameters,
            b"responseElements": raw => response_elements,
            b"additionalEventData": raw => additional_event_data,
            b"serviceEventDetails": raw => service_event_details,
            b"insightDetails": raw => insight_details,
            b"resources": resources => resources,
            b"sessionCredentialFromConsole": loose_bool => session_credential_from_console,
            b"detail": raw => detail,
            b"detail-type": opt_str => detail_type,
            b"account": opt_str => account,
            b"message": raw => message,
            b"timestamp": raw => timestamp,
            b"hook_event_name": raw => hook_event_name,
            b"session_id": raw => session_id,
            b"CloudTrailEvent": opt_str => cloud_trail_event,
            b"Records": raw => records,
            b"digestStartTime": opt_str => digest_start_time,
            b"digestPublicKeyFingerprint": opt_str => digest_public_key_fingerprint,
        ]))
    }

    fn user_identity(&mut self) -> R<Option<UserIdentity<'a>>> {
        self.opt_struct(|p| {
            Ok(object!(p, UserIdentity, [
                b"type": opt_str => kind,
                b"principalId": opt_str => principal_id,
                b"arn": opt_str => arn,
                b"accountId": opt_str => account_id,
                b"accessKeyId": opt_str => access_key_id,
                b"userName": opt_str => user_name,
                b"invokedBy": opt_str => invoked_by,
                b"sessionContext": session_context => session_context,
                b"onBehalfOf": on_behalf_of => on_behalf_of,
            ]))
        })
    }

    fn on_behalf_of(&mut self) -> R<Option<OnBehalfOf<'a>>> {
        self.opt_struct(|p| {
            Ok(object!(p, OnBehalfOf, [
                b"userId": opt_str => user_id,
                b"subject": opt_str => subject,
                b"subjectType": opt_str => subject_type,
            ]))
        })
    }

    fn session_context(&mut self) -> R<Option<SessionContext<'a>>> {
        self.opt_struct(|p| {
            Ok(object!(p, SessionContext, [
                b"sessionIssuer": session_issuer => session_issuer,
                b"attributes": session_attributes => attributes,
                b"sourceIdentity": opt_str => source_identity,
            ]))
        })
    }

    fn session_issuer(&mut self) -> R<Option<SessionIssuer<'a>>> {
        self.opt_struct(|p| {
            Ok(object!(p, SessionIssuer, [
                b"type": opt_str => kind,
                b"arn": opt_str => arn,
                b"userName": opt_str => user_name,
            ]))
        })
    }

    fn session_attributes(&mut self) -> R<Option<SessionAttributes<'a>>> {
        self.opt_struct(|p| {
            Ok(object!(p, SessionAttributes, [
                b"creationDate": opt_str => creation_date,
                b"mfaAuthenticated": loose_bool => mfa_authenticated,
            ]))
        })
    }

    /// `Option<Resources>` as serde reads it: null, or a list whose entries
    /// are objects with a string or null `ARN`. Anything else is noted as
    /// serde notes it (`not_a_list`, `left_out`), not a reason to give up.
    fn resources(&mut self) -> R<Option<Resources<'a>>> {
        if self.null()? {
            return Ok(None);
        }
        if self.peek()? != b'[' {
            self.skip()?;
            return Ok(Some(Resources {
                not_a_list: true,
                ..Default::default()
            }));
        }
        let mut out = Resources::default();
        self.items(|p, i| {
            let entry = if p.peek()? == b'{' {
                p.resource()?
            } else {
                p.skip()?;
                None
            };
            match entry {
                Some(r) => out.items.push(r),
                None => out.left_out.push(i as u32),
            }
            Ok(())
        })?;
        Ok(Some(out))
    }

    /// One `resources` object: `None` when its `ARN` is neither a string nor
    /// null, or is given twice.
    fn resource(&mut self) -> R<Option<Resource<'a>>> {
        let mut arn = None;
        let mut seen = false;
        let mut odd = false;
        self.members(|p, key| {
            if key != b"ARN" {
                return p.skip();
            }
            if seen {
                odd = true;
                return p.skip();
            }
            seen = true;
            match p.peek()? {
                b'"' => arn = Some(p.string()?),
                b'n' => p.literal(b"null")?,
                _ => {
                    odd = true;
                    p.skip()?;
                }
            }
            Ok(())
        })?;
        Ok((!odd).then_some(Resource { arn }))
    }
}
