-- crl-publisher's audit trail, as ca-service's (V8) and registration-service's: append-only and
-- chained by hash (jp.inkan.common.audit.AuditChain / AuditTable). It holds no HSM key: its chain
-- head is anchored in ca-service's sealed chain instead (POST /internal/v1/audit/anchors).
create table audit_log (
    seq         bigint      primary key check (seq > 0),
    at          timestamptz not null,
    actor       text        not null,
    action      text        not null,
    subject     text        not null,
    detail      text        not null,
    prev_hash   bytea       not null,
    entry_hash  bytea       not null
);
create function audit_refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'the audit trail is append-only';
end $$;
create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function audit_refuse_change();
create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_refuse_change();
