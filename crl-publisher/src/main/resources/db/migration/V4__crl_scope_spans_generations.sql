-- A CRL lists the revocations of every key generation of its CA (they share the issuer DN, and a
-- CRL's scope is its issuer name and IDP, not its key): entries are looked up per CA, not per generation.
drop index cert_status_listed;
drop index cert_status_changes;
create index cert_status_listed on cert_status (ca, municipality_code) where status <> 'V';
create index cert_status_changes on cert_status (ca, change_seq);
