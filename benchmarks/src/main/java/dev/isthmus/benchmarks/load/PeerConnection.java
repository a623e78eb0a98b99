package dev.isthmus.benchmarks.load;

import dev.isthmus.gateway.transport.SessionProtocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * What a peer gateway does to open an HTTP/2 session: TCP, the mTLS handshake, the transport header
 * naming the exported service, then HTTP/2 with prior knowledge. The session is open when the
 * gateway's SETTINGS arrive: by then the gateway finished the handshake, authorized the peer, routed
 * the header and installed its HTTP/2 codec.
 *
 * <p>The HTTP/2 codec goes in only after the header is written, in the same event-loop task, as a real
 * peer does: the gateway reads the header before any HTTP/2 byte.
 */
final class PeerConnection {

    static final String TLS = "tls";
    static final String H2 = "h2";

    private PeerConnection() {}

    /**
     * Opens a session on {@code loop}; the future succeeds with the channel once the gateway's SETTINGS
     * arrived and fails if the connection, the handshake or the session fails first.
     *
     * @param local the source address to bind, or {@code null} for any
     * @param listener sees every HTTP/2 frame of the session
     * @param after handlers to put after the HTTP/2 codec, to see the channel's life (inactive, errors)
     */
    static Future<Channel> open(EventLoop loop, SocketAddress gateway, SocketAddress local, SslContext tls,
            Http2FrameListener listener, ChannelHandler... after) {
        Promise<Channel> open = loop.newPromise();
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        // No peer host and port: the client context cannot look a session up, so no resumption.
                        channel.pipeline().addLast(TLS, tls.newHandler(channel.alloc()));
                        channel.pipeline().addLast(new SessionStart(open, listener, after));
                    }
                });
        ChannelFuture connect = local == null ? bootstrap.connect(gateway) : bootstrap.connect(gateway, local);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                open.tryFailure(f.cause());
            } else {
                connect.channel().closeFuture().addListener(c -> open.tryFailure(
                        new IOException("the gateway closed the connection before the HTTP/2 session was open")));
            }
        });
        return open;
    }

    /** After the handshake: the transport header, then the HTTP/2 codec in this handler's place. */
    private static final class SessionStart extends ChannelInboundHandlerAdapter {
        private final Promise<Channel> open;
        private final Http2FrameListener listener;
        private final ChannelHandler[] after;

        SessionStart(Promise<Channel> open, Http2FrameListener listener, ChannelHandler[] after) {
            this.open = open;
            this.listener = listener;
            this.after = after;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (!(event instanceof SslHandshakeCompletionEvent completion)) {
                ctx.fireUserEventTriggered(event);
                return;
            }
            if (!completion.isSuccess()) {
                open.tryFailure(completion.cause());
                ctx.close();
                return;
            }
            Channel channel = ctx.channel();
            ctx.write(GatewayUnderTest.header(SessionProtocol.HTTP2).encode(ctx.alloc()), ctx.voidPromise());
            Http2ConnectionHandler h2 = new Http2ConnectionHandlerBuilder()
                    .server(false)
                    .initialSettings(Http2Settings.defaultSettings())
                    .frameListener(new Http2FrameListenerDecorator(listener) {
                        @Override
                        public void onSettingsRead(ChannelHandlerContext h2ctx, Http2Settings settings) throws Http2Exception {
                            super.onSettingsRead(h2ctx, settings);
                            open.trySuccess(channel);
                        }
                    })
                    .build();
            ctx.pipeline().replace(this, H2, h2);
            channel.pipeline().addLast(after);
            channel.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            open.tryFailure(cause);
            ctx.close();
        }
    }
}
