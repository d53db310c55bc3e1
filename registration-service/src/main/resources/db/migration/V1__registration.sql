-- Municipalities that may call, each with the one client certificate allowed to speak for it.
create table municipality (
    code                      char(6)     primary key check (code ~ '^[0-9]{6}$'),
    prefecture                text        not null,
    name                      text        not null,
    client_subject            text        not null,
    client_certificate_sha256 bytea       not null check (length(client_certificate_sha256) = 32),
    updated_at                timestamptz not null
);

-- One card application per (municipality, Idempotency-Key). The resident record code is kept only
-- as a keyed hash (HMAC-SHA256): it can be matched, never read back.
create table application (
    id                uuid        primary key,
    municipality_code char(6)     not null references municipality (code),
    idempotency_key   varchar(128) not null,
    request_sha256    bytea       not null,
    resident_hash     bytea       not null,
    card_serial       varchar(32) not null,
    status            varchar(16) not null check (status in ('PENDING', 'COMPLETED')),
    created_at        timestamptz not null,
    completed_at      timestamptz,
    constraint application_idempotency unique (municipality_code, idempotency_key)
);
create index application_by_resident on application (municipality_code, resident_hash);

-- The certificates ca-service issued for an application, kept to answer replays and queries.
create table application_certificate (
    application_id uuid        not null references application (id),
    type           varchar(16) not null check (type in ('SIGNATURE', 'AUTHENTICATION')),
    serial         varchar(40) not null,
    key_generation integer     not null,
    not_before     timestamptz not null,
    not_after      timestamptz not null,
    pem            text        not null,
    primary key (application_id, type)
);

-- Who did what, when, with what outcome. Append-only: the database refuses changes and deletions.
create table audit_event (
    id                bigint generated always as identity primary key,
    at                timestamptz not null,
    actor             text        not null,
    municipality_code char(6),
    action            varchar(32) not null,
    outcome           varchar(16) not null check (outcome in ('ACCEPTED', 'REPLAYED', 'REFUSED', 'FAILED')),
    application_id    uuid,
    detail            text        not null
);

create function audit_event_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_event is append-only';
end
$$;
create trigger audit_event_no_change before update or delete on audit_event
    for each row execute function audit_event_is_append_only();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_event_is_append_only();
