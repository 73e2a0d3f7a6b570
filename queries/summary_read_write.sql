-- Read-only versus write calls (readOnly as CloudTrail recorded it; unknown
-- when the record does not say, as for some service and insight events).
-- `write` is a successful write (the attribution's `write` column, the one
-- definition every query uses); `failed_write` is a write attempt that
-- returned an error code and changed nothing.
SELECT
  CASE WHEN write = true THEN 'write' WHEN read_only = false THEN 'failed_write' WHEN read_only = true THEN 'read' ELSE 'unknown' END AS access,
  COUNT(*) AS events
FROM events
GROUP BY CASE WHEN write = true THEN 'write' WHEN read_only = false THEN 'failed_write' WHEN read_only = true THEN 'read' ELSE 'unknown' END
ORDER BY events DESC, access
