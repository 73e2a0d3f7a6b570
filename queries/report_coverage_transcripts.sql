-- Coverage: the agent transcripts found, per agent and operator. A session
-- recorded by two files (a transcript and a hook log, OpenCode's database
-- and its legacy storage) is one session.
SELECT
  agent,
  operator,
  COUNT(DISTINCT session_id) AS sessions,
  MIN(started_at) AS first_session,
  MAX(ended_at) AS last_session
FROM agent_sessions
GROUP BY agent, operator
ORDER BY agent NULLS LAST, operator NULLS LAST
