-- Every CRL this CA signed: what was signed (digest of the TBSCertList), for which scope and number.
-- A scope is the CRL's issuing distribution point (its DER digest; the digest of nothing for a
-- full CRL); complete and delta CRLs of a scope share one number sequence (RFC 5280 §5.2.3). One
-- number in one scope is signed for one content only: a second publisher that allocated the same
-- number for something else is refused, a retry of the same content is signed again.
create table signed_crl (
    id                bigint generated always as identity primary key,
    key_generation_id bigint      not null references ca_key_generation (id),
    scope_sha256      bytea       not null,
    crl_number        numeric(50) not null,
    delta_base        numeric(50),
    tbs_sha256        bytea       not null,
    entries           bigint      not null,
    this_update       timestamptz not null,
    next_update       timestamptz not null,
    client            text        not null,
    signed_at         timestamptz not null,
    constraint signed_crl_number_once unique (key_generation_id, scope_sha256, crl_number)
);
