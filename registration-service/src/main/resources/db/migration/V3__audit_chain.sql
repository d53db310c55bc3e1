-- The audit trail chained by hash (common's AuditChain, as in ca-service): entries from now on carry
-- a gap-free sequence number, the previous entry's hash and their own. Entries written before this
-- migration have none and are outside the chain.
alter table audit_event
    add column seq        bigint unique check (seq > 0),
    add column prev_hash  bytea,
    add column entry_hash bytea,
    add constraint audit_event_chained check ((seq is null) = (entry_hash is null) and (seq is null) = (prev_hash is null));
