package dev.isthmus.gateway.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.pipeline.Drain;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The inbound proxy handler behind a real HTTP/1.1 codec, with exchanges the test answers itself. */
class HttpProxyHandlerTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<Held> started = new ArrayList<>();
    private EmbeddedChannel channel;

    /** An exchange that answers only when the test says so, and remembers what it was given. */
    final class Held implements Exchange {
        final ClientSide inbound;
        final HttpRequest request;
        final List<HttpContent> body = new ArrayList<>();
        /** How many pieces of the body had arrived when the handler last said it may be flushed on. */
        int flushedPieces = -1;
        boolean inboundClosed;

        Held(ClientSide inbound, HttpRequest request) {
            this.inbound = inbound;
            this.request = request;
        }

        @Override
        public void start() {
            started.add(this);
        }

        @Override
        public void requestContent(HttpContent content) {
            body.add(content);
        }

        @Override
        public boolean wantsRequestContent() {
            return true;
        }

        @Override
        public void inboundReadComplete() {
            flushedPieces = body.size();
        }

        @Override
        public void inboundWritable() {}

        @Override
        public void inboundClosed() {
            inboundClosed = true;
        }

        void answer(String text) {
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(text, US_ASCII));
            inbound.respond(response);
        }

        void release() {
            io.netty.util.ReferenceCountUtil.release(request);
            body.forEach(HttpContent::release);
        }
    }

    private EmbeddedChannel open(Responder responder) {
        channel = new EmbeddedChannel(HttpSessionInstaller.serverCodec(),
                new HttpProxyHandler(responder, new RequestMetrics(new GatewayMetrics(registry), "svc:80", "peer")));
        return channel;
    }

    private EmbeddedChannel held() {
        return open(Held::new);
    }

    @AfterEach
    void release() {
        started.forEach(Held::release);
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private void send(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, US_ASCII));
    }

    private String output() {
        StringBuilder text = new StringBuilder();
        for (ByteBuf buf; (buf = channel.readOutbound()) != null; ) {
            text.append(buf.toString(US_ASCII));
            buf.release();
        }
        return text.toString();
    }

    private double requests(String statusClass) {
        Counter counter = registry.find("isthmus.gateway.requests").tag("status_class", statusClass).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void pipelinedRequestsAreAnsweredOneAtATimeInOrder() {
        held();
        send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(started).extracting(h -> h.request.uri()).containsExactly("/a");
        assertThat(channel.config().isAutoRead()).as("reading pauses while a request waits its turn").isFalse();

        started.get(0).answer("first");
        assertThat(started).extracting(h -> h.request.uri()).containsExactly("/a", "/b");
        started.get(1).answer("second");

        String out = output();
        assertThat(out.indexOf("first")).isPositive().isLessThan(out.indexOf("second"));
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(requests("2xx")).isEqualTo(2);
    }

    @Test
    void aPipelinedRequestTakenFromTheQueueIsFlushedOnWithItsBody() {
        held();
        send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
        started.get(0).answer("first");

        Held queued = started.get(1);
        assertThat(queued.body).extracting(c -> c.content().toString(US_ASCII)).containsExactly("hello");
        // It came in an earlier read, so no read-complete follows; without this the backend never gets the body.
        assertThat(queued.flushedPieces).as("pieces flushed on").isEqualTo(1);
    }

    @Test
    void theBodyOfARequestGoesToItsExchangeAndTheNextRequestWaitsForIt() {
        held();
        send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhel");
        Held post = started.get(0);
        post.answer("early"); // a backend may answer before the body is in
        send("lo" + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(post.body).extracting(c -> c.content().toString(US_ASCII)).containsExactly("hel", "lo");
        assertThat(started).extracting(h -> h.request.uri()).containsExactly("/up", "/next");
    }

    @Test
    void refusedRequestsAreAnsweredAndTheirBodiesDropped() {
        open(new Refusal(404, "svc:80 is not exported"));
        send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: x\r\n\r\n");

        String out = output();
        assertThat(out.split("HTTP/1.1 404 Not Found", -1)).hasSize(3);
        assertThat(out).contains("x-isthmus-error: svc:80 is not exported").contains("\r\n\r\nsvc:80 is not exported\n");
        assertThat(channel.isOpen()).isTrue();
        assertThat(requests("4xx")).isEqualTo(2);
    }

    @Test
    void headersOverTheLimitAre431AndTheConnectionCloses() {
        held();
        send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(HttpSessionInstaller.MAX_HEADER_SIZE) + "\r\n\r\n");

        String out = output();
        assertThat(out).startsWith("HTTP/1.1 431 Request Header Fields Too Large")
                .contains("x-isthmus-error: request headers are too large (expected: at most 16384 bytes)")
                .contains("connection: close");
        assertThat(channel.isOpen()).isFalse();
        assertThat(started).isEmpty();
    }

    @Test
    void aRequestLineOverTheLimitIs400AndTheConnectionCloses() {
        held();
        send("GET /" + "a".repeat(HttpSessionInstaller.MAX_INITIAL_LINE) + " HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(output()).startsWith("HTTP/1.1 400 Bad Request")
                .contains("x-isthmus-error: request line is too long (expected: at most 4096 bytes)");
        assertThat(channel.isOpen()).isFalse();
        assertThat(requests("4xx")).isEqualTo(1);
    }

    @Test
    void aClientThatAsksForCloseGetsItAfterTheResponse() {
        held();
        send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        started.get(0).answer("bye");

        assertThat(output()).contains("connection: close").endsWith("bye");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void anHttp10ClientThatKeepsAliveIsToldSo() {
        held();
        send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        started.get(0).answer("hi");

        assertThat(output()).startsWith("HTTP/1.1 200 OK").contains("connection: keep-alive");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void drainingClosesAnIdleConnectionAtOnce() {
        held();
        channel.pipeline().fireUserEventTriggered(Drain.EVENT);
        channel.runPendingTasks();

        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void drainingAnswersTheRequestInFlightWithConnectionCloseThenCloses() {
        held();
        send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        channel.pipeline().fireUserEventTriggered(Drain.EVENT);
        assertThat(channel.isOpen()).isTrue();

        started.get(0).answer("last");

        assertThat(output()).contains("connection: close").endsWith("last");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aClientThatStopsSendingInTheMiddleOfABodyAbortsTheExchange() {
        held();
        send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);

        assertThat(channel.isOpen()).isFalse();
        assertThat(started.get(0).inboundClosed).isTrue();
        assertThat(requests("4xx")).as("counted as 499, client closed request").isEqualTo(1);
    }
}
