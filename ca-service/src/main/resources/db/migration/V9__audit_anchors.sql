-- Other services' audit chain heads are recorded as audit_log entries (action 'audit.anchor',
-- subject '<client>/<chain>'), so ca-service's seals cover them; each service's verify command
-- reads its anchors back by subject.
create index audit_log_anchors on audit_log (subject, seq) where action = 'audit.anchor';
