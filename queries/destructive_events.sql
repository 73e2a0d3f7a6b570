-- Every destructive or risky call, newest last: who (actor kind, actor, the
-- person an agent acted for), what (category, severity, the catalog rule),
-- whether it failed (an attempt, not damage), and for agents' calls the tool
-- call's approval state (approved, auto_approved with the rule, rejected,
-- unknown), how long before it a person last wrote, and the action it
-- belongs to (`action_id`: one decision; `via`: how the call came about —
-- direct, cloudformation, s3-batch, waiter, pagination, repeat).
SELECT
  event_time,
  account_id,
  aws_region,
  event_name,
  actor_kind,
  actor,
  operator,
  destructive_category,
  severity,
  catalog_rule,
  CASE WHEN error_code IS NULL THEN 'done' ELSE 'failed: ' || error_code END AS outcome,
  approval,
  approval_rule,
  human_last_spoke_secs,
  agent_session_id,
  tool_call_id,
  action_id,
  via,
  event_id
FROM events
WHERE destructive_category IS NOT NULL
ORDER BY event_time, event_id
