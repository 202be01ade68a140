/*
 * LD_PRELOAD for wrk in the handshake scenario: every new connection is a full TLS handshake.
 *
 * wrk (4.1, src/ssl.c) closes a connection with SSL_shutdown + SSL_clear and reuses the SSL object
 * for the next one; SSL_clear keeps the session of a cleanly shut connection, so wrk offers it again
 * (a TLS 1.3 ticket, or a 1.2 session id) and HAProxy, NGINX and Balancer all resume it: measured
 * 1,099 of 1,101 connections resumed against NGINX. Forgetting the session after SSL_clear makes the
 * client side, not each server's settings, decide that nothing is resumed, so every proxy keeps its
 * default session cache and tickets (.NET only caches its SSL_CTX while resumption is allowed: turning
 * resumption off on the server would cost Balancer an SSL_CTX per handshake and measure that instead).
 *
 *   gcc -O2 -shared -fPIC -o no-resume.so no-resume.c -lssl -ldl
 *   LD_PRELOAD=$PWD/no-resume.so wrk -H 'Connection: close' https://...
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <openssl/ssl.h>

int SSL_clear(SSL *ssl)
{
    static int (*next)(SSL *);
    if (!next)
        next = (int (*)(SSL *))dlsym(RTLD_NEXT, "SSL_clear");
    int result = next(ssl);
    SSL_set_session(ssl, NULL); /* frees the kept session: the next SSL_connect offers none */
    return result;
}
