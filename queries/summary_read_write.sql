-- Read-only versus write calls (readOnly as CloudTrail recorded it; unknown
-- when the record does not say, as for some service and insight events).
SELECT
  CASE WHEN read_only = true THEN 'read' WHEN read_only = false THEN 'write' ELSE 'unknown' END AS access,
  COUNT(*) AS events
FROM events
GROUP BY CASE WHEN read_only = true THEN 'read' WHEN read_only = false THEN 'write' ELSE 'unknown' END
ORDER BY events DESC, access
