-- Calls by client as read from the user agent (aws-cli, boto3, sdk, console,
-- terraform, service, other): how people and tools reached the account.
-- writes: successful calls CloudTrail marks readOnly: false (the
-- attribution's `write` column, the one definition of a write).
SELECT
  COALESCE(client, '(none)') AS client,
  COUNT(*) AS events,
  SUM(CASE WHEN write = true THEN 1 ELSE 0 END) AS writes
FROM events
GROUP BY COALESCE(client, '(none)')
ORDER BY events DESC, client
