-- The principals that made the most calls: the role or user ARN, else the
-- invoking service, else the identity type.
-- writes: successful calls CloudTrail marks readOnly: false (the
-- attribution's `write` column, the one definition of a write).
SELECT
  COALESCE(principal_arn, invoked_by, identity_type, '(none)') AS principal,
  COUNT(*) AS events,
  SUM(CASE WHEN write = true THEN 1 ELSE 0 END) AS writes,
  SUM(CASE WHEN error_code IS NOT NULL THEN 1 ELSE 0 END) AS errors
FROM events
GROUP BY COALESCE(principal_arn, invoked_by, identity_type, '(none)')
ORDER BY events DESC, principal
