package dev.isthmus.gateway.tls;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;
import javax.net.ssl.SSLSessionContext;

/**
 * The inbound side offers no TLS session resumption: no session tickets, no server-side session cache. Every
 * connection is a full handshake whose client certificate the trust manager checks. {@link ServerTls} makes every
 * inbound handler so; {@link TlsContexts#server} turns the cache off.
 *
 * <p>BoringSSL resumes a TLS 1.3 session from a ticket without asking the trust manager, for as long as the
 * ticket keys (the context's, until this gateway's own certificate is renewed) and the ticket's lifetime allow:
 * a peer whose certificate expired since, or was not renewed because it should no longer connect, resumed and
 * was let in ({@code ServerSessionsTest}). What tickets saved was small: only the gateway's own
 * dialer and probe resume (they name the peer and its port, so Netty's client cache offers the last ticket), the
 * dialer's connections are long-lived and the probe opens one every few seconds. What they cost was paid on
 * every full handshake: BoringSSL made, encrypted and wrote two tickets of ~1.2 KiB each (they carry the client's
 * certificate chain). One ticket would halve that, but netty-tcnative's BoringSSL build refuses
 * {@code SSL_CTX_set_num_tickets}.
 *
 * <p>With tickets, BoringSSL decrypts a ticket without a lookup, so a server-side cache only ever stored a
 * session per handshake that nothing read (the manifests also turn it off for the whole JVM with
 * {@code -Dio.netty.handler.ssl.openssl.sessionCacheServer=false}; this holds without that flag, in tests and in
 * the load harness too).
 *
 * <p>The JDK provider (the fallback where netty-tcnative does not load: the build bundles it for Linux and macOS
 * on x86_64 and aarch64, and Windows on x86_64) resumed the same way: its TLS 1.3 server sent a ticket after every
 * handshake and took it back without asking the trust manager. It has no switch for tickets; it sends none when the
 * session timeout is longer than a ticket may live (7 days, RFC 8446 section 4.6.1), so the context gets a timeout past
 * that, and a cache of one session so that the long timeout keeps nothing else ({@code ServerSessionsTest}: an
 * expired peer that connected before is refused, with either provider).
 */
final class ServerSessions {

    private ServerSessions() {}

    /**
     * Turns the server-side session cache of a context just built off, and for the JDK provider its tickets too;
     * returns the same context.
     */
    static SslContext withoutSessionCache(SslContext context) {
        SSLSessionContext sessions = context.sessionContext();
        if (sessions instanceof OpenSslSessionContext openssl) {
            openssl.setSessionCacheEnabled(false);
        } else if (sessions != null) {
            sessions.setSessionTimeout(Integer.MAX_VALUE); // past a ticket's 7 days: the JDK's TLS 1.3 server sends none
            sessions.setSessionCacheSize(1); // 0 would be "no limit"
        }
        return context;
    }

    /**
     * Turns tickets off for the connection of a new {@code handler}, before its handshake starts. Connection by
     * connection, because Netty's engine clears {@code SSL_OP_NO_TICKET} on each new connection (to let TLS 1.3
     * resume), so a context-wide option would not hold.
     */
    static SslHandler withoutTickets(SslHandler handler) {
        if (handler.engine() instanceof ReferenceCountedOpenSslEngine openssl) {
            SSL.setOptions(openssl.sslPointer(), SSL.SSL_OP_NO_TICKET);
        }
        return handler;
    }
}
