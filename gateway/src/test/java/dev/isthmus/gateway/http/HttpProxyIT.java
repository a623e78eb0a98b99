package dev.isthmus.gateway.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.config.GatewayConfig;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.testing.GatewayHarness;
import dev.isthmus.gateway.testing.MtlsClient;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.testing.TestPki;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HTTP sessions through a real gateway with real mTLS on loopback: both inbound protocols to both
 * kinds of backend, the headers the backend sees, and the gateway's own answers with their metrics.
 */
class HttpProxyIT {

    static final String H1 = "h1.test.svc.cluster.local";
    static final String H2C = "h2c.test.svc.cluster.local";
    static final String EMPTY = "empty.test.svc.cluster.local";
    static final String DOWN = "down.test.svc.cluster.local";
    static final String SILENT = "silent.test.svc.cluster.local";
    static final String REQUESTS = "isthmus.gateway.requests";

    static TestPki pki;
    static MtlsClient client;
    static TestBackend http1;
    static TestBackend h2c;
    static int closedPort;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create();
        client = new MtlsClient();
        http1 = new TestBackend(BackendProtocol.HTTP1);
        h2c = new TestBackend(BackendProtocol.H2C);
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort(); // closed again at once: connections to it are refused
        }
    }

    @AfterAll
    static void stop() {
        client.close();
        http1.close();
        h2c.close();
    }

    /** The session protocols a peer can ask for, with the backend kinds they reach. */
    enum Path {
        HTTP1_TO_HTTP1(SessionProtocol.HTTP1, BackendProtocol.HTTP1),
        HTTP1_TO_H2C(SessionProtocol.HTTP1, BackendProtocol.H2C),
        HTTP2_TO_HTTP1(SessionProtocol.HTTP2, BackendProtocol.HTTP1),
        HTTP2_TO_H2C(SessionProtocol.HTTP2, BackendProtocol.H2C);

        final SessionProtocol session;
        final BackendProtocol backend;

        Path(SessionProtocol session, BackendProtocol backend) {
            this.session = session;
            this.backend = backend;
        }

        String service() {
            return backend == BackendProtocol.H2C ? H2C : H1;
        }

        TestBackend server() {
            return backend == BackendProtocol.H2C ? h2c : http1;
        }
    }

    static RouteTable routes(ExportedService... extra) {
        List<ExportedService> services = new ArrayList<>(List.of(
                service(H1, BackendProtocol.HTTP1, http1.port()),
                service(H2C, BackendProtocol.H2C, h2c.port()),
                new ExportedService(EMPTY, 80, BackendProtocol.HTTP1, List.of(new Endpoint("127.0.0.1", http1.port(), false))),
                service(DOWN, BackendProtocol.HTTP1, closedPort)));
        services.addAll(List.of(extra));
        return new RouteTable("cluster.local", services);
    }

    static ExportedService service(String name, BackendProtocol protocol, int port) {
        return new ExportedService(name, 80, protocol, List.of(new Endpoint("127.0.0.1", port, true)));
    }

    static GatewayHarness gateway(RouteTable routes, Consumer<GatewayConfig.Builder> settings) throws InterruptedException {
        return new GatewayHarness(pki, routes, settings);
    }

    static GatewayHarness gateway() throws InterruptedException {
        return gateway(routes(), b -> {});
    }

    static HttpPeer peer(GatewayHarness gateway, String service, SessionProtocol protocol) throws Exception {
        return HttpPeer.open(client, gateway.port(), pki, new TransportHeader(service, 80, protocol));
    }

    static FullHttpRequest get(String uri) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        request.headers().set(HttpHeaderNames.HOST, "podinfo-east:9898");
        return request;
    }

    /**
     * A peer keeps its connection for hours while the service's pods come and go: each request goes to the
     * instances of the moment, and to none once the service is no longer exported.
     */
    @ParameterizedTest
    @EnumSource(value = SessionProtocol.class, names = {"HTTP1", "HTTP2"})
    void aLongLivedSessionFollowsItsServiceToItsInstancesOfTheMoment(SessionProtocol protocol) throws Exception {
        try (TestBackend moved = new TestBackend(BackendProtocol.HTTP1);
                GatewayHarness gateway = gateway(); HttpPeer peer = peer(gateway, H1, protocol)) {
            http1.seen.clear();
            assertThat(peer.exchange(get("/before")).status()).isEqualTo(200);
            assertThat(http1.seen.poll(5, TimeUnit.SECONDS)).extracting(TestBackend.Seen::uri).isEqualTo("/before");

            // The pod was replaced: the route table now has the service on another instance only.
            gateway.gateway().routes(new RouteTable("cluster.local", List.of(service(H1, BackendProtocol.HTTP1, moved.port()))));
            assertThat(peer.exchange(get("/after")).status()).isEqualTo(200);
            assertThat(moved.seen.poll(5, TimeUnit.SECONDS)).extracting(TestBackend.Seen::uri).isEqualTo("/after");
            assertThat(http1.seen).isEmpty();

            gateway.gateway().routes(new RouteTable("cluster.local", List.of()));
            HttpPeer.Reply unexported = peer.exchange(get("/gone"));
            assertThat(unexported.status()).isEqualTo(404);
            assertThat(unexported.body()).contains(H1 + ":80 is not exported");
            assertThat(moved.seen).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void aRequestReachesTheBackendWithForwardedAndHostRewritten(Path path) throws Exception {
        try (GatewayHarness gateway = gateway(); HttpPeer peer = peer(gateway, path.service(), path.session)) {
            path.server().seen.clear();
            HttpPeer.Reply reply = peer.exchange(get("/hello?x=1"));

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.body()).isEqualTo("hello from " + path.backend);
            TestBackend.Seen seen = path.server().seen.poll(5, TimeUnit.SECONDS);
            assertThat(seen).isNotNull();
            assertThat(seen.uri()).isEqualTo("/hello?x=1");
            assertThat(seen.headers().get(HttpHeaderNames.HOST)).isEqualTo(path.service() + ":80");
            assertThat(seen.headers().getAll(ForwardedHeader.NAME)).containsExactly("by=" + gateway.gateway().config().id()
                    + ";for=\"" + TestPki.PEER + "\";host=\"podinfo-east:9898\";proto=https");
            if (path.backend == BackendProtocol.HTTP1) { // an h2c backend's own conversion adds x-http2-* headers
                assertThat(seen.headers().names()).noneMatch(name -> name.toLowerCase().startsWith("x-http2-"));
            }
            assertThat(gateway.awaitCount(1, REQUESTS, "status_class", "2xx", "target", path.service() + ":80",
                    "peer", TestPki.PEER.toString())).isEqualTo(1);
        }
    }

    /** Issue 10 item 11: no chunked body (HTTP/1.1) nor an open stream after HEADERS (h2c) for a request without one. */
    @ParameterizedTest
    @EnumSource(Path.class)
    void aBodilessGetReachesTheBackendWithoutBodyFraming(Path path) throws Exception {
        try (GatewayHarness gateway = gateway(); HttpPeer peer = peer(gateway, path.service(), path.session)) {
            path.server().seen.clear();
            assertThat(peer.exchange(get("/plain")).status()).isEqualTo(200);

            TestBackend.Seen seen = path.server().seen.poll(5, TimeUnit.SECONDS);
            assertThat(seen).isNotNull();
            // An h2c backend's own conversion marks a request chunked when its HEADERS did not end the stream.
            assertThat(seen.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)).isFalse();
            assertThat(seen.headers().contains(HttpHeaderNames.CONTENT_LENGTH)).isFalse();
            assertThat(gateway.awaitCount(1, REQUESTS, "status_class", "2xx", "target", path.service() + ":80")).isEqualTo(1);
        }
    }

    @Test
    void aPostBodyArrivesWhole() throws Exception {
        try (GatewayHarness gateway = gateway(); HttpPeer peer = peer(gateway, H2C, SessionProtocol.HTTP1)) {
            FullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload",
                    Unpooled.copiedBuffer("twelve bytes", UTF_8));
            post.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 12);
            post.headers().set(HttpHeaderNames.HOST, "podinfo-east:9898"); // HTTP/1.1 without Host is a 400 (RFC 9112 section 3.2)

            assertThat(peer.exchange(post).body()).isEqualTo("received 12");
        }
    }

    /**
     * Trailers carry no framing or routing (RFC 9110 section 6.5.1): a Content-Length among a peer's HTTP/2 trailers
     * would reach an HTTP/1 backend as a second one, after the body, where a lenient server may merge it into the
     * header section. Netty's HTTP/1 decoder drops such fields itself, so the backend here reads raw bytes.
     */
    @ParameterizedTest
    @EnumSource(value = SessionProtocol.class, names = {"HTTP1", "HTTP2"})
    void requestTrailersReachTheBackendWithoutFramingOrRoutingFields(SessionProtocol session) throws Exception {
        try (ServerSocket raw = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> answerOnce(raw));
            String service = "raw.test.svc.cluster.local";
            try (GatewayHarness gateway = gateway(routes(service(service, BackendProtocol.HTTP1, raw.getLocalPort())), b -> {});
                    HttpPeer peer = peer(gateway, service, session)) {
                // A peer's own HTTP stack need not refuse these in trailers, as Netty's does by default.
                FullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload",
                        Unpooled.copiedBuffer("hello", UTF_8), DefaultHttpHeadersFactory.headersFactory(),
                        DefaultHttpHeadersFactory.trailersFactory().withValidation(false));
                post.headers().set(HttpHeaderNames.HOST, "podinfo-east:9898");
                post.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked"); // HTTP/1.1 sends trailers only in chunked framing
                post.trailingHeaders().set("x-checksum", "5d41402a").set(HttpHeaderNames.CONTENT_LENGTH, "999")
                        .set(HttpHeaderNames.TRAILER, "x-checksum");

                assertThat(peer.exchange(post).status()).isEqualTo(200);
                String request = received.get(20, TimeUnit.SECONDS);
                String trailers = request.substring(request.indexOf("\r\n0\r\n") + 5).toLowerCase(java.util.Locale.ROOT);
                assertThat(trailers).as("the trailer section the backend read").contains("x-checksum: 5d41402a")
                        .doesNotContain("content-length").doesNotContain("trailer:");
            }
        }
    }

    /**
     * An HTTP/2 upstream (an h2c backend here; a peer gateway for outbound traffic: the same pool) that answers with a
     * CR LF in a header value gets no header injected into the client's HTTP/1 response: its HPACK block is refused,
     * and the client is answered 502. The pool's conversion does not validate headers a second time; this holds the
     * decoder check it relies on.
     */
    @ParameterizedTest
    @EnumSource(value = SessionProtocol.class, names = {"HTTP1", "HTTP2"})
    void anUpstreamsHeaderValueWithCrLfNeverReachesTheClient(SessionProtocol session) throws Exception {
        String service = "hostile.test.svc.cluster.local";
        try (H2cUpstream hostile = new H2cUpstream(new InjectingResponder());
                GatewayHarness gateway = gateway(routes(service(service, BackendProtocol.H2C, hostile.port())), b -> {});
                HttpPeer peer = peer(gateway, service, session)) {
            HttpPeer.Reply reply = peer.exchange(get("/"));

            assertThat(reply.status()).isEqualTo(502);
            assertThat(reply.headers().names()).map(name -> name.toLowerCase(java.util.Locale.ROOT))
                    .doesNotContain("injected", "x-note");
        }
    }

    /**
     * An h2c upstream that answers one stream with a {@code :status} that is no number and resets another before any
     * answer: each of those requests is answered 502, and the pooled connection to the upstream stays, serving the next
     * request. A stream's failure is the stream's alone; the pool's session turns neither into a connection error.
     */
    @ParameterizedTest
    @EnumSource(value = SessionProtocol.class, names = {"HTTP1", "HTTP2"})
    void anUpstreamStreamThatIsMalformedOrResetIsA502AndTheConnectionServesTheNext(SessionProtocol session) throws Exception {
        String service = "misbehaving.test.svc.cluster.local";
        // One client connection: the gateway's pools belong to event loops, and each request must find the same one.
        try (H2cUpstream misbehaving = new H2cUpstream(new MisbehavingResponder());
                GatewayHarness gateway = gateway(routes(service(service, BackendProtocol.H2C, misbehaving.port())), b -> {});
                HttpPeer peer = peer(gateway, service, session)) {
            HttpPeer.Reply malformed = peer.exchange(get("/bad-status"));
            assertThat(malformed.status()).isEqualTo(502);
            assertThat(malformed.body()).contains("sent a malformed response: :status '2xx' (expected: a three-digit status code)");
            assertThat(peer.exchange(get("/reset")).status()).isEqualTo(502);
            assertThat(peer.exchange(get("/ok")).status()).isEqualTo(200);
            assertThat(misbehaving.connections.get()).as("connections the gateway made to the upstream").isEqualTo(1);
        }
    }

    /** An h2c server on loopback whose every stream {@code responder} answers; it counts the connections made to it. */
    static final class H2cUpstream implements AutoCloseable {
        final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
        private final io.netty.channel.EventLoopGroup group = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
                io.netty.channel.nio.NioIoHandler.newFactory());
        private final io.netty.channel.Channel listener;

        H2cUpstream(io.netty.channel.ChannelHandler responder) throws InterruptedException {
            listener = new io.netty.bootstrap.ServerBootstrap().group(group)
                    .channel(io.netty.channel.socket.nio.NioServerSocketChannel.class)
                    .childHandler(new io.netty.channel.ChannelInitializer<>() {
                        @Override
                        protected void initChannel(io.netty.channel.Channel ch) {
                            connections.incrementAndGet();
                            ch.pipeline().addLast(io.netty.handler.codec.http2.Http2FrameCodecBuilder.forServer().build(),
                                    new io.netty.handler.codec.http2.Http2MultiplexHandler(responder));
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
        }

        int port() {
            return ((java.net.InetSocketAddress) listener.localAddress()).getPort();
        }

        @Override
        public void close() throws InterruptedException {
            try {
                listener.close().sync();
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        }
    }

    /** {@code /bad-status}: a status that is no number; {@code /reset}: RST_STREAM before any answer; else 200. */
    @io.netty.channel.ChannelHandler.Sharable
    static final class MisbehavingResponder extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
            if (msg instanceof io.netty.handler.codec.http2.Http2HeadersFrame request) {
                String path = String.valueOf(request.headers().path());
                if (path.equals("/reset")) {
                    ctx.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2ResetFrame(
                            io.netty.handler.codec.http2.Http2Error.INTERNAL_ERROR));
                    return;
                }
                ctx.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2HeadersFrame(
                        new io.netty.handler.codec.http2.DefaultHttp2Headers(false).status(path.equals("/bad-status") ? "2xx" : "200"),
                        true));
            }
        }
    }

    /** Answers every stream with a header value that would split into two header lines in HTTP/1. */
    @io.netty.channel.ChannelHandler.Sharable
    static final class InjectingResponder extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
            if (msg instanceof io.netty.handler.codec.http2.Http2HeadersFrame) {
                // Not validating: Netty's HPACK encoder sends what it is given.
                ctx.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2HeadersFrame(
                        new io.netty.handler.codec.http2.DefaultHttp2Headers(false).status("200").add("x-note", "a\r\nInjected: 1"), true));
            }
        }
    }

    /** Reads one chunked request off {@code raw} (to the end of its trailer section) and answers 200. */
    private static String answerOnce(ServerSocket raw) {
        try (java.net.Socket socket = raw.accept()) {
            socket.setSoTimeout(20_000);
            java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            while (true) {
                String sofar = read.toString(UTF_8);
                int last = sofar.indexOf("\r\n0\r\n");
                if (last >= 0 && sofar.indexOf("\r\n\r\n", last + 2) >= 0 || sofar.indexOf("\r\n0\r\n\r\n") >= 0) {
                    break;
                }
                int n = socket.getInputStream().read(buffer);
                if (n < 0) {
                    break;
                }
                read.write(buffer, 0, n);
            }
            socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".getBytes(UTF_8));
            return read.toString(UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Path.class, names = {"HTTP2_TO_HTTP1", "HTTP2_TO_H2C"})
    void manyConcurrentStreamsShareOneConnection(Path path) throws Exception {
        try (GatewayHarness gateway = gateway(); HttpPeer peer = peer(gateway, path.service(), path.session)) {
            List<CompletableFuture<HttpPeer.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                replies.add(peer.send(get("/hello/" + i)));
            }
            for (CompletableFuture<HttpPeer.Reply> reply : replies) {
                HttpPeer.Reply got = reply.get(30, TimeUnit.SECONDS);
                assertThat(got.status()).as("%s", got.error()).isEqualTo(200);
            }
            assertThat(gateway.awaitCount(300, REQUESTS, "status_class", "2xx", "target", path.service() + ":80"))
                    .isEqualTo(300);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SessionProtocol.class, names = {"HTTP1", "HTTP2"})
    void sequentialRequestsReuseOneBackendConnection(SessionProtocol session) throws Exception {
        try (TestBackend backend = new TestBackend(BackendProtocol.HTTP1);
                GatewayHarness gateway = gateway(routes(service("reuse.test.svc.cluster.local", BackendProtocol.HTTP1,
                        backend.port())), b -> {});
                HttpPeer peer = peer(gateway, "reuse.test.svc.cluster.local", session)) {
            for (int i = 0; i < 10; i++) {
                assertThat(peer.exchange(get("/hello")).status()).isEqualTo(200);
            }
            assertThat(backend.seen).hasSize(10);
            assertThat(backend.connections.get()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Path.class, names = {"HTTP1_TO_HTTP1", "HTTP2_TO_H2C"})
    void aLoopIsRefusedWith508WithoutContactingTheBackend(Path path) throws Exception {
        try (GatewayHarness gateway = gateway(); HttpPeer peer = peer(gateway, path.service(), path.session)) {
            path.server().seen.clear();
            GatewayId self = gateway.gateway().config().id();
            FullHttpRequest looped = get("/hello");
            looped.headers().add(ForwardedHeader.NAME, "for=10.0.0.1");
            looped.headers().add(ForwardedHeader.NAME, "by=" + self + ";for=\"" + TestPki.PEER + "\"");

            HttpPeer.Reply reply = peer.exchange(looped);

            assertThat(reply.status()).isEqualTo(508);
            assertThat(reply.error()).isEqualTo("loop detected: the request already passed through this gateway (by=" + self + ")");
            assertThat(reply.body()).isEqualTo(reply.error() + "\n");
            assertThat(reply.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("text/plain");
            assertThat(gateway.awaitCount(1, REQUESTS, "status_class", "5xx", "target", path.service() + ":80")).isEqualTo(1);
            assertThat(gateway.count("isthmus.gateway.sessions.rejected", "reason", "loop")).isEqualTo(1);
            assertThat(path.server().seen).isEmpty();
            // The connection stays usable.
            assertThat(peer.exchange(get("/hello")).status()).isEqualTo(200);
        }
    }

    /**
     * Every cluster's gateway has the same SPIFFE identity by default: what another cluster's gateway
     * appended (in the form gateways wrote before installation ids, too) is not a loop.
     */
    @ParameterizedTest
    @EnumSource(value = Path.class, names = {"HTTP1_TO_HTTP1", "HTTP2_TO_H2C"})
    void anElementFromAnotherGatewayWithTheSameIdentityIsNotALoop(Path path) throws Exception {
        try (GatewayHarness gateway = gateway(); HttpPeer peer = peer(gateway, path.service(), path.session)) {
            path.server().seen.clear();
            FullHttpRequest request = get("/hello");
            request.headers().add(ForwardedHeader.NAME, "by=\"" + TestPki.GATEWAY + "\";for=127.0.0.1;proto=http");
            request.headers().add(ForwardedHeader.NAME, "by=" + GatewayId.random() + ";for=127.0.0.1;proto=http");

            HttpPeer.Reply reply = peer.exchange(request);

            assertThat(reply.status()).as("%s", reply.error()).isEqualTo(200);
            assertThat(path.server().seen.poll(5, TimeUnit.SECONDS)).isNotNull();
            assertThat(gateway.count("isthmus.gateway.sessions.rejected", "reason", "loop")).isZero();
        }
    }

    /** Replicas of one installation share its id: a request that went through one and comes back to another loops. */
    @Test
    void aRequestThatComesBackThroughAnotherReplicaOfTheInstallationIsRefused() throws Exception {
        GatewayId installation = GatewayId.random();
        try (GatewayHarness replicaA = gateway(routes(), b -> b.id(installation));
                GatewayHarness replicaB = gateway(routes(), b -> b.id(installation));
                HttpPeer throughA = peer(replicaA, H1, SessionProtocol.HTTP1);
                HttpPeer throughB = peer(replicaB, H1, SessionProtocol.HTTP1)) {
            http1.seen.clear();
            assertThat(throughA.exchange(get("/hello")).status()).isEqualTo(200);
            TestBackend.Seen seen = http1.seen.poll(5, TimeUnit.SECONDS);
            assertThat(seen).isNotNull();
            FullHttpRequest back = get("/hello");
            seen.headers().getAll(ForwardedHeader.NAME).forEach(value -> back.headers().add(ForwardedHeader.NAME, value));

            HttpPeer.Reply reply = throughB.exchange(back);

            assertThat(reply.status()).isEqualTo(508);
            assertThat(replicaB.count("isthmus.gateway.sessions.rejected", "reason", "loop")).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SessionProtocol.class, names = {"HTTP1", "HTTP2"})
    void anUnexportedServiceIsAnswered404OnEveryRequest(SessionProtocol session) throws Exception {
        String target = "nothere.test.svc.cluster.local";
        try (GatewayHarness gateway = gateway(); HttpPeer peer = peer(gateway, target, session)) {
            for (int i = 0; i < 3; i++) {
                HttpPeer.Reply reply = peer.exchange(get("/hello"));
                assertThat(reply.status()).isEqualTo(404);
                assertThat(reply.error()).isEqualTo(target + ":80 is not exported");
            }
            assertThat(gateway.awaitCount(3, REQUESTS, "status_class", "4xx", "target", target + ":80")).isEqualTo(3);
            assertThat(gateway.count("isthmus.gateway.sessions.rejected", "reason", "not_exported")).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SessionProtocol.class, names = {"HTTP1", "HTTP2"})
    void aServiceWithoutReadyEndpointsIsAnswered503(SessionProtocol session) throws Exception {
        try (GatewayHarness gateway = gateway(); HttpPeer peer = peer(gateway, EMPTY, session)) {
            HttpPeer.Reply reply = peer.exchange(get("/hello"));

            assertThat(reply.status()).isEqualTo(503);
            assertThat(reply.error()).isEqualTo("no ready endpoints for " + EMPTY + ":80");
            assertThat(gateway.awaitCount(1, REQUESTS, "status_class", "5xx", "target", EMPTY + ":80")).isEqualTo(1);
            assertThat(gateway.count("isthmus.gateway.sessions.rejected", "reason", "no_endpoints")).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SessionProtocol.class, names = {"HTTP1", "HTTP2"})
    void aBackendThatIsDownIsAnswered502(SessionProtocol session) throws Exception {
        try (GatewayHarness gateway = gateway(); HttpPeer peer = peer(gateway, DOWN, session)) {
            HttpPeer.Reply reply = peer.exchange(get("/hello"));

            assertThat(reply.status()).isEqualTo(502);
            assertThat(reply.error()).isEqualTo("backend 127.0.0.1:" + closedPort + " is unreachable: connection refused");
            assertThat(gateway.awaitCount(1, REQUESTS, "status_class", "5xx", "target", DOWN + ":80")).isEqualTo(1);
            assertThat(gateway.count("isthmus.gateway.sessions.rejected", "reason", "backend_unavailable")).isEqualTo(1);
            // The next request gets the same clear answer on the same connection.
            assertThat(peer.exchange(get("/hello")).status()).isEqualTo(502);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Path.class, names = {"HTTP1_TO_HTTP1", "HTTP2_TO_H2C"})
    void aBackendThatSendsNoResponseHeadersInTimeIsAnswered504(Path path) throws Exception {
        try (GatewayHarness gateway = gateway(routes(), b -> b.requestTimeout(Duration.ofMillis(300)));
                HttpPeer peer = peer(gateway, path.service(), path.session)) {
            HttpPeer.Reply reply = peer.exchange(get("/silent"));

            assertThat(reply.status()).isEqualTo(504);
            assertThat(reply.error()).matches("backend 127\\.0\\.0\\.1:\\d+ sent no response headers within 300 ms");
            assertThat(gateway.awaitCount(1, REQUESTS, "status_class", "5xx", "target", path.service() + ":80")).isEqualTo(1);
        }
    }

    @Test
    void drainingAnswersTheInFlightHttp1RequestWithConnectionCloseThenCloses() throws Exception {
        try (GatewayHarness gateway = gateway(routes(), b -> b.requestTimeout(Duration.ofSeconds(1)));
                HttpPeer peer = peer(gateway, H1, SessionProtocol.HTTP1)) {
            http1.seen.clear();
            CompletableFuture<HttpPeer.Reply> inFlight = peer.send(get("/silent"));
            assertThat(http1.seen.poll(5, TimeUnit.SECONDS)).isNotNull(); // the request is in flight at the backend
            CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> gateway.gateway().drain(Duration.ofSeconds(10)));

            HttpPeer.Reply reply = inFlight.get(10, TimeUnit.SECONDS);
            assertThat(reply.headers().get(HttpHeaderNames.CONNECTION)).isEqualToIgnoringCase("close");
            assertThat(peer.channel().closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
            drain.get(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void drainingSendsGoAwayAndLetsHttp2StreamsFinish() throws Exception {
        try (GatewayHarness gateway = gateway(routes(), b -> b.requestTimeout(Duration.ofSeconds(1)));
                HttpPeer peer = peer(gateway, H1, SessionProtocol.HTTP2)) {
            http1.seen.clear();
            CompletableFuture<HttpPeer.Reply> inFlight = peer.send(get("/silent"));
            assertThat(http1.seen.poll(5, TimeUnit.SECONDS)).isNotNull();
            CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> gateway.gateway().drain(Duration.ofSeconds(10)));

            assertThat(peer.goAway.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(inFlight.get(10, TimeUnit.SECONDS).status()).isEqualTo(504); // finished, not cut off
            assertThat(peer.channel().closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
            drain.get(15, TimeUnit.SECONDS);
        }
    }
}
