package dev.isthmus.gateway.outbound;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.peer.PeerConnectException;
import dev.isthmus.gateway.peer.PeerGatewayConnector;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.logging.Logger;

/**
 * Outbound's connections to remote gateways: the gateway's one {@link PeerGatewayConnector} (TCP, mTLS to exactly
 * the link's gateway identity, the transport header naming the remote service), with what outbound adds on top.
 * Every failure is counted by link and the connector's reason and starts the address's {@link ReconnectBackoff};
 * while it lasts, attempts fail at once.
 */
final class GatewayDialer {

    private static final Logger log = Logger.getLogger(GatewayDialer.class.getName());

    private final PeerGatewayConnector connector;
    private final ReconnectBackoff backoff;
    private final GatewayMetrics metrics;

    GatewayDialer(PeerGatewayConnector connector, ReconnectBackoff backoff, GatewayMetrics metrics) {
        this.connector = connector;
        this.backoff = backoff;
        this.metrics = metrics;
    }

    /**
     * Connects to {@code gateway} for {@code target}, with {@code session} behind TLS and the header.
     * The future gives the channel once the handshake is done and the header queued; its reads are on.
     */
    Future<Channel> dial(EventLoop loop, RemoteTarget target, Endpoint gateway, SessionProtocol protocol, ChannelHandler session) {
        Promise<Channel> dialed = loop.newPromise();
        String waiting = backoff.refusal(gateway, target.gatewayIdentity());
        if (waiting != null) {
            metrics.outboundFailure(target.link(), "backing_off");
            return dialed.setFailure(new GatewayUnreachableException(waiting, null));
        }
        TransportHeader header = new TransportHeader(target.service(), target.port(), protocol);
        connector.connect(loop, gateway, target.gatewayIdentity(), header, session).addListener(f -> {
            if (f.isSuccess()) {
                backoff.succeeded(gateway, target.gatewayIdentity());
                dialed.trySuccess((Channel) f.getNow());
            } else {
                failed(target, gateway, dialed, (PeerConnectException) f.cause());
            }
        });
        return dialed;
    }

    private void failed(RemoteTarget target, Endpoint gateway, Promise<Channel> dialed, PeerConnectException failure) {
        String why = "remote gateway " + gateway + " (link " + target.link() + ") " + failure.detail();
        backoff.failed(gateway, target.gatewayIdentity(), why);
        metrics.outboundFailure(target.link(), failure.reason());
        log.info(() -> why);
        dialed.tryFailure(new GatewayUnreachableException(why, failure.getCause()));
    }
}
