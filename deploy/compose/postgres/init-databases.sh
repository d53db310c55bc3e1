#!/usr/bin/env bash
# Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d): one
# role and one database per service, as deploy/local/infra.sh makes them, passwords from the
# secret files (never in the Compose file).
set -euo pipefail
for svc in ca registration crl; do
    password=$(head -n 1 "/run/secrets/$svc-db-password")
    psql -v ON_ERROR_STOP=1 -q --username "$POSTGRES_USER" --dbname postgres \
        -v user="inkan_$svc" -v db="inkan_$svc" -v pw="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'user', :'pw') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user') \gexec
SQL
done
