-- People: what each person did themselves and what agents did for them
-- (ai events whose operator is that person), in write actions (decisions:
-- `action_id`) and in API calls.
-- writes: successful calls CloudTrail marks readOnly: false (the
-- attribution's `write` column, the one definition of a write).
SELECT
  COALESCE(operator, actor) AS person,
  COUNT(DISTINCT CASE WHEN actor_kind = 'human' AND write = true THEN action_id END) AS own_write_actions,
  COUNT(DISTINCT CASE WHEN actor_kind = 'ai' AND write = true THEN action_id END) AS agent_write_actions,
  SUM(CASE WHEN actor_kind = 'human' THEN 1 ELSE 0 END) AS own_events,
  SUM(CASE WHEN actor_kind = 'human' AND write = true THEN 1 ELSE 0 END) AS own_writes,
  SUM(CASE WHEN actor_kind = 'ai' THEN 1 ELSE 0 END) AS agent_events,
  SUM(CASE WHEN actor_kind = 'ai' AND write = true THEN 1 ELSE 0 END) AS agent_writes,
  COUNT(DISTINCT CASE WHEN actor_kind = 'ai' THEN actor END) AS agents
FROM events
WHERE actor_kind = 'human' OR (actor_kind = 'ai' AND operator IS NOT NULL)
GROUP BY COALESCE(operator, actor)
ORDER BY agent_events + own_events DESC, person NULLS LAST
