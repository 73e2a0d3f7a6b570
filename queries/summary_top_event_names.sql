-- The most frequent API calls, with the service that logged them.
SELECT
  event_source,
  event_name,
  COUNT(*) AS events,
  SUM(CASE WHEN error_code IS NOT NULL THEN 1 ELSE 0 END) AS errors
FROM events
GROUP BY event_source, event_name
ORDER BY events DESC, event_source, event_name
