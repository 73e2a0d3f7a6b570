-- Failed calls by error code: AccessDenied bursts are permission probing,
-- DryRunOperation is a --dry-run, throttling is load.
SELECT
  error_code,
  COUNT(*) AS events,
  COUNT(DISTINCT principal_arn) AS principals
FROM events
WHERE error_code IS NOT NULL
GROUP BY error_code
ORDER BY events DESC, error_code
