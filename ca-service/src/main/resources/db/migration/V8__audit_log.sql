-- Append-only audit trail, chained by hash: entry_hash = SHA-256 over the entry's fields and the
-- previous entry's hash (jp.inkan.common.audit.AuditChain), so a changed, removed or reordered row
-- breaks the chain at that point. Seals sign the chain head with a key in the HSM, so rewriting
-- the whole chain after a change is caught too.
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
create table audit_seal (
    id         bigint generated always as identity primary key,
    seq        bigint      not null,
    entry_hash bytea       not null,
    key_alias  text        not null,
    algorithm  text        not null,
    signature  bytea       not null,
    sealed_at  timestamptz not null
);
create function audit_refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'the audit trail is append-only';
end $$;
create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function audit_refuse_change();
create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_refuse_change();
create trigger audit_seal_append_only before update or delete on audit_seal
    for each row execute function audit_refuse_change();
create trigger audit_seal_no_truncate before truncate on audit_seal
    for each statement execute function audit_refuse_change();
