-- Revocation state of record, as the certificate events carry it. Only certificates that were ever
-- held or revoked are stored (a VALID event for an unknown certificate has nothing to list); the
-- revision guards idempotency (an event whose revision is not above the stored one is ignored).
-- Times are epoch seconds: CRLs carry whole seconds and the encoder reads them a million at a time.
create table cert_status (
    issuer_key_id     text     not null,
    serial            text     not null,
    ca                text     not null check (ca in ('SIGNATURE', 'AUTHENTICATION')),
    key_generation    int      not null,
    municipality_code text     not null,
    not_after         bigint   not null,
    status            char(1)  not null check (status in ('V', 'H', 'R')),
    revoked_at        bigint,
    reason            smallint,
    invalidity_date   bigint,
    revision          bigint   not null,
    change_seq        bigint   not null,
    primary key (issuer_key_id, serial)
);
create index cert_status_listed on cert_status (ca, key_generation, municipality_code) where status <> 'V';
create index cert_status_changes on cert_status (ca, key_generation, change_seq);

-- Bumped (row lock held to commit) by every transaction that applies events: changes commit in
-- change_seq order, so a snapshot that reads value H has seen every change <= H and none above.
create table change_counter (
    id    int    primary key check (id = 1),
    value bigint not null
);
insert into change_counter values (1, 0);

-- Where consumption resumes: written in the transaction that applies the events.
create table consumer_offset (
    topic       text   not null,
    partition   int    not null,
    next_offset bigint not null,
    primary key (topic, partition)
);

-- A CRL scope: one key generation's full CRL (partition '*') or one partition (municipality code).
-- Complete and delta CRLs of a scope share one number sequence (RFC 5280 §5.2.3).
create table crl_scope (
    id                   bigint generated always as identity primary key,
    ca                   text        not null,
    key_generation       int         not null,
    partition            text        not null,
    last_number          numeric(50) not null default 0,
    published_number     numeric(50),
    base_number          numeric(50),
    base_change_seq      bigint,
    complete_allocated_at timestamptz,
    delta_allocated_at    timestamptz,
    constraint crl_scope_once unique (ca, key_generation, partition)
);

-- Every number allocated: published, abandoned (a newer one was out first), or still allocated
-- (its publisher died; the number is never used again).
create table crl (
    scope_id     bigint      not null references crl_scope (id),
    number       numeric(50) not null,
    kind         text        not null check (kind in ('COMPLETE', 'DELTA')),
    base_number  numeric(50),
    state        text        not null check (state in ('ALLOCATED', 'PUBLISHED', 'ABANDONED')),
    change_seq   bigint,
    this_update  timestamptz,
    next_update  timestamptz,
    entries      bigint,
    bytes        bigint,
    sha256       text,
    allocated_at timestamptz not null,
    published_at timestamptz,
    primary key (scope_id, number)
);
