package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.inbound.InboundPipeline;
import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.pipeline.PeerAttributes;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.gateway.upstream.LoadBalancer;
import dev.isthmus.gateway.upstream.Upstreams;
import dev.isthmus.identity.SpiffeId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.ServerChannel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.Http2Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an inbound HTTP session keeps per connection. A peer holds many connections open and mostly
 * idle, so the parts every connection of one peer to one service has in common are built once; each
 * connection still gets its own codec and handlers.
 */
class HttpSessionInstallerTest {

    static final SpiffeId SELF = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
    static final String WEST = "spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway-west";
    static final String EAST = "spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway-east";

    final ServerChannel listener = new NioServerSocketChannel();
    final HttpSessionInstaller installer = new HttpSessionInstaller(new Upstreams(new LoadBalancer(), Duration.ofSeconds(1)),
            new GatewayMetrics(new SimpleMeterRegistry()), SELF, GatewayId.random(), Duration.ofSeconds(30), Duration.ofSeconds(10),
            () -> RouteTable.EMPTY);
    final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void close() {
        for (EmbeddedChannel channel : channels) {
            channel.pipeline().close();
            channel.advanceTimeBy(HttpSessionInstaller.GRACEFUL_CLOSE.toMillis() + 1, TimeUnit.MILLISECONDS);
            channel.runPendingTasks();
            channel.finishAndReleaseAll();
        }
        listener.unsafe().closeForcibly();
    }

    static ExportedService service(String name) {
        return new ExportedService(name, 80, BackendProtocol.HTTP1, List.of(new Endpoint("127.0.0.1", 8080, true)));
    }

    /** A connection routed to {@code service}, from the peer its handshake named {@code peer}, as SessionRouter hands it over. */
    EmbeddedChannel connection(ExportedService service, String peer, SessionProtocol protocol) {
        EmbeddedChannel channel = new EmbeddedChannel(listener, DefaultChannelId.newInstance(), true, false);
        channels.add(channel);
        SpiffeId parsed = SpiffeId.parse(peer); // a new instance per connection, as the handshake parses one
        channel.attr(PeerAttributes.PEER).set(parsed);
        channel.pipeline().addLast(InboundPipeline.SESSION, new ChannelInboundHandlerAdapter());
        installer.proxy(channel.pipeline().context(InboundPipeline.SESSION), new TransportHeader(service.name(), service.port(), protocol),
                service, parsed);
        return channel;
    }

    @Test
    void connectionsOfOnePeerToOneServiceShareThePeersIdentityAndTheirSessionParts() {
        EmbeddedChannel first = connection(service("web.shop.svc.cluster.local"), WEST, SessionProtocol.HTTP2);
        EmbeddedChannel second = connection(service("web.shop.svc.cluster.local"), WEST, SessionProtocol.HTTP2);

        assertThat(second.attr(PeerAttributes.PEER).get()).isSameAs(first.attr(PeerAttributes.PEER).get())
                .isEqualTo(SpiffeId.parse(WEST));
        assertThat(parts(second)).isSameAs(parts(first));
        // Each connection its own session all the same.
        assertThat(session(second)).isNotSameAs(session(first));
    }

    @Test
    void anotherPeerOrAnotherServiceGetsPartsOfItsOwn() {
        EmbeddedChannel west = connection(service("web.shop.svc.cluster.local"), WEST, SessionProtocol.HTTP2);
        EmbeddedChannel east = connection(service("web.shop.svc.cluster.local"), EAST, SessionProtocol.HTTP2);
        EmbeddedChannel otherService = connection(service("api.shop.svc.cluster.local"), WEST, SessionProtocol.HTTP2);

        assertThat(east.attr(PeerAttributes.PEER).get()).isEqualTo(SpiffeId.parse(EAST));
        assertThat(parts(east)).isNotSameAs(parts(west));
        assertThat(parts(otherService)).isNotSameAs(parts(west));
        assertThat(otherService.attr(PeerAttributes.PEER).get()).isEqualTo(west.attr(PeerAttributes.PEER).get());
    }

    @Test
    void anHttp2SessionWidensItsConnectionWindowRightBehindItsSettings() {
        EmbeddedChannel channel = connection(service("web.shop.svc.cluster.local"), WEST, SessionProtocol.HTTP2);
        channel.runPendingTasks();

        Http2Connection connection = session(channel).connection();
        assertThat(connection.local().flowController().windowSize(connection.connectionStream()))
                .isEqualTo(HttpSessionInstaller.CONNECTION_WINDOW);
        List<Integer> types = new ArrayList<>();
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            ByteBuf frames = (ByteBuf) msg;
            while (frames.readableBytes() >= 9) {
                int length = frames.readUnsignedMedium();
                types.add((int) frames.readUnsignedByte());
                frames.skipBytes(5 + length);
            }
            frames.release();
        }
        assertThat(types).as("frame types sent").containsExactly(4 /* SETTINGS */, 8 /* WINDOW_UPDATE */);
    }

    @Test
    void anHttp1SessionGetsItsProxyHandlerAndTheSharedIdentity() {
        EmbeddedChannel first = connection(service("web.shop.svc.cluster.local"), WEST, SessionProtocol.HTTP1);
        EmbeddedChannel second = connection(service("web.shop.svc.cluster.local"), WEST, SessionProtocol.HTTP1);

        assertThat(first.pipeline().get(InboundPipeline.SESSION)).isInstanceOf(HttpProxyHandler.class);
        assertThat(second.pipeline().get(InboundPipeline.SESSION)).isNotSameAs(first.pipeline().get(InboundPipeline.SESSION));
        assertThat(second.attr(PeerAttributes.PEER).get()).isSameAs(first.attr(PeerAttributes.PEER).get());
    }

    private static Http2ServerSession session(EmbeddedChannel channel) {
        return (Http2ServerSession) channel.pipeline().get(InboundPipeline.SESSION);
    }

    /** What answers the connection's requests, and counts them. */
    private static SessionParts parts(EmbeddedChannel channel) {
        return session(channel).parts();
    }
}
