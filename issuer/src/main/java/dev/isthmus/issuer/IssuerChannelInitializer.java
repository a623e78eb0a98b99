package dev.isthmus.issuer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Sets up each accepted connection:
 * <pre>
 * tls → idle → http-codec → keep-alive → body-aggregator → issuer
 * </pre>
 * The TLS handler is made from the context of the moment, so a renewed certificate reaches new
 * connections while open ones keep theirs.
 */
final class IssuerChannelInitializer extends ChannelInitializer<Channel> {

    static final String TLS = "tls";
    static final String IDLE = "idle";
    static final String HTTP_CODEC = "http-codec";
    static final String KEEP_ALIVE = "keep-alive";
    static final String BODY_AGGREGATOR = "body-aggregator";
    static final String ISSUER = "issuer";

    static final int MAX_INITIAL_LINE_BYTES = 4096;
    static final int MAX_HEADER_BYTES = 8192;
    /** A CSR for one P-256 key and two SANs is well under 1 KiB in DER; 16 KiB leaves room for PEM and more. */
    static final int MAX_BODY_BYTES = 16 * 1024;

    private final Supplier<SslContext> tls;
    private final Duration idleTimeout;
    private final Routes routes;
    private final InFlightRequests inFlight;
    private final IssuerMetrics metrics;
    private final ChannelGroup channels;

    IssuerChannelInitializer(Supplier<SslContext> tls, Duration idleTimeout, Routes routes, InFlightRequests inFlight,
            IssuerMetrics metrics, ChannelGroup channels) {
        this.tls = tls;
        this.idleTimeout = idleTimeout;
        this.routes = routes;
        this.inFlight = inFlight;
        this.metrics = metrics;
        this.channels = channels;
    }

    @Override
    protected void initChannel(Channel channel) {
        channels.add(channel);
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast(TLS, tls.get().newHandler(channel.alloc()));
        // Only signals; the issuer handler closes, because it knows whether a request is still being answered.
        pipeline.addLast(IDLE, new IdleStateHandler(idleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        pipeline.addLast(HTTP_CODEC, new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES)
                .setMaxHeaderSize(MAX_HEADER_BYTES)));
        pipeline.addLast(KEEP_ALIVE, new HttpServerKeepAliveHandler());
        pipeline.addLast(BODY_AGGREGATOR, new RequestBodyAggregator(metrics));
        pipeline.addLast(ISSUER, new IssuerHttpHandler(routes, inFlight));
    }
}
