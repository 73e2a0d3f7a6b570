-- Events per region (global services log in us-east-1).
-- writes: successful calls CloudTrail marks readOnly: false (the
-- attribution's `write` column, the one definition of a write).
SELECT
  aws_region,
  COUNT(*) AS events,
  SUM(CASE WHEN write = true THEN 1 ELSE 0 END) AS writes
FROM events
GROUP BY aws_region
ORDER BY events DESC, aws_region NULLS LAST
