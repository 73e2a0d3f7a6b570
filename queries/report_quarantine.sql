-- Coverage: what could not be read, by reason, with an example file.
SELECT
  reason,
  COUNT(*) AS records,
  MIN(source_file) AS example_file
FROM quarantine
GROUP BY reason
ORDER BY records DESC, reason
