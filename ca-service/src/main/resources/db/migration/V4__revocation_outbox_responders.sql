-- Revocation state of record. revoked_at is the first revocation or hold; a later change of reason
-- (only to keyCompromise, or from hold to a revocation) keeps it. revision counts status changes and
-- orders the events consumers apply (1 = issued).
alter table issued_certificate
    add column revoked_at        timestamptz,
    add column revocation_reason varchar(32)
        check (revocation_reason in ('unspecified', 'keyCompromise', 'affiliationChanged', 'superseded',
                                     'cessationOfOperation', 'certificateHold', 'removeFromCRL')),
    add column invalidity_date   timestamptz,
    add column revision          bigint not null default 1,
    add constraint issued_certificate_revocation_consistent check (
        (status = 'VALID' and (revocation_reason is null or revocation_reason = 'removeFromCRL'))
        or (status = 'ON_HOLD' and revocation_reason = 'certificateHold' and revoked_at is not null)
        or (status = 'REVOKED' and revocation_reason not in ('certificateHold', 'removeFromCRL')
            and revoked_at is not null));

-- Transactional outbox: an event is written in the transaction that changes the certificate and
-- published to Kafka afterwards by the relay, which marks it published only once the broker acked.
create table outbox_event (
    id           bigint generated always as identity primary key,
    event_key    text        not null,
    payload      text        not null,
    created_at   timestamptz not null,
    published_at timestamptz
);
create index outbox_event_unpublished on outbox_event (id) where published_at is null;

-- Delegated OCSP responder certificates. Their serials share the CA's serial space with end-entity
-- certificates (issuer + serial names a certificate), so issuance checks both tables.
create table responder_certificate (
    id                bigint generated always as identity primary key,
    ca                varchar(16) not null check (ca in ('SIGNATURE', 'AUTHENTICATION')),
    key_generation_id bigint      not null references ca_key_generation (id),
    serial            varchar(40) not null check (serial ~ '^[0-9a-f]+$'),
    subject_dn        text        not null,
    not_before        timestamptz not null,
    not_after         timestamptz not null check (not_after > not_before),
    public_key_sha256 bytea       not null,
    der               bytea       not null,
    issued_at         timestamptz not null,
    constraint responder_certificate_serial_per_ca unique (ca, serial)
);
