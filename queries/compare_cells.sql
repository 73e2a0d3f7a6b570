-- The exposure behind the AI-vs-human comparison, in cells fine enough for
-- every view of it: per actor kind, actor, agent session, principal and day.
-- `trailblame compare` sums the cells per side (AI, human), per privilege
-- tier of the principal (the comparison at equal privilege), per session
-- (the clustered bootstrap) and per ISO week (the trend).
--   writes: successful non-read-only calls (the incident-rate denominator)
--   destructive: successful destructive calls
--   destructive_unapproved: those not explicitly approved by a person
--   denied: AccessDenied and friends (an agent probing its permissions)
SELECT
  actor_kind,
  actor,
  agent_session_id,
  principal_arn,
  CAST(event_date AS STRING) AS day,
  COUNT(*) AS calls,
  SUM(CASE WHEN read_only = false AND error_code IS NULL THEN 1 ELSE 0 END) AS writes,
  SUM(CASE WHEN destructive = true THEN 1 ELSE 0 END) AS destructive,
  SUM(CASE WHEN destructive = true AND (approval IS NULL OR approval <> 'explicit') THEN 1 ELSE 0 END) AS destructive_unapproved,
  SUM(CASE WHEN error_code IS NOT NULL THEN 1 ELSE 0 END) AS errors,
  SUM(CASE WHEN error_code LIKE '%AccessDenied%'
             OR error_code LIKE '%Unauthorized%'
             OR error_code LIKE '%NotAuthorized%'
             OR error_code = 'Forbidden' THEN 1 ELSE 0 END) AS denied
FROM events
WHERE actor_kind IN ('ai', 'human')
GROUP BY actor_kind, actor, agent_session_id, principal_arn, event_date
ORDER BY actor_kind, actor NULLS LAST, agent_session_id NULLS LAST, principal_arn NULLS LAST, day
