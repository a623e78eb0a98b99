package dev.isthmus.gateway.upstream;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.io.IoTransport;
import dev.isthmus.gateway.pipeline.PipelineTail;
import dev.isthmus.gateway.routing.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.time.Duration;

/**
 * Connections to local backends. Every connection is made on the event loop of the inbound connection
 * that needs it, as Netty's proxy example does, so the two sides of a relay share a thread and need
 * no locks.
 */
public final class Upstreams {

    private final LoadBalancer balancer;
    private final Duration connectTimeout;

    public Upstreams(LoadBalancer balancer, Duration connectTimeout) {
        this.balancer = requireNonNull(balancer, "balancer");
        this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout");
    }

    public LoadBalancer balancer() {
        return balancer;
    }

    /** Starts a plaintext connection to {@code endpoint}; its reads start paused. */
    public ChannelFuture connect(EventLoop loop, Endpoint endpoint, ChannelHandler handler) {
        return new Bootstrap()
                .group(loop)
                .channel(IoTransport.of(loop).socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(handler); // an initializer itself runs now, so the tail still comes last
                        PipelineTail.addTo(channel.pipeline());
                    }
                })
                .connect(endpoint.host(), endpoint.port());
    }
}
