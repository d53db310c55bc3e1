-- Where each certificate stands as ca-service last answered a revocation or hold made through
-- this service (ca-service's inventory stays the record; this copy answers queries and lets a
-- resident event skip certificates already revoked).
alter table application_certificate
    add column status            varchar(16) not null default 'VALID'
        check (status in ('VALID', 'ON_HOLD', 'REVOKED')),
    add column revoked_at        timestamptz,
    add column revocation_reason varchar(32),
    add constraint application_certificate_revocation_consistent
        check ((status = 'VALID') = (revoked_at is null) and (status = 'VALID') = (revocation_reason is null));
-- Revocation requests name a certificate by serial.
create index application_certificate_by_serial on application_certificate (serial);
