-- The caller's id for each certificate request (registration-service: application id + type).
-- A retry with the same id gets the certificate already issued, never a second one.
alter table issued_certificate add column request_id varchar(80);
alter table issued_certificate add constraint issued_certificate_request_once unique (request_id);
