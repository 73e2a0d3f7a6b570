-- Who acted: events, write events and destructive-looking write events by
-- actor kind (ai, human, service, automation, unknown), from the attribution.
-- "Destructive" here is the verb of a successful write (Delete*, Terminate*,
-- Remove*, Disable*, Detach*, Revoke*, Purge*, Deregister*, StopLogging,
-- ScheduleKeyDeletion): a first cut until the destructive-actions catalog.
SELECT
  actor_kind,
  COUNT(*) AS events,
  SUM(CASE WHEN read_only = false THEN 1 ELSE 0 END) AS writes,
  SUM(CASE WHEN read_only = false AND error_code IS NULL AND (
        event_name LIKE 'Delete%' OR event_name LIKE 'Terminate%' OR event_name LIKE 'Remove%'
        OR event_name LIKE 'Disable%' OR event_name LIKE 'Detach%' OR event_name LIKE 'Revoke%'
        OR event_name LIKE 'Purge%' OR event_name LIKE 'Deregister%'
        OR event_name = 'StopLogging' OR event_name = 'ScheduleKeyDeletion')
      THEN 1 ELSE 0 END) AS destructive,
  COUNT(DISTINCT actor) AS actors,
  COUNT(DISTINCT agent_session_id) AS agent_sessions
FROM events
GROUP BY actor_kind
ORDER BY events DESC, actor_kind
