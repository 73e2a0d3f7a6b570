-- Coverage: the agent transcripts found, per agent and operator.
SELECT
  agent,
  operator,
  COUNT(*) AS sessions,
  MIN(started_at) AS first_session,
  MAX(ended_at) AS last_session
FROM agent_sessions
GROUP BY agent, operator
ORDER BY agent NULLS LAST, operator NULLS LAST
