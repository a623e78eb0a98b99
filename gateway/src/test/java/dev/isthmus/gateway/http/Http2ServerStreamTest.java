package dev.isthmus.gateway.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.tap.TapEvent;
import dev.isthmus.gateway.tap.TapFilter;
import dev.isthmus.gateway.tap.TapWatcher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One request's stream of the inbound HTTP/2 session, against a client played by hand: the client's frames written with
 * Netty's frame writer, the session's read back with Netty's frame reader, so that every frame on the wire is in view.
 * The responder writes down what each exchange hears, one line each, and keeps the {@link ClientSide} it was given, so a
 * test answers as an exchange would.
 */
class Http2ServerStreamTest {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(US_ASCII);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final GatewayMetrics metrics = new GatewayMetrics(registry);
    private final List<Recorded> exchanges = new ArrayList<>();
    private final Responder responder = (inbound, request) -> {
        Recorded exchange = new Recorded(inbound, request);
        exchanges.add(exchange);
        return exchange;
    };
    private final Client client = new Client();
    private EmbeddedChannel channel;

    @BeforeEach
    void connect() {
        channel = new EmbeddedChannel(Http2ServerSession.create(
                Http2Settings.defaultSettings().maxConcurrentStreams(100).maxHeaderListSize(16 * 1024), 1000,
                new SessionParts(responder, new RequestMetrics(metrics, "svc:80", "peer"))));
        assertThat(client.sent()).as("the server's preface: its SETTINGS, sent as the connection opens").containsExactly("SETTINGS");
        client.preface();
        assertThat(client.sent()).as("the client's SETTINGS acknowledged").containsExactly("SETTINGS_ACK");
    }

    @AfterEach
    void close() {
        channel.close();
        channel.advanceTimeBy(1, TimeUnit.SECONDS); // the graceful close's wait for the streams still open
        channel.runScheduledPendingTasks();
        channel.finishAndReleaseAll();
        exchanges.forEach(Recorded::releaseAll);
        client.close();
    }

    // ---- the request, as the exchange reads it

    @Test
    void aRequestWithABodyAndTrailersIsAChunkedHeadItsPiecesAndALastContentWithTheTrailers() {
        client.batch(() -> {
            client.headers(1, post("/upload"), false);
            client.data(1, "abc", false);
            client.data(1, "de", false);
            client.headers(1, new DefaultHttp2Headers().set("checksum", "7"), true);
        });

        Recorded exchange = only();
        assertThat(exchange.request).as("a head, its body to follow").isNotInstanceOf(FullHttpRequest.class);
        assertThat(exchange.request.headers().get(HttpHeaderNames.HOST)).as("Host, from :authority").isEqualTo("svc.example");
        assertThat(exchange.request.headers().get(HttpHeaderNames.TRANSFER_ENCODING)).as("chunked: no content-length was sent")
                .isEqualTo("chunked");
        assertThat(exchange.request.headers().contains("x-http2-stream-id")).as("no x-http2-stream-id, which the exchange would strip")
                .isFalse();
        assertThat(exchange.heard).containsExactly("head POST /upload x-http2-scheme=https host=svc.example transfer-encoding=chunked",
                "content 3", "content 2", "last 0 checksum=7", "read-complete");
    }

    @Test
    void aBodilessGetIsOneFullRequestWithoutABufferOfItsOwn() {
        client.headers(1, get("/hello"), true);

        Recorded exchange = only();
        assertThat(exchange.request).isInstanceOf(FullHttpRequest.class);
        assertThat(((FullHttpRequest) exchange.request).content()).as("the shared empty buffer, nothing allocated")
                .isSameAs(Unpooled.EMPTY_BUFFER);
        assertThat(exchange.heard).containsExactly("whole GET /hello x-http2-scheme=https host=svc.example", "read-complete");
    }

    // ---- the response, as it leaves

    @Test
    void aResponseHeadItsContentAndTrailersLeaveAsHeadersDataAndHeadersThatEndTheStream() {
        client.headers(1, get("/stream"), true);
        ClientSide inbound = only().inbound;

        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        inbound.respond(head);
        inbound.respondContent(new DefaultHttpContent(ascii("hello")));
        LastHttpContent end = new DefaultLastHttpContent();
        end.trailingHeaders().set("grpc-status", "0");
        inbound.respondContent(end);

        assertThat(client.sent()).as("the end flushes what came before it").containsExactly(
                "HEADERS 1 :status=200 content-type=text/plain", "DATA 1 5", "HEADERS 1 end grpc-status=0");
    }

    @Test
    void aFullResponseWithoutBodyIsOneHeadersFrameThatEndsTheStream() {
        client.headers(1, get("/empty"), true);

        only().inbound.respond(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER));

        assertThat(client.sent()).containsExactly("HEADERS 1 end :status=204");
    }

    @Test
    void aFullResponseWithABodyIsHeadersThenDataThatEndsTheStream() {
        client.headers(1, get("/hello"), true);

        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, ascii("hello"));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 5);
        only().inbound.respond(response);

        assertThat(client.sent()).containsExactly("HEADERS 1 :status=200 content-length=5", "DATA 1 5 end");
    }

    @Test
    void aContinueLeavesAtOnceAsHeadersThatDoNotEndTheStream() {
        client.headers(1, post("/upload").set(HttpHeaderNames.EXPECT, "100-continue"), false);
        Recorded exchange = only();

        exchange.inbound.respondInterim(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));

        assertThat(client.sent()).as("flushed without being asked to").containsExactly("HEADERS 1 :status=100");
        client.data(1, "abc", true);
        assertThat(exchange.heard).as("the request goes on").endsWith("last 3", "read-complete");
    }

    // ---- the stream's end

    @Test
    void anAbortResetsTheStreamWithCancelTheExchangeHearsTheCloseOnceAndLaterWritesAreReleased() {
        client.headers(1, post("/upload"), false);
        Recorded exchange = only();

        exchange.inbound.abort("gave up");

        assertThat(client.sent()).containsExactly("RST_STREAM 1 CANCEL");
        assertThat(exchange.heard).as("the close, once").containsOnlyOnce("closed").endsWith("closed");
        ByteBuf late = ascii("late");
        exchange.inbound.respondContent(new DefaultHttpContent(late));
        ByteBuf last = ascii("last");
        exchange.inbound.respondContent(new DefaultLastHttpContent(last));
        ByteBuf whole = ascii("whole");
        exchange.inbound.respond(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, whole));
        exchange.inbound.abort("again");
        exchange.inbound.flush();
        assertThat(late.refCnt()).as("a piece written after the reset is released").isZero();
        assertThat(last.refCnt()).as("an end written after the reset is released").isZero();
        assertThat(whole.refCnt()).as("a whole response written after the reset is released").isZero();
        assertThat(client.sent()).as("nothing for a stream that is gone, not even a second reset").isEmpty();
        assertThat(exchange.heard).containsOnlyOnce("closed");
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void aClientResetMidExchangeIsHeardOnceAndLaterWritesAreReleased() {
        client.headers(1, post("/upload"), false);
        client.data(1, "abc", false);
        Recorded exchange = only();
        exchange.inbound.respond(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        exchange.inbound.respondContent(new DefaultHttpContent(ascii("first")));
        exchange.inbound.flush();
        assertThat(client.sent()).containsExactly("HEADERS 1 :status=200", "DATA 1 5");

        client.reset(1, Http2Error.CANCEL);

        assertThat(exchange.heard).containsOnlyOnce("closed").endsWith("closed");
        ByteBuf late = ascii("late");
        exchange.inbound.respondContent(new DefaultHttpContent(late));
        ByteBuf last = ascii("last");
        exchange.inbound.respondContent(new DefaultLastHttpContent(last));
        exchange.inbound.flush();
        assertThat(late.refCnt()).as("a piece written after the client's reset is released").isZero();
        assertThat(last.refCnt()).as("an end written after the client's reset is released").isZero();
        assertThat(client.sent()).as("nothing for a stream the client reset").isEmpty();
        assertThat(exchange.heard).containsOnlyOnce("closed");
        assertThat(channel.isActive()).isTrue();
    }

    // ---- flow control both ways

    @Test
    void requestBytesTheExchangeDoesNotWantGetNoCreditUntilItWantsMore() {
        client.headers(1, post("/upload"), false);
        Recorded exchange = only();
        exchange.wantsContent = false;

        client.data(1, 16_384, false);
        client.data(1, 16_384, false);
        client.data(1, 16_384, false);
        client.data(1, 16_383, false);

        assertThat(exchange.heard).as("handed on all the same, held by the exchange")
                .filteredOn(line -> line.startsWith("content")).containsExactly("content 16384", "content 16384", "content 16384", "content 16383");
        assertThat(client.sent()).as("the whole stream window (65535) received, none of it consumed: no credit for the stream,"
                + " nor for the connection").isEmpty();

        exchange.wantsContent = true;
        exchange.inbound.readingChanged();

        assertThat(client.sent()).as("credit for the held bytes, flushed without another read")
                .containsExactly("WINDOW_UPDATE 0 65535", "WINDOW_UPDATE 1 65535");
    }

    @Test
    void aStreamWhoseWindowIsFullIsNotWritableUntilTheClientGivesCredit() {
        client.settings(new Http2Settings().initialWindowSize(16));
        assertThat(client.sent()).containsExactly("SETTINGS_ACK");
        client.headers(1, get("/big"), true);
        Recorded exchange = only();
        assertThat(exchange.inbound.writable()).as("a window of 16 bytes, none used").isTrue();

        exchange.inbound.respond(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        exchange.inbound.respondContent(new DefaultHttpContent(ascii("x".repeat(100))));
        exchange.inbound.flush();

        assertThat(client.sent()).as("as much as the stream's window takes").containsExactly("HEADERS 1 :status=200", "DATA 1 16");
        assertThat(exchange.inbound.writable()).as("84 bytes wait for the client's window").isFalse();
        exchange.heard.clear();

        client.windowUpdate(1, 100);

        assertThat(exchange.heard).containsExactly("writable");
        assertThat(exchange.inbound.writable()).isTrue();
        assertThat(client.sent()).as("the rest, once the client gave credit").containsExactly("DATA 1 84");
    }

    // ---- read batches

    @Test
    void aStreamHearsTheEndOfAReadBatchOnceHoweverManyOfItsFramesItHeld() {
        client.batch(() -> {
            client.headers(1, post("/upload"), false);
            client.data(1, "a", false);
            client.data(1, "b", false);
            client.data(1, "c", false);
        });

        Recorded exchange = only();
        assertThat(exchange.heard).containsExactly("head POST /upload x-http2-scheme=https host=svc.example transfer-encoding=chunked",
                "content 1", "content 1", "content 1", "read-complete");

        exchange.heard.clear();
        client.batch(() -> {
            client.data(1, "d", false);
            client.data(1, "e", false);
        });
        assertThat(exchange.heard).as("the next batch, heard once again").containsExactly("content 1", "content 1", "read-complete");
    }

    @Test
    void twoStreamsInOneReadBatchHearItsEndOnceEach() {
        client.headers(1, post("/one"), false);
        Recorded one = only();
        one.heard.clear();

        client.batch(() -> {
            client.data(1, "a", false);
            client.headers(3, post("/three"), false);
            client.data(3, "b", false);
            client.data(1, "c", false);
            client.data(3, "d", false);
        });

        assertThat(exchanges).hasSize(2);
        Recorded three = exchanges.get(1);
        assertThat(one.heard).containsExactly("content 1", "content 1", "read-complete");
        assertThat(three.heard).containsExactly("head POST /three x-http2-scheme=https host=svc.example transfer-encoding=chunked",
                "content 1", "content 1", "read-complete");
    }

    // ---- the gateway's own answers

    @Test
    void aFailureBeforeAnyResponseIsAWhole503WithTheReason() {
        client.headers(1, get("/x"), true);

        only().inbound.fail(503, "why");

        assertThat(client.sent()).containsExactly(
                "HEADERS 1 :status=503 content-type=text/plain; charset=utf-8 content-length=4 x-isthmus-error=why", "DATA 1 4 end");
    }

    @Test
    void aFailureAfterTheResponseStartedResetsTheStream() {
        client.headers(1, get("/x"), true);
        Recorded exchange = only();
        exchange.inbound.respond(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        exchange.inbound.flush();
        assertThat(client.sent()).containsExactly("HEADERS 1 :status=200");

        exchange.inbound.fail(503, "backend gone");

        assertThat(client.sent()).as("a response cut off, not a second head").containsExactly("RST_STREAM 1 CANCEL");
        assertThat(exchange.heard).containsOnlyOnce("closed");
    }

    // ---- hostile clients: a stream error, never the connection's

    @Test
    void trailersWithAPseudoHeaderAreAStreamErrorProtocolError() {
        client.headers(1, post("/upload"), false);
        client.data(1, "abc", false);
        Recorded exchange = only();

        client.headers(1, new DefaultHttp2Headers().path("/evil"), true);

        assertThat(client.sent()).as("RFC 9113 §8.1: trailers carry no pseudo-header; malformed").containsExactly("RST_STREAM 1 PROTOCOL_ERROR");
        assertThat(exchange.heard).as("no trailers handed on, the close heard once").containsExactly(
                "head POST /upload x-http2-scheme=https host=svc.example transfer-encoding=chunked", "read-complete", "content 3",
                "read-complete", "closed");
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void aSecondHeadersWithoutEndStreamInTheMiddleOfABodyIsAStreamErrorProtocolError() {
        client.headers(1, post("/upload"), false);
        client.data(1, "abc", false);
        Recorded exchange = only();

        client.headers(1, new DefaultHttp2Headers().set("x-more", "1"), false);

        assertThat(client.sent()).as("RFC 9113 §8.1: only trailers, which end the stream, may follow the body")
                .containsExactly("RST_STREAM 1 PROTOCOL_ERROR");
        assertThat(exchange.heard).containsOnlyOnce("closed").endsWith("closed");
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void aConnectWithoutAuthorityIsAStreamErrorProtocolErrorAndNoExchange() {
        client.headers(1, new DefaultHttp2Headers().method("CONNECT"), false);

        assertThat(client.sent()).as("RFC 9113 §8.5: CONNECT carries :authority").containsExactly("RST_STREAM 1 PROTOCOL_ERROR");
        assertThat(exchanges).as("no exchange for a malformed request").isEmpty();
        assertThat(channel.isActive()).isTrue();
        client.headers(3, get("/after"), true);
        assertThat(exchanges).as("the next stream is served").hasSize(1);
    }

    // ---- metrics

    @Test
    void aClientResetMidResponseIsCountedAs499() {
        TapWatcher tap = metrics.tap().watch(TapFilter.ALL);
        client.headers(1, get("/x"), true);
        Recorded exchange = only();
        exchange.inbound.respond(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        exchange.inbound.respondContent(new DefaultHttpContent(ascii("first")));
        exchange.inbound.flush();

        client.reset(1, Http2Error.CANCEL);

        assertThat(requests("4xx")).as("counted once, as the client closed it (499)").isEqualTo(1);
        assertThat(requests("2xx")).as("not as the 200 that never ended").isZero();
        TapEvent event = tap.poll();
        assertThat(event).isNotNull();
        assertThat(event.status()).isEqualTo(499);
        assertThat(tap.poll()).as("one request, one event").isNull();
    }

    @Test
    void aResponseThatEndsIsCountedByItsStatus() {
        TapWatcher tap = metrics.tap().watch(TapFilter.ALL);
        client.headers(1, get("/x"), true);

        only().inbound.respond(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, ascii("ok")));

        assertThat(client.sent()).containsExactly("HEADERS 1 :status=200", "DATA 1 2 end");
        assertThat(requests("2xx")).isEqualTo(1);
        assertThat(requests("4xx")).isZero();
        TapEvent event = tap.poll();
        assertThat(event).isNotNull();
        assertThat(event.status()).isEqualTo(200);
    }

    // ---- helpers

    private Recorded only() {
        assertThat(exchanges).as("one exchange").hasSize(1);
        return exchanges.get(0);
    }

    private double requests(String statusClass) {
        Counter counter = registry.find("isthmus.gateway.requests")
                .tags("target", "svc:80", "status_class", statusClass, "peer", "peer").counter();
        return counter == null ? 0 : counter.count();
    }

    private static Http2Headers get(String path) {
        return new DefaultHttp2Headers().method("GET").scheme("https").path(path).authority("svc.example");
    }

    private static Http2Headers post(String path) {
        return new DefaultHttp2Headers().method("POST").scheme("https").path(path).authority("svc.example");
    }

    /** A buffer the leak detector tracks, as the exchange's response pieces are. */
    private static ByteBuf ascii(String text) {
        return ByteBufUtil.writeAscii(ByteBufAllocator.DEFAULT, text);
    }

    private static String describe(HttpObject msg) {
        StringBuilder text = new StringBuilder();
        if (msg instanceof HttpRequest request) {
            text.append(msg instanceof FullHttpRequest ? "whole " : "head ").append(request.method()).append(' ').append(request.uri());
            request.headers().forEach(h -> text.append(' ').append(h.getKey()).append('=').append(h.getValue()));
        } else if (msg instanceof HttpContent content) {
            text.append(msg instanceof LastHttpContent ? "last " : "content ").append(content.content().readableBytes());
            if (msg instanceof LastHttpContent last) {
                last.trailingHeaders().forEach(h -> text.append(' ').append(h.getKey()).append('=').append(h.getValue()));
            }
        }
        return text.toString();
    }

    /** An exchange that writes down what it hears, keeps what it was handed for release, and wants the body unless told not to. */
    private static final class Recorded implements Exchange {
        final ClientSide inbound;
        final HttpRequest request;
        final List<String> heard = new ArrayList<>();
        private final List<HttpContent> held = new ArrayList<>();
        boolean wantsContent = true;

        Recorded(ClientSide inbound, HttpRequest request) {
            this.inbound = inbound;
            this.request = request;
        }

        @Override
        public void start() {
            heard.add(describe(request));
        }

        @Override
        public void requestContent(HttpContent content) {
            held.add(content);
            heard.add(describe(content));
        }

        @Override
        public boolean wantsRequestContent() {
            return wantsContent;
        }

        @Override
        public void inboundReadComplete() {
            heard.add("read-complete");
        }

        @Override
        public void inboundWritable() {
            heard.add("writable");
        }

        @Override
        public void inboundClosed() {
            heard.add("closed");
        }

        void releaseAll() {
            ReferenceCountUtil.release(request);
            held.forEach(ReferenceCountUtil::release);
            held.clear();
        }
    }

    /** The client's end of the wire, by hand. Each frame is delivered as a read of its own, unless written in a {@link #batch}. */
    private final class Client extends HandPlayedPeer {
        private boolean batching;

        Client() {
            super(false);
        }

        /** The preface and an empty SETTINGS, then the acknowledgement of the server's SETTINGS. */
        void preface() {
            ctx.write(Unpooled.wrappedBuffer(PREFACE));
            writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
            writer.writeSettingsAck(ctx, ctx.newPromise());
            deliver();
        }

        /** The frames {@code frames} writes, delivered together as one read of the session. */
        void batch(Runnable frames) {
            batching = true;
            try {
                frames.run();
            } finally {
                batching = false;
            }
            deliver();
        }

        void settings(Http2Settings settings) {
            writer.writeSettings(ctx, settings, ctx.newPromise());
            deliver();
        }

        void data(int stream, int bytes, boolean end) {
            writer.writeData(ctx, stream, Unpooled.wrappedBuffer(new byte[bytes]), 0, end, ctx.newPromise());
            deliver();
        }

        void windowUpdate(int stream, int increment) {
            writer.writeWindowUpdate(ctx, stream, increment, ctx.newPromise());
            deliver();
        }

        /** What was written since the last delivery, as one buffer: one read of the session, then its read-complete. */
        @Override
        void deliver() {
            if (batching) {
                return;
            }
            ctx.flush();
            // From the leak-tracking allocator: the session holds slices of it (what it hands the exchanges).
            ByteBuf bytes = ByteBufAllocator.DEFAULT.buffer();
            for (ByteBuf written; (written = wire.readOutbound()) != null; ) {
                bytes.writeBytes(written);
                written.release();
            }
            channel.writeInbound(bytes);
        }

        List<String> sent() {
            return sent(channel);
        }
    }
}
