-- What the data covers: how many events, over which span, from how many
-- accounts, regions and principals. First table of `trailblame summary`.
-- writes: successful calls CloudTrail marks readOnly: false (the
-- attribution's `write` column, the one definition of a write).
SELECT
  COUNT(*) AS events,
  MIN(event_time) AS first_event,
  MAX(event_time) AS last_event,
  COUNT(DISTINCT event_date) AS days,
  COUNT(DISTINCT account_id) AS accounts,
  COUNT(DISTINCT aws_region) AS regions,
  COUNT(DISTINCT principal_arn) AS principals,
  SUM(CASE WHEN write = true THEN 1 ELSE 0 END) AS writes,
  SUM(CASE WHEN error_code IS NOT NULL THEN 1 ELSE 0 END) AS errors
FROM events
