/*
 * wrk cannot present a TLS client certificate. Preloaded into wrk (LD_PRELOAD), this gives every
 * SSL_CTX that wrk creates the certificate chain and key named by WRK_CLIENT_CERT and WRK_CLIENT_KEY
 * (PEM files), so a server that asks for a client certificate gets one on each connection.
 * Built by bench/ocsp-mtls.sh: gcc -shared -fPIC -o wrk-client-cert.so wrk-client-cert.c -ldl
 * No OpenSSL headers needed: the two functions are looked up in the libssl wrk already loaded.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_method_st SSL_METHOD;

#define SSL_FILETYPE_PEM 1

SSL_CTX *SSL_CTX_new(const SSL_METHOD *method) {
    static SSL_CTX *(*real_new)(const SSL_METHOD *);
    static int (*use_chain)(SSL_CTX *, const char *);
    static int (*use_key)(SSL_CTX *, const char *, int);
    if (!real_new) {
        real_new = (SSL_CTX * (*)(const SSL_METHOD *)) dlsym(RTLD_NEXT, "SSL_CTX_new");
        use_chain = (int (*)(SSL_CTX *, const char *)) dlsym(RTLD_DEFAULT, "SSL_CTX_use_certificate_chain_file");
        use_key = (int (*)(SSL_CTX *, const char *, int)) dlsym(RTLD_DEFAULT, "SSL_CTX_use_PrivateKey_file");
    }
    SSL_CTX *ctx = real_new(method);
    const char *cert = getenv("WRK_CLIENT_CERT");
    const char *key = getenv("WRK_CLIENT_KEY");
    if (ctx && cert && key) {
        if (!use_chain || use_chain(ctx, cert) != 1 || !use_key || use_key(ctx, key, SSL_FILETYPE_PEM) != 1) {
            fprintf(stderr, "wrk-client-cert: cannot load %s / %s\n", cert, key);
            exit(2);
        }
    }
    return ctx;
}
