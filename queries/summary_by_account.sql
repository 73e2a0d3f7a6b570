-- Events per account that recorded them (recipient account).
-- writes: successful calls CloudTrail marks readOnly: false (the
-- attribution's `write` column, the one definition of a write).
SELECT
  account_id,
  COUNT(*) AS events,
  SUM(CASE WHEN write = true THEN 1 ELSE 0 END) AS writes
FROM events
GROUP BY account_id
ORDER BY events DESC, account_id NULLS LAST
