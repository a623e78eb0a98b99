package dev.isthmus.gateway.admin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.io.IoTransport;
import dev.isthmus.gateway.pipeline.PipelineTail;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import dev.isthmus.gateway.probe.LinkStatus;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.tap.Tap;
import dev.isthmus.gateway.tap.TapFilter;
import dev.isthmus.gateway.tap.TapWatcher;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The plaintext admin listener: {@code /live}, {@code /ready} (with the reason when not ready),
 * {@code /metrics} in Prometheus's text format, and {@code /links}, the gateway probe's view of each
 * link as JSON ({@link LinksJson}), {@code /tap}, a live stream of the requests the gateway proxies
 * ({@link TapStream}), and {@code /dashboard}, a page for people that polls {@code /links} and
 * {@code /dashboard.json} ({@link DashboardJson}). Kubernetes probes, Prometheus, the mirror controller,
 * the CLI and browsers are its callers. It only reads: nothing a request here says changes what the gateway does.
 */
public final class AdminServer implements AutoCloseable {

    private final PrometheusMeterRegistry registry;
    private final Supplier<String> notReadyReason;
    private final Supplier<? extends Collection<LinkStatus>> links;
    private final Tap tap;
    private final Supplier<RouteTable> routes;
    private Channel channel;

    /** The page is static: no build step, no external asset (clusters are often offline); its script polls JSON. */
    private static final String DASHBOARD = dashboardPage();
    /** Inline script and style only, talking only to this admin port. */
    static final String DASHBOARD_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    static final String READ_TIMEOUT = "read-timeout";
    /** Query parameters beyond this many are not decoded; {@link TapFilter} knows eight. */
    static final int MAX_QUERY_PARAMETERS = 16;

    /** An admin server of a gateway that probes no link: {@code /links} lists none. */
    public AdminServer(PrometheusMeterRegistry registry, Supplier<String> notReadyReason) {
        this(registry, notReadyReason, List::of, new Tap(), () -> RouteTable.EMPTY);
    }

    /**
     * @param notReadyReason why the gateway is not ready, or {@code null} when it is
     * @param links the status of every probed link, in the order {@code /links} lists them
     * @param tap the tap the gateway's requests are published to, which {@code /tap} watches
     * @param routes the route table of the moment, which the dashboard shows
     */
    public AdminServer(PrometheusMeterRegistry registry, Supplier<String> notReadyReason,
            Supplier<? extends Collection<LinkStatus>> links, Tap tap, Supplier<RouteTable> routes) {
        this.registry = requireNonNull(registry, "registry");
        this.notReadyReason = requireNonNull(notReadyReason, "notReadyReason");
        this.links = requireNonNull(links, "links");
        this.tap = requireNonNull(tap, "tap");
        this.routes = requireNonNull(routes, "routes");
    }

    private static String dashboardPage() {
        try (var page = AdminServer.class.getResourceAsStream("dashboard.html")) {
            if (page == null) {
                throw new IllegalStateException("dashboard.html is missing from the gateway's jar (expected beside AdminServer)");
            }
            return new String(page.readAllBytes(), UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public int start(EventLoopGroup group, String host, int port) throws InterruptedException {
        channel = new ServerBootstrap()
                .group(group)
                .channel(IoTransport.of(group).serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(READ_TIMEOUT, new ReadTimeoutHandler(30)).addLast(new HttpServerCodec(4096, 8192, 8192),
                                new HttpObjectAggregator(8192), new Handler());
                        PipelineTail.addTo(ch.pipeline());
                    }
                })
                .bind(host, port).sync().channel();
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        /** Set once the connection carries a tap stream: whatever else the client sends is not answered. */
        private boolean streaming;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (streaming) {
                return;
            }
            if (!request.decoderResult().isSuccess()) {
                respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "text/plain", "malformed request\n");
                return;
            }
            if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
                FullHttpResponse refusal = response(request, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain",
                        request.method() + " is not served here (expected GET or HEAD)\n");
                refusal.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
                send(ctx, request, refusal);
                return;
            }
            String path = request.uri().split("\\?", 2)[0];
            switch (path) {
                case "/live" -> respond(ctx, request, HttpResponseStatus.OK, "text/plain", "live\n");
                case "/ready" -> {
                    String reason = notReadyReason.get();
                    respond(ctx, request, reason == null ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "text/plain", reason == null ? "ready\n" : "not ready: " + reason + "\n");
                }
                case "/metrics" -> respond(ctx, request, HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
                        registry.scrape());
                case "/links" -> respond(ctx, request, HttpResponseStatus.OK, "application/json",
                        LinksJson.render(links.get()));
                case "/tap" -> tap(ctx, request);
                case "/dashboard.json" -> respond(ctx, request, HttpResponseStatus.OK, "application/json",
                        DashboardJson.render(routes.get(), registry));
                case "/dashboard", "/" -> {
                    FullHttpResponse page = response(request, HttpResponseStatus.OK, "text/html; charset=utf-8", DASHBOARD);
                    page.headers().set("Content-Security-Policy", DASHBOARD_POLICY).set("X-Content-Type-Options", "nosniff")
                            .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                    send(ctx, request, page);
                }
                default -> respond(ctx, request, HttpResponseStatus.NOT_FOUND, "text/plain",
                        "no such path (expected /live, /ready, /metrics, /links, /tap, /dashboard or /dashboard.json)\n");
            }
        }

        private void tap(ChannelHandlerContext ctx, FullHttpRequest request) {
            Map<String, List<String>> query;
            try {
                query = new QueryStringDecoder(request.uri(), UTF_8, true, MAX_QUERY_PARAMETERS).parameters();
            } catch (IllegalArgumentException e) {
                respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "text/plain",
                        "tap query: malformed percent-encoding (expected: a query such as ?ns=test&status=5xx)\n");
                return;
            }
            TapFilter filter;
            try {
                filter = TapFilter.parse(query);
            } catch (IllegalArgumentException e) {
                respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "text/plain", e.getMessage() + "\n");
                return;
            }
            if (request.method() == HttpMethod.HEAD) {
                respond(ctx, request, HttpResponseStatus.OK, "application/x-ndjson; charset=utf-8", "");
                return;
            }
            TapWatcher watcher = tap.watch(filter);
            if (watcher == null) {
                respond(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain", "the tap has " + tap.maxWatchers()
                        + " watchers already (expected: fewer; try again when one has ended)\n");
                return;
            }
            streaming = true;
            // A tap reader sends nothing while it reads; the stream ends by its limit, the client, or TapStream's stall check.
            ctx.pipeline().remove(READ_TIMEOUT);
            TapStream.start(ctx, tap, watcher);
        }

        private void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String type,
                String body) {
            send(ctx, request, response(request, status, type, body));
        }

        private FullHttpResponse response(FullHttpRequest request, HttpResponseStatus status, String type, String body) {
            byte[] bytes = body.getBytes(UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    request.method() == HttpMethod.HEAD ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            return response;
        }

        private void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
            boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
            HttpUtil.setKeepAlive(response, keepAlive);
            var future = ctx.writeAndFlush(response);
            if (!keepAlive) {
                future.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
