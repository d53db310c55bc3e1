-- ca-service takes the subject sequence in blocks of 100 (values block .. block+99).
alter sequence subject_sequence increment by 100 minvalue 0 maxvalue 99900 restart with 0 cycle;
