-- The exposure behind the AI-vs-human comparison, in cells fine enough for
-- every view of it: per actor kind, actor, agent session, principal and day.
-- `trailblame compare` sums the cells per side (AI, human), per privilege
-- tier of the principal (the comparison at equal privilege), per session
-- (the clustered bootstrap) and per ISO week (the trend).
--
-- The unit is the *action* (`action_id`: one decision, with every API call
-- it caused); each action counts once, in the cell of its first call's day
-- (its actor, session and principal are the same on all its calls; MIN
-- picks one deterministically if not).
--   actions, write_actions: actions, and those with a successful call
--     CloudTrail marks readOnly: false (the attribution's `write` column;
--     the incident-rate denominator)
--   destructive_actions: actions with a successful destructive call;
--     destructive_write_actions: those that are also write actions (the
--     destructive share's numerator)
--   destructive_approved, _auto_approved, _rejected, _approval_unknown: AI
--     destructive actions by approval state (unknown: the record does not
--     say; an action with any unknown call is unknown)
--   denied_actions: actions with an AccessDenied-like error
-- and the same as API-call counts, a detail: calls, writes, destructive,
-- errors, denied.
WITH per_action AS (
  SELECT
    action_id,
    MIN(actor_kind) AS actor_kind,
    MIN(actor) AS actor,
    MIN(agent_session_id) AS agent_session_id,
    MIN(principal_arn) AS principal_arn,
    MIN(event_date) AS event_date,
    COUNT(*) AS calls,
    SUM(CASE WHEN write = true THEN 1 ELSE 0 END) AS writes,
    SUM(CASE WHEN destructive = true THEN 1 ELSE 0 END) AS destructive,
    MAX(CASE WHEN destructive = true AND write = true THEN 1 ELSE 0 END) AS destructive_write,
    -- 1 approved, 2 auto-approved, 3 rejected, 4 unknown; 0: not destructive
    MAX(CASE WHEN destructive = true THEN
          CASE WHEN approval = 'approved' THEN 1
               WHEN approval = 'auto_approved' THEN 2
               WHEN approval = 'rejected' THEN 3
               ELSE 4 END
        ELSE 0 END) AS approval_rank,
    SUM(CASE WHEN error_code IS NOT NULL THEN 1 ELSE 0 END) AS errors,
    SUM(CASE WHEN error_code LIKE '%AccessDenied%'
               OR error_code LIKE '%Unauthorized%'
               OR error_code LIKE '%NotAuthorized%'
               OR error_code = 'Forbidden' THEN 1 ELSE 0 END) AS denied
  FROM events
  WHERE actor_kind IN ('ai', 'human')
  GROUP BY action_id
)
SELECT
  actor_kind,
  actor,
  agent_session_id,
  principal_arn,
  CAST(event_date AS STRING) AS day,
  COUNT(*) AS actions,
  SUM(CASE WHEN writes > 0 THEN 1 ELSE 0 END) AS write_actions,
  SUM(CASE WHEN destructive > 0 THEN 1 ELSE 0 END) AS destructive_actions,
  SUM(destructive_write) AS destructive_write_actions,
  SUM(CASE WHEN actor_kind = 'ai' AND approval_rank = 1 THEN 1 ELSE 0 END) AS destructive_approved,
  SUM(CASE WHEN actor_kind = 'ai' AND approval_rank = 2 THEN 1 ELSE 0 END) AS destructive_auto_approved,
  SUM(CASE WHEN actor_kind = 'ai' AND approval_rank = 3 THEN 1 ELSE 0 END) AS destructive_rejected,
  SUM(CASE WHEN actor_kind = 'ai' AND approval_rank = 4 THEN 1 ELSE 0 END) AS destructive_approval_unknown,
  SUM(CASE WHEN denied > 0 THEN 1 ELSE 0 END) AS denied_actions,
  SUM(calls) AS calls,
  SUM(writes) AS writes,
  SUM(destructive) AS destructive,
  SUM(errors) AS errors,
  SUM(denied) AS denied
FROM per_action
GROUP BY actor_kind, actor, agent_session_id, principal_arn, event_date
ORDER BY actor_kind, actor NULLS LAST, agent_session_id NULLS LAST, principal_arn NULLS LAST, day
