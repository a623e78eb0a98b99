package dev.isthmus.gateway.probe;

import dev.isthmus.gateway.http.BackendLease;
import dev.isthmus.gateway.http.Http2ClientSession;
import dev.isthmus.gateway.peer.PeerGatewayConnector;
import dev.isthmus.gateway.pipeline.PipelineTail;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.transport.ProbeTarget;
import dev.isthmus.gateway.transport.SessionProtocol;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One probe of one link, on one event loop: {@code GET <path>} on a new stream of the link's
 * {@link ProbeConnection}, an HTTP/2 session to {@link ProbeTarget}. It succeeds on a 200, with the time
 * that took. When there is no such connection, or a probe over it fails, the probe dials one with the gateway's
 * {@link PeerGatewayConnector}, as outbound traffic does (TCP, mTLS to exactly the link's gateway identity), with
 * the transport header for {@link ProbeTarget} and HTTP/2. Addresses are tried in turn until one answers; the
 * timeout covers them all. A connection that answered is kept for the next probes; any other is closed.
 */
final class ProbeCall {

    /** The probe's answer is a line naming the gateway; anything much larger is not a probe answer. */
    static final int MAX_RESPONSE = 8 * 1024;
    private static final String USER_AGENT = "isthmus-gateway-probe";
    /** Push disabled; the answer's header list is bounded like its body. */
    private static final Http2Settings SETTINGS = Http2Settings.defaultSettings().pushEnabled(false).maxHeaderListSize(MAX_RESPONSE);

    private final EventLoop loop;
    private final ProbedLink link;
    private final PeerGatewayConnector connector;
    private final SslContext tls;
    private final ProbeSettings settings;
    private final ProbeConnection pooled;
    private final Promise<Duration> result;
    private final long startNanos = System.nanoTime();
    private Channel channel;
    private Future<Channel> dialing;
    private Endpoint gateway;

    private ProbeCall(EventLoop loop, ProbedLink link, PeerGatewayConnector connector, SslContext tls, ProbeSettings settings,
            ProbeConnection pooled) {
        this.loop = loop;
        this.link = link;
        this.connector = connector;
        this.tls = tls;
        this.settings = settings;
        this.pooled = pooled;
        this.result = loop.newPromise();
    }

    /**
     * Starts a probe over {@code pooled}'s connection, or a new one; must be called on {@code loop}. {@code tls} is
     * the client context of the moment, which a kept connection must have been made with. The future fails with a
     * {@link ProbeException}; cancelling it ends the probe.
     */
    static Future<Duration> send(EventLoop loop, ProbedLink link, PeerGatewayConnector connector, SslContext tls,
            ProbeSettings settings, ProbeConnection pooled) {
        ProbeCall call = new ProbeCall(loop, link, connector, tls, settings, pooled);
        call.start();
        return call.result;
    }

    private void start() {
        Duration timeout = settings.timeout();
        ScheduledFuture<?> timer = loop.schedule(() -> {
            result.tryFailure(new ProbeException((gateway == null ? link.name() : gateway.toString()) + ": no answer within "
                    + timeout.toMillis() + " ms"));
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        result.addListener(done -> {
            timer.cancel(false);
            if (dialing != null) {
                dialing.cancel(false); // a dial still under way ends with the probe; the connector closes its channel
            }
            if (!done.isSuccess()) {
                if (pooled.holds(channel)) {
                    pooled.discard(); // a connection that did not answer in time is not worth another probe
                }
            } else if (channel != null) {
                pooled.keep(channel, tls);
            }
            if (channel != null && !pooled.holds(channel)) {
                channel.close();
            }
        });
        Channel kept = pooled.usable(tls);
        if (kept != null) {
            channel = kept;
            ask(kept, new Answer(-1, null));
        } else {
            attempt(0, new ProbeException("link " + link.name() + " has no gateway address"));
        }
    }

    /** Tries the gateway address at {@code index}; past the last one, the probe fails with {@code previous}. */
    private void attempt(int index, ProbeException previous) {
        if (result.isDone()) {
            return;
        }
        if (index >= link.gateways().size()) {
            result.tryFailure(previous);
            return;
        }
        gateway = link.gateways().get(index);
        Answer answer = new Answer(index, gateway);
        long remainingMillis = TimeUnit.NANOSECONDS.toMillis(startNanos + settings.timeout().toNanos() - System.nanoTime());
        channel = null;
        Future<Channel> dial = connector.connect(loop, gateway, link.identity(), ProbeTarget.header(SessionProtocol.HTTP2),
                new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // The client the backend pools use, with the default windows: an answer is a line.
                        ch.pipeline().addLast("h2", Http2ClientSession.create(SETTINGS, Http2CodecUtil.DEFAULT_WINDOW_SIZE,
                                new ClosesOnGoAway(ch)));
                        PipelineTail.addTo(ch.pipeline()); // the connector's initializer added it first
                    }
                }, Duration.ofMillis(Math.max(1, remainingMillis)));
        dialing = dial;
        dial.addListener(f -> {
            if (f.isSuccess()) {
                channel = (Channel) f.getNow();
                ask(channel, answer);
            } else if (!f.isCancelled()) {
                answer.failed(f.cause());
            }
        });
    }

    /** Asks on a new stream of {@code connection}: {@code GET <path>}, the answer going to {@code answer}. */
    private void ask(Channel connection, Answer answer) {
        Http2ClientSession session = connection.pipeline().get(Http2ClientSession.class);
        if (session == null) {
            answer.failed(new ProbeException("the connection closed before an answer")); // its pipeline is gone with it
            return;
        }
        answer.connection = connection;
        BackendLease stream = session.newCall(false);
        stream.attach(answer);
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, settings.path());
        request.headers()
                .set(HttpHeaderNames.HOST, ProbeTarget.NAME + ":" + ProbeTarget.PORT)
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        stream.write(request);
        stream.flush();
    }

    /**
     * Gives up a connection whose remote gateway sent GOAWAY: no later probe could be answered on it. (Its session
     * closes it by itself when the remote gateway ends its side.)
     */
    private static final class ClosesOnGoAway implements Http2ClientSession.Owner {
        private final Channel connection;

        ClosesOnGoAway(Channel connection) {
            this.connection = connection;
        }

        @Override
        public void settings(Long maxConcurrentStreams) {}

        @Override
        public void goneAway() {
            connection.close(); // the next probe dials a new one
        }

        @Override
        public void callEnded() {}
    }

    /**
     * The answer of one try: over the kept connection ({@code index} -1), or over a new one to the address at
     * {@code index}. The first of its outcomes counts; later ones (the close after a failure) do not. A failed try's
     * connection is closed (or discarded from the pool), and its stream with it.
     */
    private final class Answer implements BackendLease.Listener {
        private final int index;
        private final Endpoint gateway;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private Channel connection;
        private HttpResponse head;
        private boolean over;

        Answer(int index, Endpoint gateway) {
            this.index = index;
            this.gateway = gateway;
        }

        @Override
        public void backendRead(HttpObject msg) {
            try {
                if (over) {
                    return;
                }
                if (msg.decoderResult().isFailure()) {
                    Throwable cause = msg.decoderResult().cause();
                    failed(new ProbeException("answered with a malformed response: " + cause.getMessage(), cause));
                    return;
                }
                if (msg instanceof HttpResponse response) {
                    if (response.status().code() < 200) {
                        return; // an interim answer; the final one follows
                    }
                    head = response;
                }
                if (msg instanceof HttpContent content && head != null) {
                    if (body.size() + content.content().readableBytes() > MAX_RESPONSE) {
                        failed(new ProbeException("answered with more than " + MAX_RESPONSE + " bytes, which is no probe answer"));
                        return;
                    }
                    body.writeBytes(ByteBufUtil.getBytes(content.content()));
                    if (msg instanceof LastHttpContent) {
                        answered();
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void answered() {
            if (head.status().code() == 200) {
                over = true;
                result.trySuccess(Duration.ofNanos(System.nanoTime() - startNanos));
                return;
            }
            String text = body.toString(StandardCharsets.UTF_8).strip();
            failed(new ProbeException("answered " + head.status() + (text.isEmpty() ? "" : ": " + text)));
        }

        @Override
        public void backendReadComplete() {}

        @Override
        public void backendWritable() {}

        @Override
        public void backendClosed() {
            failed(new ProbeException(connection != null && connection.isActive() ? "the stream closed before an answer"
                    : "the connection closed before an answer"));
        }

        void failed(Throwable cause) {
            if (over) {
                return;
            }
            over = true;
            if (index < 0) {
                // The kept connection failed this probe: it goes, and the probe dials, from the first address on.
                pooled.discard();
                channel = null;
                attempt(0, new ProbeException(link.name() + ": " + describe(cause), cause));
                return;
            }
            if (channel != null) {
                channel.close();
            }
            attempt(index + 1, new ProbeException(gateway + ": " + describe(cause), cause));
        }
    }

    /** Says why, in the terms an operator acts on: a refused certificate names the identity it carried and the one expected. */
    static String describe(Throwable cause) {
        if (cause instanceof ProbeException) {
            return cause.getMessage();
        }
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertificateException) {
                return "the remote gateway's certificate was refused: " + t.getMessage();
            }
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String said = root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
        // TLS 1.3 between two gateways: the ciphers and signature schemes always overlap, so this alert means the groups do not.
        return said.contains("ALERT_HANDSHAKE_FAILURE") ? said + " (the remote gateway refused the handshake; between two"
                + " gateways that means no key exchange in common: compare their tls.keyExchange)" : said;
    }
}
