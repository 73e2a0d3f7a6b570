-- Exposure per actor kind, the denominators of the AI-vs-human comparison:
-- calls, successful write calls, successful destructive calls, errors,
-- active actor-days, and agent transcript sessions (for people, the
-- command counts one working session per person per day: actor_days).
SELECT
  actor_kind,
  COUNT(*) AS calls,
  SUM(CASE WHEN read_only = false AND error_code IS NULL THEN 1 ELSE 0 END) AS writes,
  SUM(CASE WHEN destructive = true THEN 1 ELSE 0 END) AS destructive,
  SUM(CASE WHEN error_code IS NOT NULL THEN 1 ELSE 0 END) AS errors,
  COUNT(DISTINCT CONCAT(actor, '|', CAST(event_date AS VARCHAR))) AS actor_days,
  COUNT(DISTINCT agent_session_id) AS agent_sessions
FROM events
WHERE actor_kind IN ('ai', 'human')
GROUP BY actor_kind
ORDER BY actor_kind
