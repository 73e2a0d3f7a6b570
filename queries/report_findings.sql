-- The report's anomalies: the findings of `trailblame anomalies` (the
-- `findings` table), most severe first, with who, when and the sentence
-- that explains each.
SELECT
  severity,
  detector,
  actor_kind,
  actor,
  operator,
  window_start,
  event_count,
  explanation,
  finding_id
FROM findings
ORDER BY severity_rank DESC, score DESC, window_start, finding_id
LIMIT 15
