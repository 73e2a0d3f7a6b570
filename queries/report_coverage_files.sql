-- Coverage: the files read, by kind (CloudTrail, transcripts by format,
-- skipped kinds), with records kept and quarantined.
SELECT
  kind,
  COUNT(*) AS files,
  SUM(records_read) AS records_read,
  SUM(kept) AS kept,
  SUM(quarantined) AS quarantined
FROM ingested_files
GROUP BY kind
ORDER BY kind
