-- Activity per day and actor kind, for the report's charts: calls,
-- successful writes and successful destructive calls.
SELECT
  CAST(event_date AS VARCHAR(10)) AS day,
  actor_kind,
  COUNT(*) AS calls,
  SUM(CASE WHEN write = true THEN 1 ELSE 0 END) AS writes,
  SUM(CASE WHEN destructive = true THEN 1 ELSE 0 END) AS destructive
FROM events
GROUP BY event_date, actor_kind
ORDER BY day, actor_kind NULLS LAST
