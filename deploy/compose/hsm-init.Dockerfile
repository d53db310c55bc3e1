# syntax=docker/dockerfile:1
# Initialises the SoftHSM2 tokens of ca-service and ocsp-responder in their volumes, once
# (deploy/compose service hsm-init; the token init containers of k8s/). Context = the repository root:
#
#   docker build -f deploy/compose/hsm-init.Dockerfile .
FROM debian:bookworm-slim
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends softhsm2; \
    rm -rf /var/lib/apt/lists/*
COPY deploy/local/hsm-slot.sh /usr/local/bin/inkan-hsm-slot
COPY deploy/compose/init-tokens.sh /usr/local/bin/inkan-init-tokens
ENTRYPOINT ["/usr/local/bin/inkan-init-tokens"]
