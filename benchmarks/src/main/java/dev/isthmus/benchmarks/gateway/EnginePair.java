package dev.isthmus.benchmarks.gateway;

import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.IssuedCertificate;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.client.CertifiedKey;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * A gateway-to-gateway TLS connection without sockets: the two gateways' real SslContexts (TLS 1.3,
 * mutual authentication, SPIFFE identity checks), their engines wired back to back through buffers.
 */
final class EnginePair {

    static final SpiffeId EAST = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
    static final SpiffeId WEST = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway-west");

    /** Contexts for both sides, made once per benchmark. */
    record Contexts(SslContext server, SslContext client) {
        static Contexts create(SslProvider provider) throws SSLException {
            Clock clock = Clock.systemUTC();
            CertificateAuthority root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(10), clock);
            CertificateAuthority issuer = root.createIssuer("cluster.local", Duration.ofDays(5), clock);
            TrustAnchors anchors = new TrustAnchors(root.chain(), "root");
            return new Contexts(TlsContexts.server(leaf(issuer, EAST, clock), anchors, provider, clock),
                    TlsContexts.client(leaf(issuer, WEST, clock), anchors, EAST, provider, clock));
        }

        private static CertifiedKey leaf(CertificateAuthority issuer, SpiffeId id, Clock clock) {
            KeyPair keys = Keys.generateP256();
            IssuedCertificate issued = new LeafIssuer(issuer, clock).issue(keys.getPublic(), id);
            return new CertifiedKey(keys.getPrivate(), issued.chain());
        }
    }

    final SSLEngine client;
    final SSLEngine server;
    private final ByteBuffer clientToServer;
    private final ByteBuffer serverToClient;
    private final ByteBuffer scratch;

    EnginePair(Contexts contexts) {
        client = contexts.client().newEngine(ByteBufAllocator.DEFAULT, "east", 4143);
        server = contexts.server().newEngine(ByteBufAllocator.DEFAULT);
        int packet = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        clientToServer = ByteBuffer.allocateDirect(packet * 4);
        serverToClient = ByteBuffer.allocateDirect(packet * 4);
        scratch = ByteBuffer.allocateDirect(packet * 4);
    }

    /** Runs the whole handshake; fails if it does not finish. */
    void handshake() throws SSLException {
        client.beginHandshake();
        server.beginHandshake();
        ByteBuffer empty = ByteBuffer.allocate(0);
        for (int round = 0; round < 100; round++) {
            step(client, empty, clientToServer, serverToClient);
            step(server, empty, serverToClient, clientToServer);
            if (done(client) && done(server) && clientToServer.position() == 0 && serverToClient.position() == 0) {
                return;
            }
        }
        throw new SSLException("handshake did not finish: client " + client.getHandshakeStatus() + ", server "
                + server.getHandshakeStatus());
    }

    /** Encrypts {@code plaintext} on the client and decrypts it on the server, as a relay does per record. */
    int transfer(ByteBuffer plaintext) throws SSLException {
        clientToServer.clear();
        client.wrap(plaintext, clientToServer);
        clientToServer.flip();
        scratch.clear();
        server.unwrap(clientToServer, scratch);
        return scratch.position();
    }

    void release() {
        ReferenceCountUtil.release(client);
        ReferenceCountUtil.release(server);
    }

    private static boolean done(SSLEngine engine) {
        HandshakeStatus status = engine.getHandshakeStatus();
        return status == HandshakeStatus.FINISHED || status == HandshakeStatus.NOT_HANDSHAKING;
    }

    /** One turn of an engine: run delegated tasks, unwrap what the peer sent, wrap what it has to send. */
    private void step(SSLEngine engine, ByteBuffer empty, ByteBuffer outbox, ByteBuffer inbox) throws SSLException {
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
        }
        inbox.flip();
        while (inbox.hasRemaining()) {
            scratch.clear();
            int before = inbox.remaining();
            engine.unwrap(inbox, scratch);
            for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                task.run();
            }
            if (inbox.remaining() == before) {
                break;
            }
        }
        inbox.compact();
        // Wrap until nothing comes out: an engine may have a flight pending whatever its status says.
        for (int i = 0; i < 8 && engine.wrap(empty, outbox).bytesProduced() > 0; i++) {
            for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                task.run();
            }
        }
    }
}
