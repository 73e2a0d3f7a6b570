-- Events per account that recorded them (recipient account).
SELECT
  account_id,
  COUNT(*) AS events,
  SUM(CASE WHEN read_only = false THEN 1 ELSE 0 END) AS writes
FROM events
GROUP BY account_id
ORDER BY events DESC, account_id NULLS LAST
