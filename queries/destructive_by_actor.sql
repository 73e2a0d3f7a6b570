-- Destructive calls grouped by actor kind, actor, category and severity:
-- how many did damage, how many were failed attempts, and for agents the
-- approval state of those that did damage: approved (the record shows a
-- person approved), auto_approved (a rule or mode allowed it), rejected,
-- unknown (the record does not say; not the same as "no").
SELECT
  actor_kind,
  actor,
  destructive_category,
  severity,
  SUM(CASE WHEN destructive = true THEN 1 ELSE 0 END) AS done,
  SUM(CASE WHEN error_code IS NOT NULL THEN 1 ELSE 0 END) AS failed_attempts,
  SUM(CASE WHEN actor_kind = 'ai' AND destructive = true AND approval = 'approved' THEN 1 ELSE 0 END) AS ai_approved,
  SUM(CASE WHEN actor_kind = 'ai' AND destructive = true AND approval = 'auto_approved' THEN 1 ELSE 0 END) AS ai_auto_approved,
  SUM(CASE WHEN actor_kind = 'ai' AND destructive = true AND approval = 'rejected' THEN 1 ELSE 0 END) AS ai_rejected,
  SUM(CASE WHEN actor_kind = 'ai' AND destructive = true AND (approval IS NULL OR approval = 'unknown') THEN 1 ELSE 0 END) AS ai_approval_unknown,
  MIN(event_time) AS first_at,
  MAX(event_time) AS last_at
FROM events
WHERE destructive_category IS NOT NULL
GROUP BY actor_kind, actor, destructive_category, severity
ORDER BY
  CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,
  done DESC, actor_kind NULLS LAST, actor NULLS LAST, destructive_category, severity NULLS LAST
