-- Every successful high- or critical-severity destructive call: who, on
-- whose behalf, the agent session and tool call, and the approval.
SELECT
  event_time,
  account_id,
  event_name,
  severity,
  destructive_category,
  actor_kind,
  actor,
  operator,
  approval,
  human_last_spoke_secs,
  agent_session_id,
  tool_call_id,
  event_id
FROM events
WHERE destructive = true AND severity IN ('high', 'critical')
ORDER BY event_time, event_id
