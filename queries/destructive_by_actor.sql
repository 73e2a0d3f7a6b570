-- Destructive calls grouped by actor kind, actor, category and severity:
-- how many actions (decisions: `action_id`; a delete-stack and the deletes
-- CloudFormation made for it are one) did damage, how many API calls did,
-- how many calls were failed attempts, and for agents the approval state of
-- the actions that did damage (an action counts in each state its calls
-- have; they agree unless the records disagree): approved (the record shows a
-- person approved), auto_approved (a rule or mode allowed it), rejected,
-- unknown (the record does not say; not the same as "no").
SELECT
  actor_kind,
  actor,
  destructive_category,
  severity,
  COUNT(DISTINCT CASE WHEN destructive = true THEN action_id END) AS actions,
  SUM(CASE WHEN destructive = true THEN 1 ELSE 0 END) AS done,
  SUM(CASE WHEN error_code IS NOT NULL THEN 1 ELSE 0 END) AS failed_attempts,
  COUNT(DISTINCT CASE WHEN actor_kind = 'ai' AND destructive = true AND approval = 'approved' THEN action_id END) AS ai_approved,
  COUNT(DISTINCT CASE WHEN actor_kind = 'ai' AND destructive = true AND approval = 'auto_approved' THEN action_id END) AS ai_auto_approved,
  COUNT(DISTINCT CASE WHEN actor_kind = 'ai' AND destructive = true AND approval = 'rejected' THEN action_id END) AS ai_rejected,
  COUNT(DISTINCT CASE WHEN actor_kind = 'ai' AND destructive = true AND (approval IS NULL OR approval = 'unknown') THEN action_id END) AS ai_approval_unknown,
  MIN(event_time) AS first_at,
  MAX(event_time) AS last_at
FROM events
WHERE destructive_category IS NOT NULL
GROUP BY actor_kind, actor, destructive_category, severity
ORDER BY
  CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,
  actions DESC, done DESC, actor_kind NULLS LAST, actor NULLS LAST, destructive_category, severity NULLS LAST
