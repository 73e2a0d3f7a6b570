-- Who acted: events, write events and destructive calls by
-- actor kind (ai, human, service, automation, unknown), from the attribution.
-- "Destructive" is the destructive-actions catalog's verdict on a call that
-- succeeded (failed attempts are not counted as damage).
-- writes: successful calls CloudTrail marks readOnly: false (the
-- attribution's `write` column, the one definition of a write).
SELECT
  actor_kind,
  COUNT(*) AS events,
  SUM(CASE WHEN write = true THEN 1 ELSE 0 END) AS writes,
  SUM(CASE WHEN destructive = true THEN 1 ELSE 0 END) AS destructive,
  COUNT(DISTINCT actor) AS actors,
  COUNT(DISTINCT agent_session_id) AS agent_sessions
FROM events
GROUP BY actor_kind
ORDER BY events DESC, actor_kind NULLS LAST
