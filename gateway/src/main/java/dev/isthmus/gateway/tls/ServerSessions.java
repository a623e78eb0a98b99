package dev.isthmus.gateway.tls;

import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.internal.tcnative.SSL;
import javax.net.ssl.SSLEngine;

/**
 * The inbound side offers no TLS session resumption: no session tickets, no server-side session cache. Every
 * connection is a full handshake whose client certificate the trust manager checks.
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
 * the load harness too). The JDK provider (the fallback) is left as it is.
 */
final class ServerSessions {

    private ServerSessions() {}

    /** Applies the above to a server context just built; returns the context to use instead. */
    static SslContext configure(SslContext context) {
        if (context.sessionContext() instanceof OpenSslSessionContext sessions) {
            sessions.setSessionCacheEnabled(false);
        }
        return context instanceof ReferenceCountedOpenSslContext ? new WithoutTickets(context) : context;
    }

    /**
     * Turns tickets off engine by engine: Netty's engine clears {@code SSL_OP_NO_TICKET} on each new connection
     * (to let TLS 1.3 resume), so a context-wide option would not hold.
     */
    private static final class WithoutTickets extends DelegatingSslContext {
        WithoutTickets(SslContext context) {
            super(context);
        }

        @Override
        protected void initEngine(SSLEngine engine) {
            if (engine instanceof ReferenceCountedOpenSslEngine openssl) {
                SSL.setOptions(openssl.sslPointer(), SSL.SSL_OP_NO_TICKET);
            }
        }
    }
}
