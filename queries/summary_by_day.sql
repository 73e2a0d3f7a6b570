-- Events per UTC day, with writes and failed calls: where activity rose or stopped.
-- writes: successful calls CloudTrail marks readOnly: false (the
-- attribution's `write` column, the one definition of a write).
SELECT
  event_date,
  COUNT(*) AS events,
  SUM(CASE WHEN write = true THEN 1 ELSE 0 END) AS writes,
  SUM(CASE WHEN error_code IS NOT NULL THEN 1 ELSE 0 END) AS errors
FROM events
GROUP BY event_date
ORDER BY event_date
