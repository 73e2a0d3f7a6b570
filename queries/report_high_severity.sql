-- Every successful high- or critical-severity destructive call: who, on
-- whose behalf, the agent session and tool call, the approval, and the
-- action it belongs to (`action_id`, and `via`: how the call came about).
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
  action_id,
  via,
  event_id
FROM events
WHERE destructive = true AND severity IN ('high', 'critical')
ORDER BY event_time, event_id
