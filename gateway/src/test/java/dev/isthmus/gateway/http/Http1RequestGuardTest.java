package dev.isthmus.gateway.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The guard between the HTTP/1.1 server codec and the proxy, on an {@link EmbeddedChannel} whose clock the
 * test moves: request heads it refuses, bodiless heads it completes, and the request-header timeout.
 */
class Http1RequestGuardTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final EmbeddedChannel channel = new EmbeddedChannel();

    Http1RequestGuardTest() {
        channel.freezeTime();
        Http1RequestGuard guard = new Http1RequestGuard(Duration.ofSeconds(2), new RequestMetrics(new GatewayMetrics(registry), "t", "p"));
        channel.pipeline().addLast(guard.bytesIn(), HttpSessionInstaller.serverCodec(), guard);
    }

    @AfterEach
    void release() {
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            ReferenceCountUtil.release(msg);
        }
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            ReferenceCountUtil.release(msg);
        }
        channel.finishAndReleaseAll();
    }

    private void send(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, ISO_8859_1));
    }

    private double rejected(String reason) {
        Counter counter = registry.find("isthmus.gateway.sessions.rejected").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    private String written() {
        StringBuilder text = new StringBuilder();
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            text.append(((ByteBuf) msg).toString(ISO_8859_1));
            ReferenceCountUtil.release(msg);
        }
        return text.toString();
    }

    @Test
    void aBodilessGetGoesOnAsOneCompleteRequestWithoutChunks() {
        send("GET /a HTTP/1.1\r\nHost: podinfo\r\n\r\n");

        HttpRequest request = channel.readInbound();
        assertThat(request).isInstanceOf(FullHttpRequest.class);
        assertThat(request.decoderResult().isSuccess()).isTrue();
        assertThat(request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)).isFalse();
        assertThat((Object) channel.readInbound()).as("the codec's empty end is not passed on twice").isNull();
        ReferenceCountUtil.release(request);
    }

    @Test
    void aRequestWithABodyStillStreams() {
        send("POST /a HTTP/1.1\r\nHost: podinfo\r\nContent-Length: 3\r\n\r\nabc");

        HttpRequest head = channel.readInbound();
        assertThat(head).isNotInstanceOf(FullHttpRequest.class);
        HttpContent body = channel.readInbound();
        assertThat(body).isInstanceOf(LastHttpContent.class);
        assertThat(body.content().toString(ISO_8859_1)).isEqualTo("abc");
        body.release();
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n | 400 | Host: 2 headers",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nhost: a\\r\\n\\r\\n | 400 | Host: 2 headers",
        "GET / HTTP/1.1\\r\\n\\r\\n | 400 | Host: missing",
        "GET / HTTP/1.0\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n | 400 | Host: 2 headers",
        "GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n | 505 | HTTP version: HTTP/2.0 (expected: HTTP/1.1 or HTTP/1.0)",
        "GET / HTTP/1.2\\r\\nHost: a\\r\\n\\r\\n | 505 | HTTP version: HTTP/1.2",
    })
    void anAmbiguousHeadIsMarkedRefusedAndCounted(String text, int status, String reason) {
        send(text.replace("\\r", "\r").replace("\\n", "\n"));

        HttpRequest request = channel.readInbound();
        assertThat(request.decoderResult().isFailure()).isTrue();
        RefusedRequestException refused = (RefusedRequestException) request.decoderResult().cause();
        assertThat(refused.status()).isEqualTo(status);
        assertThat(refused.getMessage()).startsWith(reason);
        assertThat(rejected("malformed_request")).isEqualTo(1);
        ReferenceCountUtil.release(request);
    }

    @Test
    void anHttp10RequestNeedsNoHost() {
        send("GET / HTTP/1.0\r\n\r\n");

        HttpRequest request = channel.readInbound();
        assertThat(request.decoderResult().isSuccess()).isTrue();
        assertThat(rejected("malformed_request")).isZero();
        ReferenceCountUtil.release(request);
    }

    @Test
    void anHttp2PrefaceOnAnHttp1SessionIsRefusedAsAVersion() {
        send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

        HttpRequest request = channel.readInbound();
        assertThat(((RefusedRequestException) request.decoderResult().cause()).status()).isEqualTo(505);
        ReferenceCountUtil.release(request);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GET /\\r\\n\\r\\n",                       // HTTP/0.9: no version at all
        "GET / FOO/1.1\\r\\nHost: a\\r\\n\\r\\n",
    })
    void aHeadTheCodecRefusedIsCountedToo(String text) {
        send(text.replace("\\r", "\r").replace("\\n", "\n"));

        HttpRequest request = channel.readInbound();
        assertThat(request.decoderResult().isFailure()).isTrue();
        assertThat(rejected("malformed_request")).isEqualTo(1);
        ReferenceCountUtil.release(request);
    }

    @Test
    void aHeadStillIncompleteAtTheTimeoutGets408AndTheConnectionCloses() {
        send("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ");
        channel.advanceTimeBy(1900, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).as("not before the timeout").isTrue();
        send("a");

        channel.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();

        assertThat(written()).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("connection: close");
        assertThat(channel.isOpen()).isFalse();
        assertThat(rejected("request_header_timeout")).isEqualTo(1);
    }

    @Test
    void aSessionWithoutAnyRequestIsClosedSilentlyAndCounted() {
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(written()).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(rejected("request_header_timeout")).isEqualTo(1);
    }

    @Test
    void theTimeoutWaitsForTheResponseAndThenBoundsTheKeepAliveGap() {
        send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        ReferenceCountUtil.release(channel.readInbound());
        channel.advanceTimeBy(10, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).as("a request in flight is the request timeout's business").isTrue();

        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER));
        written();
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).as("an idle keep-alive connection is closed").isFalse();
        assertThat(written()).as("without a word").isEmpty();
        assertThat(rejected("request_header_timeout")).as("a quiet client is no slow one").isZero();
    }

    @Test
    void theKeepAliveGapCountsFromTheLastExchangeNotFromWhenTheCheckWasFirstScheduled() {
        exchange();
        channel.advanceTimeBy(1500, TimeUnit.MILLISECONDS);
        exchange(); // the check scheduled after the first exchange still fires at 2 s; the gap now ends at 3.5 s
        channel.advanceTimeBy(600, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).as("2.1 s: 0.6 s after the second exchange").isTrue();

        channel.advanceTimeBy(1300, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).as("3.4 s: 1.9 s after the second exchange").isTrue();

        channel.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).as("3.6 s: 2.1 s after the second exchange").isFalse();
        assertThat(rejected("request_header_timeout")).isZero();
    }

    private void exchange() {
        send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        ReferenceCountUtil.release(channel.readInbound());
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER));
        written();
    }

    @Test
    void aSlowSecondHeadAfterAResponseGets408() {
        send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        ReferenceCountUtil.release(channel.readInbound());
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER));
        written();

        send("GET /second HTTP/1.1\r\nHo");
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();

        assertThat(written()).startsWith("HTTP/1.1 408 ");
        assertThat(channel.isOpen()).isFalse();
        assertThat(rejected("request_header_timeout")).isEqualTo(1);
    }

    @Test
    void aRefusedHeadIsTheLastOneCounted() {
        send("GET / HTTP/2.0\r\nHost: a\r\n\r\nGET / HTTP/3.0\r\nHost: a\r\n\r\nXX\r\n\r\n");

        HttpRequest request = channel.readInbound();
        assertThat(request.decoderResult().isFailure()).isTrue();
        assertThat((Object) channel.readInbound()).as("what follows is dropped").isNull();
        assertThat(rejected("malformed_request")).isEqualTo(1);
        ReferenceCountUtil.release(request);
    }

    /** Seeded mutations of requests, in random pieces, then the timeout: nothing reaches the pipeline's tail, nothing leaks. */
    @Test
    void hostileBytesInAnyPiecesNeverReachTheTailAsAnException() {
        Random random = new Random(11);
        String[] seeds = {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
            "POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            "GET / HTTP/1.0\r\n\r\nGET / HTTP/2.0\r\nHost: a\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"};
        for (int round = 0; round < 500; round++) {
            EmbeddedChannel hostile = new EmbeddedChannel();
            hostile.freezeTime();
            Http1RequestGuard guard = new Http1RequestGuard(Duration.ofSeconds(2), new RequestMetrics(new GatewayMetrics(registry), "t", "p"));
            hostile.pipeline().addLast(guard.bytesIn(), HttpSessionInstaller.serverCodec(), guard);
            byte[] input = seeds[random.nextInt(seeds.length)].getBytes(ISO_8859_1);
            for (int flips = random.nextInt(4); flips > 0; flips--) {
                input[random.nextInt(input.length)] = (byte) random.nextInt(256);
            }
            for (int at = 0; at < input.length && hostile.isOpen(); ) {
                int piece = 1 + random.nextInt(input.length - at);
                hostile.writeInbound(Unpooled.copiedBuffer(input, at, piece));
                at += piece;
                for (Object msg; (msg = hostile.readInbound()) != null; ) {
                    ReferenceCountUtil.release(msg);
                }
            }
            hostile.advanceTimeBy(3, TimeUnit.SECONDS);
            hostile.runScheduledPendingTasks();
            hostile.runPendingTasks();
            hostile.checkException();
            hostile.finishAndReleaseAll();
        }
    }

    @Test
    void anInterimResponseDoesNotEndTheExchange() {
        send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
        ReferenceCountUtil.release(channel.readInbound());
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
        written();
        channel.advanceTimeBy(5, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).isTrue();
    }
}
