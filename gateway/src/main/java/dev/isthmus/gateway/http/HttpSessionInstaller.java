package dev.isthmus.gateway.http;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.pipeline.HandlerNames;
import dev.isthmus.gateway.pipeline.PeerAttributes;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.gateway.upstream.Upstreams;
import dev.isthmus.identity.SpiffeId;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Turns a routed gateway connection into an HTTP proxy. The {@code session} handler is replaced by:
 * <pre>
 * HTTP/1.1   http-bytes   (Http1RequestGuard's)      tells the guard of bytes while it waits for a head
 *            http-codec   HttpServerCodec            request line 4 KiB, headers 16 KiB
 *            http-guard   Http1RequestGuard          request-header timeout; refuses other versions, no or two Hosts
 *            session      HttpProxyHandler           one request at a time, in order
 *
 * HTTP/2     h2-close     Http2GracefulClose         drain and end of input: GOAWAY, then close after the streams
 *            h2-preface   Http2PrefaceCheck          anything but the client preface: GOAWAY PROTOCOL_ERROR; then leaves
 *            session      Http2ServerSession         Netty's HTTP/2 connection handler, frame by frame: up to 1000
 *                                                    concurrent streams, header lists up to 16 KiB, with
 *                                                    {@link StreamStateCheck}; an Http2ServerStream per request
 *            h2-idle      Http2IdleGuard             outbound only: the request-header timeout while no stream is open
 * </pre>
 * The HTTP/2 connection window is widened (see {@link ConnectionWindow}) as soon as the session is in.
 * Both protocols answer through the same {@link ClientSide}, so one set of exchanges proxies both. Every
 * connection's pipeline ends in {@link dev.isthmus.gateway.pipeline.PipelineTail}; the installed handlers stay in
 * front of it.
 *
 * <p>A peer keeps its connections open for long and mostly idle, so what a connection holds is memory for
 * nothing most of the time. The connections of one peer to one service share their {@link SessionParts}
 * and their peer's identity; every HTTP/2 connection sends the same settings object.
 */
public final class HttpSessionInstaller implements HttpSessions {

    public static final String FLUSH = "flush";
    public static final String HTTP_CODEC = "http-codec";
    public static final String HTTP_GUARD = "http-guard";
    public static final String HTTP_BYTES = "http-bytes";
    public static final String H2_CLOSE = "h2-close";
    public static final String H2_PREFACE = "h2-preface";
    public static final String H2_IDLE = "h2-idle";

    static final int MAX_INITIAL_LINE = 4096;
    static final int MAX_HEADER_SIZE = 16 * 1024;
    /** Backends are trusted more than peers; their headers (cookies, say) may be larger. */
    static final int MAX_BACKEND_HEADER_SIZE = 64 * 1024;
    /** The largest piece a body is cut into on its way through; bigger means fewer objects, not more memory in flight. */
    static final int MAX_CHUNK = 64 * 1024;
    static final int MAX_CONCURRENT_STREAMS = 1000;
    static final int CONNECTION_WINDOW = 4 * 1024 * 1024;
    static final Duration POOL_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** How long an HTTP/2 connection that sent GOAWAY waits for its streams before it closes anyway. */
    static final Duration GRACEFUL_CLOSE = Duration.ofSeconds(30);

    /**
     * The SETTINGS every inbound HTTP/2 connection sends. One instance for all: Netty's handler only reads it
     * (to send it, and to apply it when the peer acknowledges), and nothing here changes it after this line.
     */
    private static final Http2Settings SERVER_SETTINGS = Http2Settings.defaultSettings()
            .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
            .maxHeaderListSize(MAX_HEADER_SIZE);
    /**
     * How many peer-and-service pairs keep their shared parts; past it the cache starts over. Pairs are
     * few (the linked peers times the exported services), but each new route table brings new services.
     */
    static final int MAX_SHARED_SESSIONS = 1024;

    private final Upstreams upstreams;
    private final GatewayMetrics metrics;
    private final SpiffeId self;
    private final GatewayId id;
    private final Duration requestTimeout;
    private final Duration requestHeaderTimeout;
    private final Supplier<RouteTable> routes;
    private final UpstreamPools pools;
    private final ConcurrentHashMap<SessionKey, Shared> shared = new ConcurrentHashMap<>();

    /** A session proxies to its service as the route table has it at each request, so name and port are the whole of it. */
    private record SessionKey(String service, int port, SpiffeId peer) {}

    /** The parts of a peer's sessions with one service, and the peer's identity that all of them keep. */
    private record Shared(SessionParts parts, SpiffeId peer) {}

    /**
     * @param self the gateway's identity, which its probe answers with
     * @param id the gateway installation's id, the {@code Forwarded: by=} that loop detection looks for
     * @param requestHeaderTimeout how long an HTTP/1 client has for each request head (see {@link Http1RequestGuard})
     * @param routes the route table of the moment, where each request of a session finds its service's instances
     */
    public HttpSessionInstaller(Upstreams upstreams, GatewayMetrics metrics, SpiffeId self, GatewayId id, Duration requestTimeout,
            Duration requestHeaderTimeout, Supplier<RouteTable> routes) {
        this.upstreams = requireNonNull(upstreams, "upstreams");
        this.metrics = requireNonNull(metrics, "metrics");
        this.self = requireNonNull(self, "self");
        this.id = requireNonNull(id, "id");
        this.requestTimeout = requireNonNull(requestTimeout, "requestTimeout");
        this.requestHeaderTimeout = requireNonNull(requestHeaderTimeout, "requestHeaderTimeout");
        this.routes = requireNonNull(routes, "routes");
        this.pools = new UpstreamPools(upstreams, POOL_IDLE_TIMEOUT);
    }

    @Override
    public void proxy(ChannelHandlerContext ctx, TransportHeader header, ExportedService service, SpiffeId peer) {
        requireNonNull(peer, "peer");
        Shared session = shared(service, peer);
        // The connection keeps the shared, equal identity instead of the copy its handshake parsed.
        ctx.channel().attr(PeerAttributes.PEER).set(session.peer());
        install(ctx, header.protocol(), session.parts(), requestHeaderTimeout, false);
    }

    private Shared shared(ExportedService service, SpiffeId peer) {
        SessionKey key = new SessionKey(service.name(), service.port(), peer);
        Shared session = shared.get(key);
        if (session != null) {
            return session;
        }
        if (shared.size() >= MAX_SHARED_SESSIONS) {
            shared.clear(); // the sessions that use the parts keep them; only the sharing with later ones starts over
        }
        return shared.computeIfAbsent(key, k -> new Shared(new SessionParts(
                new ServiceProxy(new CurrentService(routes, service.name(), service.port()), service.target(),
                        new Forwarder(id, peer.toString(), "https", metrics, requestTimeout), pools, upstreams.balancer(), metrics),
                new RequestMetrics(metrics, service.target(), peer.toString())), peer));
    }

    /**
     * Answers requests from the ready instances of {@code service} as it is now, over this installer's backend
     * pools: for one request, whose caller looked the service up in the route table of the moment.
     */
    public Responder localService(ExportedService service, Forwarder forwarder) {
        return new ServiceProxy(() -> service, service.target(), forwarder, pools, upstreams.balancer(), metrics);
    }

    @Override
    public void refuse(ChannelHandlerContext ctx, TransportHeader header, int status, String reason) {
        SpiffeId peer = ctx.channel().attr(PeerAttributes.PEER).get();
        install(ctx, header.protocol(), new SessionParts(new Refusal(status, reason),
                new RequestMetrics(metrics, header.target(), peer == null ? "unknown" : peer.toString())), requestHeaderTimeout, false);
    }

    /** The gateway probe: {@code GET /ready} and {@code /live} answered here, with this gateway's identity. */
    @Override
    public void answerProbe(ChannelHandlerContext ctx, TransportHeader header) {
        SpiffeId peer = ctx.channel().attr(PeerAttributes.PEER).get();
        install(ctx, header.protocol(), new SessionParts(new ProbeResponder(self),
                new RequestMetrics(metrics, header.target(), peer == null ? "unknown" : peer.toString())), requestHeaderTimeout, false);
    }

    /** The HTTP/1.1 codec of an inbound session, with the gateway's limits. */
    static HttpServerCodec serverCodec() {
        return new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADER_SIZE)
                .setMaxChunkSize(MAX_CHUNK));
    }

    /** Widens the connection window right behind the SETTINGS the session sent when it went in: the channel is active already. */
    private static void widen(ChannelHandlerContext ctx, Http2ServerSession session) {
        if (!ctx.channel().isActive()) {
            return; // closed since it was routed: nothing more will be sent
        }
        try {
            if (ConnectionWindow.widen(session.connection(), CONNECTION_WINDOW)) {
                ctx.channel().flush();
            }
        } catch (Http2Exception e) {
            throw new IllegalStateException("connection window: " + CONNECTION_WINDOW + " (expected: to fit a new connection's)", e);
        }
    }

    /**
     * Makes the connection of {@code ctx}, whose handler is named {@code session}, an HTTP session
     * answered by {@code responder}: the outbound side's entry, for plaintext client connections.
     */
    public static void serve(ChannelHandlerContext ctx, SessionProtocol protocol, Responder responder, RequestMetrics requests,
            Duration requestHeaderTimeout) {
        install(ctx, protocol, new SessionParts(responder, requests), requestHeaderTimeout, true);
    }

    /**
     * Replaces the {@code session} handler, synchronously, so that bytes which came in the same read as
     * the transport header reach the new handlers. They are passed on from the removed header decoder
     * through the replaced handler's context to its replacement, so the replacement must be the first
     * of the new handlers, not the last.
     *
     * @param client a plaintext client on an outbound listener, whose idle HTTP/2 connections the header timeout bounds
     */
    private static void install(ChannelHandlerContext ctx, SessionProtocol protocol, SessionParts session,
            Duration requestHeaderTimeout, boolean client) {
        RequestMetrics requests = session.requests;
        ChannelPipeline pipeline = ctx.pipeline();
        // Responses come back on backend reads, and each would flush this connection at once: one TLS record
        // and one write per response. Consolidated, the responses of one event-loop turn leave together
        // (benchmarks/README.md: a fifth less gateway CPU per request).
        FlushConsolidationHandler flush = new ResponseFlush();
        if (pipeline.get(HandlerNames.TLS) != null) {
            pipeline.addAfter(HandlerNames.TLS, FLUSH, flush);
        } else {
            pipeline.addFirst(FLUSH, flush);
        }
        if (protocol == SessionProtocol.HTTP2) {
            pipeline.replace(HandlerNames.SESSION, H2_CLOSE, Http2GracefulClose.INSTANCE);
            pipeline.addAfter(H2_CLOSE, H2_PREFACE, new Http2PrefaceCheck(requests));
            // Netty's frame codec defaulted to no grace at all; the gateway's drain deadline still bounds it.
            Http2ServerSession h2 = Http2ServerSession.create(SERVER_SETTINGS, GRACEFUL_CLOSE.toMillis(), session);
            pipeline.addAfter(H2_PREFACE, HandlerNames.SESSION, h2);
            if (client) {
                pipeline.addAfter(HandlerNames.SESSION, H2_IDLE, new Http2IdleGuard(requestHeaderTimeout, h2.connection(), requests));
            }
            widen(ctx, h2);
        } else {
            Http1RequestGuard guard = new Http1RequestGuard(requestHeaderTimeout, requests);
            pipeline.replace(HandlerNames.SESSION, HTTP_BYTES, guard.bytesIn());
            pipeline.addAfter(HTTP_BYTES, HTTP_CODEC, serverCodec());
            pipeline.addAfter(HTTP_CODEC, HTTP_GUARD, guard);
            pipeline.addAfter(HTTP_GUARD, HandlerNames.SESSION, new HttpProxyHandler(session.responder, requests));
        }
    }
}
