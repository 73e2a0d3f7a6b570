-- Coverage: which accounts and regions the events come from, over which
-- days.
SELECT
  account_id,
  aws_region,
  COUNT(*) AS events,
  MIN(event_time) AS first_event,
  MAX(event_time) AS last_event,
  COUNT(DISTINCT event_date) AS days
FROM events
GROUP BY account_id, aws_region
ORDER BY account_id NULLS LAST, aws_region NULLS LAST
