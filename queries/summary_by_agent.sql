-- AI agents: actions, write actions and destructive actions per agent (then
-- the same as API-call counts: events, writes, destructive), with
-- how many people they acted for, how many transcript sessions are linked,
-- and how many of their events the transcript join (not a marker alone)
-- attributed.
-- writes: successful calls CloudTrail marks readOnly: false (the
-- attribution's `write` column, the one definition of a write).
SELECT
  actor AS agent,
  COUNT(DISTINCT action_id) AS actions,
  COUNT(DISTINCT CASE WHEN write = true THEN action_id END) AS write_actions,
  COUNT(DISTINCT CASE WHEN destructive = true THEN action_id END) AS destructive_actions,
  COUNT(*) AS events,
  SUM(CASE WHEN write = true THEN 1 ELSE 0 END) AS writes,
  SUM(CASE WHEN destructive = true THEN 1 ELSE 0 END) AS destructive,
  COUNT(DISTINCT operator) AS operators,
  COUNT(DISTINCT agent_session_id) AS sessions,
  SUM(CASE WHEN tool_call_id IS NOT NULL THEN 1 ELSE 0 END) AS from_transcripts
FROM events
WHERE actor_kind = 'ai'
GROUP BY actor
ORDER BY events DESC, agent NULLS LAST
