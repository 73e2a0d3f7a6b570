-- The report's headline numbers per actor kind: actions (decisions:
-- `action_id`), write actions, destructive actions; then as API calls:
-- events, successful writes, successful destructive calls, errors. `trailblame report` runs it for the
-- week and for the week before, for the change.
SELECT
  actor_kind,
  COUNT(DISTINCT action_id) AS actions,
  COUNT(DISTINCT CASE WHEN write = true THEN action_id END) AS write_actions,
  COUNT(DISTINCT CASE WHEN destructive = true THEN action_id END) AS destructive_actions,
  COUNT(*) AS events,
  SUM(CASE WHEN write = true THEN 1 ELSE 0 END) AS writes,
  SUM(CASE WHEN destructive = true THEN 1 ELSE 0 END) AS destructive,
  SUM(CASE WHEN error_code IS NOT NULL THEN 1 ELSE 0 END) AS errors
FROM events
GROUP BY actor_kind
ORDER BY actor_kind NULLS LAST
