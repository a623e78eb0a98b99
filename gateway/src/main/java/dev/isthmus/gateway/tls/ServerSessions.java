package dev.isthmus.gateway.tls;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;

/**
 * How the inbound side lets peers resume TLS sessions: with the TLS 1.3 session tickets BoringSSL sends after
 * each handshake, and no server-side session cache.
 *
 * <p>The gateway's own clients resume: the dialer and the probe name the peer gateway and its port, so Netty's
 * client session cache offers the last ticket on the next connection, and that handshake skips both
 * certificates and their checks. So the tickets stay, although each (~1.2 KiB: it carries the client's
 * certificate chain) is made, encrypted and written on every full handshake. BoringSSL sends two; one would do
 * for clients that keep one session per peer, but netty-tcnative's BoringSSL build refuses
 * {@code SSL_CTX_set_num_tickets}, so the choice there is two or none.
 *
 * <p>TLS 1.3 resumes from tickets, which BoringSSL decrypts without looking anything up, so a server-side cache
 * only stores a session per handshake that nothing reads (the manifests turn it off for the whole JVM with
 * {@code -Dio.netty.handler.ssl.openssl.sessionCacheServer=false}; this holds without that flag, in tests and in
 * the load harness too). The JDK provider (the fallback) is left as it is.
 */
final class ServerSessions {

    private ServerSessions() {}

    /** Applies the above to a server context just built, before any connection uses it. */
    static SslContext configure(SslContext context) {
        if (context.sessionContext() instanceof OpenSslSessionContext sessions) {
            sessions.setSessionCacheEnabled(false);
        }
        return context;
    }
}
