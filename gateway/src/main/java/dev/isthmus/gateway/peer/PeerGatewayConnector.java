package dev.isthmus.gateway.peer;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.io.IoTransport;
import dev.isthmus.gateway.pipeline.HandlerNames;
import dev.isthmus.gateway.pipeline.PipelineTail;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.tls.ClientContexts;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.SpiffeId;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * The one way this gateway dials a peer gateway, for outbound traffic and the probe alike: the wire
 * protocol's client side. TCP on the caller's event loop within the connect timeout; TLS 1.3 with this
 * gateway's certificate of the moment from the one {@link ClientContexts} cache, SNI the peer's DNS identity,
 * ALPN {@code transport.l5d.io/v1}, and the peer's certificate must carry exactly the expected identity;
 * then the transport header, ahead of anything the session writes. A connection to a peer gateway:
 * <pre>
 * tls     SslHandler              TLS 1.3, SNI, the exact peer identity; holds every write until the handshake is done
 * header  TransportHeaderWriter   writes the header first, then is replaced by the caller's session handler
 *                                   (an HTTP/2 client codec and pool bookkeeping, a Relay, the probe's HTTP/2 session)
 * tail    PipelineTail
 * </pre>
 * A connection counts as made once the handshake proved the peer's identity; a failure is classified once,
 * here, as a {@link PeerConnectException}. What a side adds on top stays with it: outbound's backoff and its
 * metrics by link, the probe's addresses in turn and its overall timeout.
 */
public final class PeerGatewayConnector {

    /** The pipeline's names (see above); {@code tls} is every side's name for its SslHandler. */
    public static final String TLS = HandlerNames.TLS;
    public static final String HEADER = "header";

    private final ClientContexts contexts;
    private final Duration connectTimeout;
    private final Duration handshakeTimeout;

    /**
     * @param contexts the gateway's one cache of client contexts, asked before every connection so that renewed
     *     credentials reach the next one
     * @param connectTimeout how long a TCP connect may take, unless a caller asks for less
     * @param handshakeTimeout how long the TLS handshake may take
     */
    public PeerGatewayConnector(ClientContexts contexts, Duration connectTimeout, Duration handshakeTimeout) {
        this.contexts = requireNonNull(contexts, "contexts");
        this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout");
        this.handshakeTimeout = requireNonNull(handshakeTimeout, "handshakeTimeout");
    }

    /**
     * The client context a new connection to {@code peer} would be made with now. A connection kept from
     * before that was made with another one predates this gateway's current credentials.
     */
    public SslContext context(SpiffeId peer) throws SSLException {
        return contexts.forPeer(peer);
    }

    /** {@link #connect(EventLoop, Endpoint, SpiffeId, TransportHeader, ChannelHandler, Duration)} with the configured connect timeout. */
    public Future<Channel> connect(EventLoop loop, Endpoint gateway, SpiffeId peer, TransportHeader header, ChannelHandler session) {
        return connect(loop, gateway, peer, header, session, connectTimeout);
    }

    /**
     * Dials {@code gateway}, which must prove it is {@code peer}, and sends {@code header}; {@code session} takes the
     * header writer's place once the header is written. The future gives the channel, reads on, once the handshake
     * is done, or fails with a {@link PeerConnectException} and the channel closed. Cancelling it closes the channel.
     *
     * @param connectTimeout how long the TCP connect may take (a probe gives what is left of its own timeout)
     */
    public Future<Channel> connect(EventLoop loop, Endpoint gateway, SpiffeId peer, TransportHeader header, ChannelHandler session,
            Duration connectTimeout) {
        Promise<Channel> connected = loop.newPromise();
        if (loop.inEventLoop()) {
            dial(loop, gateway, peer, header, session, connectTimeout, connected);
        } else {
            // On the loop, so that the connect's listener is in place before the connect can fail: dialed from another
            // thread, a refused connect could close the channel (and fail the handshake, "SslHandler removed") before
            // the listener was added, and a refusal was reported as a handshake failure.
            loop.execute(() -> dial(loop, gateway, peer, header, session, connectTimeout, connected));
        }
        return connected;
    }

    private void dial(EventLoop loop, Endpoint gateway, SpiffeId peer, TransportHeader header, ChannelHandler session,
            Duration connectTimeout, Promise<Channel> connected) {
        SslContext context;
        try {
            context = contexts.forPeer(peer);
        } catch (SSLException | RuntimeException e) {
            connected.setFailure(PeerConnectException.noCredentials(gateway, e));
            return;
        }
        long timeoutMillis = Math.max(1, connectTimeout.toMillis());
        ChannelFuture connect = new Bootstrap()
                .group(loop)
                .channel(IoTransport.of(loop).socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        SslHandler tls = context.newHandler(channel.alloc(), peer.dnsName(), gateway.port());
                        tls.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
                        tls.handshakeFuture().addListener(handshake -> {
                            if (handshake.isSuccess()) {
                                // Half-closure only from now on, for the opaque sessions that pass a half-close on.
                                // Before, a peer that hangs up mid-handshake (a gateway at its connection limit) must
                                // close the channel and fail the handshake at once, not after the handshake timeout.
                                channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
                                connected.trySuccess(channel);
                            } else {
                                failed(connected, channel, gateway, handshake.cause(), timeoutMillis);
                            }
                        });
                        channel.pipeline().addLast(TLS, tls);
                        channel.pipeline().addLast(HEADER, new TransportHeaderWriter(header, session));
                        PipelineTail.addTo(channel.pipeline());
                    }
                })
                .connect(gateway.host(), gateway.port());
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                failed(connected, connect.channel(), gateway, f.cause(), timeoutMillis);
            }
        });
        connected.addListener(f -> {
            if (f.isCancelled()) {
                connect.channel().close();
            }
        });
    }

    private static void failed(Promise<Channel> connected, Channel channel, Endpoint gateway, Throwable cause, long timeoutMillis) {
        // The connect and the handshake both report some failures (a close mid-handshake, say): the first one counts.
        if (!connected.isDone()) {
            connected.tryFailure(PeerConnectException.of(gateway, cause, timeoutMillis));
        }
        channel.close();
    }
}
