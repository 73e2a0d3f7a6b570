-- Events per userIdentity.type: people and roles (AssumedRole, IAMUser, Root…)
-- versus AWS services acting on their own (AWSService) and records without an identity.
SELECT
  COALESCE(identity_type, '(none)') AS identity_type,
  COUNT(*) AS events,
  SUM(CASE WHEN read_only = false THEN 1 ELSE 0 END) AS writes
FROM events
GROUP BY COALESCE(identity_type, '(none)')
ORDER BY events DESC, identity_type
