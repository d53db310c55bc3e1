-- The CAs' key generations: one row per key, each with its self-signed root.
create table ca_key_generation (
    id                     bigint generated always as identity primary key,
    ca                     varchar(16)  not null check (ca in ('SIGNATURE', 'AUTHENTICATION')),
    generation             integer      not null check (generation between 1 and 99),
    key_alias              varchar(64)  not null unique,
    signing_algorithm      varchar(32)  not null,
    subject_dn             text         not null,
    subject_key_identifier bytea        not null unique,
    certificate_der        bytea        not null,
    not_before             timestamptz  not null,
    not_after              timestamptz  not null,
    created_at             timestamptz  not null,
    unique (ca, generation)
);

-- Municipalities the CA issues for: their names go into subjects and CRL distribution points.
create table municipality (
    code       char(6) primary key check (code ~ '^[0-9]{6}$'),
    prefecture text    not null,
    name       text    not null
);

-- The 5-digit sequence in subject common names (timestamp + sequence + counter id), handed out
-- in blocks of 100: ca-service uses values block .. block+99 before asking again.
create sequence subject_sequence increment by 100 minvalue 0 maxvalue 99900 start 0 cycle;

-- Every certificate signed, recorded before it is returned.
create table issued_certificate (
    id                bigint generated always as identity primary key,
    ca                varchar(16)  not null check (ca in ('SIGNATURE', 'AUTHENTICATION')),
    key_generation_id bigint       not null references ca_key_generation (id),
    serial            varchar(40)  not null check (serial ~ '^[0-9a-f]+$'),
    subject_dn        text         not null,
    not_before        timestamptz  not null,
    not_after         timestamptz  not null check (not_after > not_before),
    municipality_code char(6)      not null references municipality (code),
    card_serial       varchar(32)  not null,
    status            varchar(16)  not null check (status in ('VALID', 'ON_HOLD', 'REVOKED')),
    public_key_sha256 bytea        not null,
    der               bytea        not null,
    issued_at         timestamptz  not null,
    -- RFC 5280: issuer + serial names one certificate; all generations of a CA share the issuer DN.
    constraint issued_certificate_serial_per_ca unique (ca, serial),
    -- A key is certified once, by either CA.
    constraint issued_certificate_public_key_once unique (public_key_sha256)
);
create index issued_certificate_by_card on issued_certificate (card_serial, ca, not_before desc);
