-- The exposure behind the AI-vs-human comparison, in cells fine enough for
-- every view of it: per actor kind, actor, agent session, principal and day.
-- `trailblame compare` sums the cells per side (AI, human), per privilege
-- tier of the principal (the comparison at equal privilege), per session
-- (the clustered bootstrap) and per ISO week (the trend).
--   writes: successful calls CloudTrail marks readOnly: false (the
--     attribution's `write` column, the incident-rate denominator)
--   destructive: successful destructive calls
--   destructive_unapproved: those whose approval is not `approved`
--   destructive_approved, _auto_approved, _rejected, _approval_unknown:
--     the same calls by approval state (unknown: the record does not say)
--   denied: AccessDenied and friends (an agent probing its permissions)
SELECT
  actor_kind,
  actor,
  agent_session_id,
  principal_arn,
  CAST(event_date AS VARCHAR(10)) AS day,
  COUNT(*) AS calls,
  SUM(CASE WHEN write = true THEN 1 ELSE 0 END) AS writes,
  SUM(CASE WHEN destructive = true THEN 1 ELSE 0 END) AS destructive,
  SUM(CASE WHEN destructive = true AND (approval IS NULL OR approval <> 'approved') THEN 1 ELSE 0 END) AS destructive_unapproved,
  SUM(CASE WHEN destructive = true AND approval = 'approved' THEN 1 ELSE 0 END) AS destructive_approved,
  SUM(CASE WHEN destructive = true AND approval = 'auto_approved' THEN 1 ELSE 0 END) AS destructive_auto_approved,
  SUM(CASE WHEN destructive = true AND approval = 'rejected' THEN 1 ELSE 0 END) AS destructive_rejected,
  SUM(CASE WHEN destructive = true AND actor_kind = 'ai' AND (approval IS NULL OR approval = 'unknown') THEN 1 ELSE 0 END) AS destructive_approval_unknown,
  SUM(CASE WHEN error_code IS NOT NULL THEN 1 ELSE 0 END) AS errors,
  SUM(CASE WHEN error_code LIKE '%AccessDenied%'
             OR error_code LIKE '%Unauthorized%'
             OR error_code LIKE '%NotAuthorized%'
             OR error_code = 'Forbidden' THEN 1 ELSE 0 END) AS denied
FROM events
WHERE actor_kind IN ('ai', 'human')
GROUP BY actor_kind, actor, agent_session_id, principal_arn, event_date
ORDER BY actor_kind, actor NULLS LAST, agent_session_id NULLS LAST, principal_arn NULLS LAST, day
