package dev.isthmus.gateway.tls;

import static java.util.Objects.requireNonNull;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.client.CertifiedKey;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * The client mTLS context of the moment for a remote gateway: this gateway's current certificate,
 * trusting exactly {@code peer} ({@link TlsContexts#client}). The gateway keeps one, which its outbound
 * connections and its probes share, so both present the same certificate and a context is built once per
 * peer and credential. Asked before every connection, so renewed credentials reach the next one.
 */
@FunctionalInterface
public interface ClientContexts {

    SslContext forPeer(SpiffeId peer) throws SSLException;

    /**
     * Contexts built from whatever {@code credentials} and {@code anchors} supply at the time (a gateway's
     * {@code tls()::credentials} and {@code tls()::anchors}); one per peer is kept until either changes.
     */
    static ClientContexts current(Supplier<CertifiedKey> credentials, Supplier<TrustAnchors> anchors, SslProvider provider,
            Clock clock) {
        return current(credentials, anchors, provider, KeyExchange.DEFAULT, clock);
    }

    /** The same, offering the key exchanges of {@code keyExchange}. */
    static ClientContexts current(Supplier<CertifiedKey> credentials, Supplier<TrustAnchors> anchors, SslProvider provider,
            KeyExchange keyExchange, Clock clock) {
        requireNonNull(keyExchange, "keyExchange");
        requireNonNull(credentials, "credentials");
        requireNonNull(anchors, "anchors");
        requireNonNull(provider, "provider");
        requireNonNull(clock, "clock");
        record Built(CertifiedKey credentials, TrustAnchors anchors, SslContext context) {}
        Map<SpiffeId, Built> built = new ConcurrentHashMap<>();
        return peer -> {
            CertifiedKey key = credentials.get();
            TrustAnchors roots = anchors.get();
            if (key == null || roots == null) {
                throw new SSLException("this gateway has no certificate and trust anchors yet");
            }
            Built last = built.get(peer);
            if (last != null && last.credentials() == key && last.anchors() == roots) {
                return last.context();
            }
            SslContext context = TlsContexts.client(key, roots, peer, provider, keyExchange, clock);
            built.put(peer, new Built(key, roots, context));
            return context;
        };
    }
}
