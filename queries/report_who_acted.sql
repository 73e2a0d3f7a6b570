-- Who acted: per AI agent and per person, with the person an agent worked
-- for; actions (decisions: `action_id`), write actions and destructive
-- actions, then the same as API-call counts (calls, writes, destructive),
-- agent sessions, and calls made on
-- credentials a person also used (an agent on a human's identity).
-- writes: successful calls CloudTrail marks readOnly: false (the
-- attribution's `write` column, the one definition of a write).
WITH human_principals AS (
  SELECT DISTINCT principal_arn AS human_principal
  FROM events
  WHERE actor_kind = 'human' AND principal_arn IS NOT NULL
)
SELECT
  e.actor_kind AS actor_kind,
  e.actor AS actor,
  e.operator AS operator,
  COUNT(DISTINCT e.action_id) AS actions,
  COUNT(DISTINCT CASE WHEN e.write = true THEN e.action_id END) AS write_actions,
  COUNT(DISTINCT CASE WHEN e.destructive = true THEN e.action_id END) AS destructive_actions,
  COUNT(*) AS calls,
  SUM(CASE WHEN e.write = true THEN 1 ELSE 0 END) AS writes,
  SUM(CASE WHEN e.destructive = true THEN 1 ELSE 0 END) AS destructive,
  COUNT(DISTINCT e.agent_session_id) AS agent_sessions,
  SUM(CASE WHEN e.actor_kind = 'ai' AND h.human_principal IS NOT NULL THEN 1 ELSE 0 END) AS on_human_credentials
FROM events e
LEFT JOIN human_principals h ON e.principal_arn = h.human_principal
WHERE e.actor_kind IN ('ai', 'human')
GROUP BY e.actor_kind, e.actor, e.operator
ORDER BY actor_kind, write_actions DESC, writes DESC, actor NULLS LAST, operator NULLS LAST
