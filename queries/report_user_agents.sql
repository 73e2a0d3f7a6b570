-- Coverage: the clients behind the calls, per actor kind: the most common
-- user-agent strings (as logged: attacker-controlled text).
SELECT
  actor_kind,
  user_agent,
  COUNT(*) AS calls
FROM events
WHERE user_agent IS NOT NULL
GROUP BY actor_kind, user_agent
ORDER BY calls DESC, actor_kind NULLS LAST, user_agent
LIMIT 15
