-- Key rotation (RFC 4210 §4.4-style root key update). A generation issues from issuing_from on
-- (the newest such one issues), keeps signing CRLs and OCSP responder certificates for its own
-- certificates until it is retired, and is retired (key destroyed in the HSM) once the last of them
-- expired. link_from_previous_der is this generation's key certified by the previous key
-- (NewWithOld), link_to_previous_der the previous key certified by this one (OldWithNew).
alter table ca_key_generation
    add column issuing_from           timestamptz,
    add column link_from_previous_der bytea,
    add column link_to_previous_der   bytea,
    add column retired_at             timestamptz,
    add column retired_by             text,
    add column key_destroyed_at       timestamptz;
update ca_key_generation set issuing_from = created_at;
alter table ca_key_generation alter column issuing_from set not null;
