-- Dual control: an operator asks for a sensitive action, other operators approve, and it can be
-- executed once enough distinct operators (the requester counts as one) approved before expiry.
create table operator_request (
    id            bigint generated always as identity primary key,
    action        varchar(32) not null check (action in ('ROTATE', 'RETIRE', 'BOOTSTRAP', 'RELEASE_HOLD')),
    ca            varchar(16) check (ca in ('SIGNATURE', 'AUTHENTICATION')),
    generation    integer,
    serial        varchar(40),
    switch_at     timestamptz,
    requested_by  text        not null,
    requested_at  timestamptz not null,
    expires_at    timestamptz not null check (expires_at > requested_at),
    executed_by   text,
    executed_at   timestamptz,
    outcome       text
);
create table operator_approval (
    request_id  bigint      not null references operator_request (id),
    operator    text        not null,
    approved_at timestamptz not null,
    primary key (request_id, operator)
);
