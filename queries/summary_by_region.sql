-- Events per region (global services log in us-east-1).
SELECT
  aws_region,
  COUNT(*) AS events,
  SUM(CASE WHEN read_only = false THEN 1 ELSE 0 END) AS writes
FROM events
GROUP BY aws_region
ORDER BY events DESC, aws_region NULLS LAST
