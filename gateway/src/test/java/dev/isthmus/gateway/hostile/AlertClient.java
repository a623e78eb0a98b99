package dev.isthmus.gateway.hostile;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.client.CertifiedKey;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hostile TLS 1.3 client on the JDK's TLS engine, whose exceptions name the alert the gateway sent
 * ("Received fatal alert: unknown_ca"), so a test reads what an operator on the client side reads. It
 * presents any certificate chain, offers any ALPN list (or none), and does not check the gateway: it is
 * the attacker, not a peer.
 */
final class AlertClient implements AutoCloseable {

    private static final Pattern ALERT = Pattern.compile("Received fatal alert: (\\w+)");

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    /**
     * What happened on the wire.
     *
     * @param alert the fatal alert received, {@code null} when none
     * @param echoed what came back after the transport header and a probe were sent, when the gateway served us
     */
    record Outcome(boolean handshakeCompleted, String alert, String echoed) {}

    /**
     * Connects, handshakes and, if the handshake completes, sends {@code header} and "ping"; waits (bounded)
     * for the gateway to answer or close.
     */
    Outcome attempt(int port, CertifiedKey credentials, List<String> alpn, TransportHeader header) throws Exception {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols("TLSv1.3")
                .endpointIdentificationAlgorithm(null).trustManager(InsecureTrustManagerFactory.INSTANCE);
        if (credentials != null) {
            builder.keyManager(new Presenting(credentials));
        }
        if (!alpn.isEmpty()) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN, SelectorFailureBehavior.NO_ADVERTISE,
                    SelectedListenerFailureBehavior.ACCEPT, alpn));
        }
        SslContext context = builder.build();
        Recorder recorder = new Recorder();
        // Kept from here, not looked up after connecting: a gateway that refuses at once may have closed the
        // connection, and with it emptied the pipeline, before connect() returns.
        CompletableFuture<SslHandler> handler = new CompletableFuture<>();
        Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SslHandler tls = context.newHandler(ch.alloc(), "gateway", port);
                        handler.complete(tls);
                        ch.pipeline().addLast(tls, recorder);
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
        SslHandler tls = handler.getNow(null);
        tls.handshakeFuture().await(10, TimeUnit.SECONDS);
        boolean completed = tls.handshakeFuture().isSuccess();
        if (completed) {
            recorder.failure(null);
            channel.write(header.encode(channel.alloc()));
            channel.writeAndFlush(Unpooled.copiedBuffer("ping", US_ASCII));
            recorder.awaitEchoOrClose(channel, 4, 10);
        } else {
            recorder.failure(tls.handshakeFuture().cause());
        }
        channel.close().await(5, TimeUnit.SECONDS);
        return new Outcome(completed, recorder.alert(), recorder.received());
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * Presents its one certificate whatever the server asks for: the JDK's own key manager keeps back a
     * chain that leads to none of the server's certificate_authorities, and an attacker would not.
     */
    private static final class Presenting extends X509ExtendedKeyManager {
        private final CertifiedKey credentials;

        Presenting(CertifiedKey credentials) {
            this.credentials = credentials;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "peer";
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "peer";
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"peer"};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return credentials.chain().toArray(new X509Certificate[0]);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return credentials.key();
        }
    }

    private static final class Recorder extends ChannelInboundHandlerAdapter {
        private final StringBuilder failures = new StringBuilder();
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();

        synchronized void failure(Throwable cause) {
            for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
                failures.append(t).append('\n');
            }
        }

        synchronized String alert() {
            Matcher matcher = ALERT.matcher(failures);
            return matcher.find() ? matcher.group(1) : null;
        }

        synchronized String received() {
            return received.toString(US_ASCII);
        }

        void awaitEchoOrClose(Channel channel, int bytes, int seconds) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (channel.isActive() && System.nanoTime() < until) {
                synchronized (this) {
                    if (received.size() >= bytes) {
                        return;
                    }
                }
                Thread.sleep(10);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                ByteBuf bytes = (ByteBuf) msg;
                byte[] copy = new byte[bytes.readableBytes()];
                bytes.readBytes(copy);
                synchronized (this) {
                    received.writeBytes(copy);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failure(cause);
            ctx.close();
        }
    }
}
