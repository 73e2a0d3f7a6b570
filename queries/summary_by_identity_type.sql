-- Events per userIdentity.type: people and roles (AssumedRole, IAMUser, Root…)
-- versus AWS services acting on their own (AWSService) and records without an identity.
-- writes: successful calls CloudTrail marks readOnly: false (the
-- attribution's `write` column, the one definition of a write).
SELECT
  COALESCE(identity_type, '(none)') AS identity_type,
  COUNT(*) AS events,
  SUM(CASE WHEN write = true THEN 1 ELSE 0 END) AS writes
FROM events
GROUP BY COALESCE(identity_type, '(none)')
ORDER BY events DESC, identity_type
