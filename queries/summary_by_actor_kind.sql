-- Who acted: actions (decisions: `action_id`), write actions and destructive
-- actions by actor kind (ai, human, service, automation, unknown), from the
-- attribution; then the same as API-call counts (events, writes,
-- destructive), a detail.
-- "Destructive" is the destructive-actions catalog's verdict on a call that
-- succeeded (failed attempts are not counted as damage).
-- writes: successful calls CloudTrail marks readOnly: false (the
-- attribution's `write` column, the one definition of a write).
SELECT
  actor_kind,
  COUNT(DISTINCT action_id) AS actions,
  COUNT(DISTINCT CASE WHEN write = true THEN action_id END) AS write_actions,
  COUNT(DISTINCT CASE WHEN destructive = true THEN action_id END) AS destructive_actions,
  COUNT(*) AS events,
  SUM(CASE WHEN write = true THEN 1 ELSE 0 END) AS writes,
  SUM(CASE WHEN destructive = true THEN 1 ELSE 0 END) AS destructive,
  COUNT(DISTINCT actor) AS actors,
  COUNT(DISTINCT agent_session_id) AS agent_sessions
FROM events
GROUP BY actor_kind
ORDER BY events DESC, actor_kind NULLS LAST
