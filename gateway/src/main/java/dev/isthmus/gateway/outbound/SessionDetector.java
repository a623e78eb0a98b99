package dev.isthmus.gateway.outbound;

import dev.isthmus.gateway.http.Forwarder;
import dev.isthmus.gateway.http.HttpSessionInstaller;
import dev.isthmus.gateway.outbound.ProtocolSniffer.Verdict;
import dev.isthmus.gateway.routing.ClientProtocol;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.transport.SessionProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The first handler of a client connection on an outbound listener: it holds the client's first bytes
 * until they say what the client speaks, then installs that session and hands them on. A route whose
 * protocol is declared is not second-guessed: an opaque one is a tunnel at once, an HTTP one is HTTP/2 or
 * HTTP/1 and never a tunnel. Otherwise {@link ProtocolSniffer} decides. A client that says nothing for the
 * detect timeout gets an opaque session (some protocols wait for the server to speak first) unless the
 * route is HTTP; one that said something HTTP-like but not enough gets the HTTP/1 session, whose
 * request-header timeout ends it if it never finishes.
 */
final class SessionDetector extends ChannelInboundHandlerAdapter {

    private static final Logger log = Logger.getLogger(SessionDetector.class.getName());

    private final int port;
    private final OutboundSessions sessions;
    private ByteBuf firstBytes;
    private ScheduledFuture<?> timeout;
    private boolean decided;

    SessionDetector(int port, OutboundSessions sessions) {
        this.port = port;
        this.sessions = sessions;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> decide(ctx, undecided(), false),
                sessions.detectTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Runs only for a client the connection limit let in; a declared opaque or h2c route needs no bytes to decide. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        switch (declared()) {
            case OPAQUE -> decide(ctx, Verdict.OPAQUE, false);
            case H2C -> decide(ctx, Verdict.HTTP2, false);
            default -> { }
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (decided || !(msg instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        firstBytes = firstBytes == null ? bytes : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), firstBytes, bytes);
        Verdict verdict = sniff();
        if (verdict != Verdict.NEED_MORE) {
            decide(ctx, verdict, false);
        }
    }

    /** A client that ended its side before its bytes said enough gets what {@link #undecided()} says, with what it sent. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent && !decided) {
            Verdict verdict = firstBytes == null ? Verdict.NEED_MORE : sniff();
            decide(ctx, verdict == Verdict.NEED_MORE ? undecided() : verdict, true);
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timeout.cancel(false);
        release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        decided = true;
        timeout.cancel(false);
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.fine(() -> "closing outbound client " + ctx.channel().remoteAddress() + ": " + cause);
        ctx.close();
    }

    private ClientProtocol declared() {
        OutboundRoute route = sessions.route(port);
        return route == null ? ClientProtocol.DETECT : route.protocol();
    }

    private Verdict sniff() {
        return switch (declared()) {
            case HTTP -> ProtocolSniffer.sniffHttp(firstBytes);
            case H2C -> Verdict.HTTP2;
            case OPAQUE -> Verdict.OPAQUE;
            case DETECT -> ProtocolSniffer.sniff(firstBytes);
        };
    }

    /**
     * What a client that stopped (or paused) before its bytes said enough gets: silence is opaque unless the
     * route is HTTP; the beginning of something HTTP-like is HTTP/1, where a malformed or unfinished request
     * gets its 400 or 408 rather than a tunnel.
     */
    private Verdict undecided() {
        ClientProtocol declared = declared();
        if (declared == ClientProtocol.OPAQUE || declared == ClientProtocol.DETECT && (firstBytes == null || !firstBytes.isReadable())) {
            return Verdict.OPAQUE;
        }
        if (declared == ClientProtocol.H2C) {
            return Verdict.HTTP2;
        }
        return Verdict.HTTP1;
    }

    private void decide(ChannelHandlerContext ctx, Verdict verdict, boolean inputEnded) {
        if (decided || !ctx.channel().isActive()) {
            return;
        }
        decided = true;
        timeout.cancel(false);
        OutboundRoute route = sessions.route(port);
        if (route == null) {
            log.fine(() -> "closing outbound client " + ctx.channel().remoteAddress() + ": port " + port + " has no route any more");
            ctx.close();
            return;
        }
        ByteBuf data = firstBytes;
        firstBytes = null; // from here on it belongs to the session
        if (verdict == Verdict.OPAQUE) {
            OpaqueTunnel.start(ctx, route, data, inputEnded, sessions);
            return;
        }
        Forwarder forwarder = sessions.forwarder(clientNode(ctx.channel().remoteAddress()));
        HttpSessionInstaller.serve(ctx, verdict == Verdict.HTTP2 ? SessionProtocol.HTTP2 : SessionProtocol.HTTP1,
                new RouteResponder(port, sessions, forwarder, ctx.channel().eventLoop()),
                sessions.requests(route.name()), sessions.requestHeaderTimeout());
        // This context was replaced; what it fires now reaches its replacement, the first of the session's handlers.
        // A route that declares its protocol decides before any byte came: then there is nothing to pass on.
        if (data != null) {
            ctx.fireChannelRead(data);
            ctx.fireChannelReadComplete();
        }
        if (inputEnded) {
            ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        }
    }

    private void release() {
        if (firstBytes != null) {
            firstBytes.release();
            firstBytes = null;
        }
    }

    /** The client as RFC 7239 names a node: an IPv4 address, or a bracketed IPv6 one. */
    static String clientNode(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String ip = inet.getAddress().getHostAddress();
            return ip.contains(":") ? "[" + ip + "]" : ip;
        }
        return "unknown";
    }
}
