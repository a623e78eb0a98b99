package dev.isthmus.gateway.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client side of a pool's HTTP/2 connection, against an upstream played by hand: its frames written with Netty's
 * frame writer, the session's read back with Netty's frame reader, so that every frame on the wire is in view.
 */
class Http2ClientSessionTest {

    private static final int CONNECTION_WINDOW = 4 * 1024 * 1024;

    private final List<String> owner = new ArrayList<>();
    private final HeardFromBackend listener = new HeardFromBackend(Http2ClientSessionTest::describe);
    private final List<String> heard = listener.heard;
    private Http2ClientSession session;
    private EmbeddedChannel client;
    private final Upstream upstream = new Upstream();

    @BeforeEach
    void connect() {
        session = Http2ClientSession.create(Http2Settings.defaultSettings().pushEnabled(false).maxHeaderListSize(64 * 1024),
                CONNECTION_WINDOW, new Http2ClientSession.Owner() {
                    @Override
                    public void settings(Long maxConcurrentStreams) {
                        owner.add("settings " + maxConcurrentStreams);
                    }

                    @Override
                    public void goneAway() {
                        owner.add("gone away");
                    }

                    @Override
                    public void callEnded() {
                        owner.add("call ended");
                    }
                });
        client = new EmbeddedChannel(session);
        assertThat(upstream.sent()).as("the preface, then the connection's window widened")
                .containsExactly("SETTINGS", "WINDOW_UPDATE 0 " + (CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
        upstream.settings(new Http2Settings().maxConcurrentStreams(100));
        assertThat(owner).containsExactly("settings 100");
        assertThat(upstream.sent()).containsExactly("SETTINGS_ACK");
        owner.clear();
    }

    @AfterEach
    void close() {
        listener.releaseAll();
        client.finishAndReleaseAll();
        upstream.close();
    }

    private static String describe(HttpObject msg) {
        if (msg.decoderResult().isFailure()) {
            return "malformed: " + msg.decoderResult().cause().getMessage();
        }
        StringBuilder text = new StringBuilder();
        if (msg instanceof HttpResponse response) {
            text.append(msg instanceof FullHttpResponse ? "whole " : "head ").append(response.status().code());
            response.headers().forEach(h -> text.append(' ').append(h.getKey()).append('=').append(h.getValue()));
        }
        if (msg instanceof HttpContent content && !(msg instanceof HttpResponse)) {
            text.append(msg instanceof LastHttpContent ? "last" : "content").append(' ').append(content.content().readableBytes());
            if (msg instanceof LastHttpContent last) {
                last.trailingHeaders().forEach(h -> text.append(' ').append(h.getKey()).append('=').append(h.getValue()));
            }
        }
        return text.toString();
    }

    private static HttpRequest get(String path) {
        HttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, "svc.example");
        return request;
    }

    private Http2Call call(HttpRequest request) {
        Http2Call call = session.newCall(false);
        call.attach(listener);
        call.write(request);
        call.flush();
        return call;
    }

    private static Http2Headers status(String status) {
        return new DefaultHttp2Headers(false).status(status);
    }

    @Test
    void aBodilessRequestIsOneHeadersFrameAndItsResponseComesBackAsAHeadAndItsEnd() {
        call(get("/hello"));

        assertThat(upstream.sent()).containsExactly("HEADERS 3 end :path=/hello :scheme=http :authority=svc.example :method=GET");
        upstream.headers(3, status("200").set("content-length", "2"), false);
        upstream.data(3, "ok", true);

        assertThat(heard).as("a listener still attached at the end hears the stream close").containsExactly(
                "head 200 content-length=2", "read-complete", "last 2", "closed");
        assertThat(owner).as("the stream closed both ways").containsExactly("call ended");
    }

    @Test
    void aBodyAndItsTrailersFollowTheHeadAsDataAndHeadersFrames() {
        Http2Call call = session.newCall(false);
        call.attach(listener);
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
        head.headers().set(HttpHeaderNames.HOST, "svc.example").set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        call.write(head);
        call.write(new DefaultHttpContent(Unpooled.copiedBuffer("abc", US_ASCII)));
        LastHttpContent end = new DefaultLastHttpContent(Unpooled.copiedBuffer("de", US_ASCII));
        end.trailingHeaders().set("checksum", "7");
        call.write(end);
        call.flush();

        assertThat(upstream.sent()).as("Transfer-Encoding is HTTP/1.1's own: it does not cross; pieces queued together leave as one frame")
                .containsExactly("HEADERS 3 :path=/upload :scheme=http :authority=svc.example :method=POST",
                        "DATA 3 5", "HEADERS 3 end checksum=7");
    }

    @Test
    void anEmptyEndOfABodyStillEndsTheStream() {
        Http2Call call = session.newCall(false);
        call.attach(listener);
        HttpRequest head = get("/x");
        call.write(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x", head.headers()));
        call.write(LastHttpContent.EMPTY_LAST_CONTENT);
        call.flush();

        assertThat(upstream.sent()).containsExactly("HEADERS 3 :path=/x :scheme=http :authority=svc.example :method=GET", "DATA 3 0 end");
    }

    @Test
    void aResponseWithoutALengthIsChunkedAndItsTrailersEndIt() {
        call(get("/stream"));
        upstream.sent();

        upstream.headers(3, status("200"), false);
        upstream.data(3, "a", false);
        upstream.headers(3, new DefaultHttp2Headers().set("grpc-status", "0"), true);

        assertThat(heard).containsExactly("head 200 transfer-encoding=chunked", "read-complete", "content 1", "read-complete",
                "last 0 grpc-status=0", "closed");
    }

    @Test
    void anInterimResponseIsOneWholeMessageBeforeTheFinalOne() {
        call(get("/slow"));
        upstream.sent();

        upstream.headers(3, status("100"), false);
        upstream.headers(3, status("204"), true);

        assertThat(heard).containsExactly("whole 100", "read-complete", "whole 204", "closed");
    }

    /** Hostile upstream: a status that is no number is the exchange's 502, not the connection's end. */
    @Test
    void aMalformedStatusIsAFailedResponseAndTheConnectionLives() {
        Http2Call call = call(get("/x"));
        upstream.sent();

        upstream.headers(3, status("2xx"), false);

        assertThat(heard).hasSize(2);
        assertThat(heard.get(0)).isEqualTo("malformed: :status '2xx' (expected: a three-digit status code)");
        call.release(false);
        assertThat(upstream.sent()).as("the exchange gives the stream up").containsExactly("RST_STREAM 3 CANCEL");
        assertThat(client.isActive()).isTrue();
        assertThat(owner).containsExactly("call ended");
    }

    @Test
    void aResetStreamEndsTheCallOnceAndLaterWritesAreDropped() {
        Http2Call call = session.newCall(false);
        call.attach(listener);
        HttpRequest head = get("/x");
        call.write(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/x", head.headers()));
        call.flush();
        upstream.sent();

        upstream.reset(3, Http2Error.REFUSED_STREAM);
        call.write(new DefaultLastHttpContent(Unpooled.copiedBuffer("late", US_ASCII))); // released, not written
        call.flush();
        call.release(false);

        assertThat(heard).containsExactly("closed");
        assertThat(owner).containsExactly("call ended");
        assertThat(upstream.sent()).as("nothing for a stream that is gone").isEmpty();
        assertThat(client.isActive()).isTrue();
    }

    @Test
    void aCallGivenUpMidResponseResetsItsStreamAndHearsNothingMore() {
        Http2Call call = call(get("/x"));
        upstream.sent();
        upstream.headers(3, status("200"), false);

        call.release(false);
        upstream.data(3, "ignored", true);

        assertThat(upstream.sent()).as("Netty answers a frame for the closed stream as RFC 9113 asks")
                .containsExactly("RST_STREAM 3 CANCEL", "RST_STREAM 3 STREAM_CLOSED");
        assertThat(heard).containsExactly("head 200 transfer-encoding=chunked", "read-complete");
        assertThat(owner).containsExactly("call ended");
    }

    @Test
    void aCallThatFinishedIsNotResetOnRelease() {
        Http2Call call = call(get("/x"));
        upstream.sent();
        upstream.headers(3, status("204"), true);

        call.release(true);

        assertThat(upstream.sent()).as("a reset per request makes rapid-reset guards close the connection").isEmpty();
        assertThat(owner).containsExactly("call ended");
    }

    @Test
    void aCallThatNeverOpenedAStreamEndsOnReleaseWithoutAFrame() {
        Http2Call call = session.newCall(true);

        call.release(false);
        call.release(false);

        assertThat(upstream.sent()).isEmpty();
        assertThat(owner).containsExactly("call ended");
    }

    /** Backpressure: a paused call's bytes stay unconsumed, so the upstream gets no credit for them until it resumes. */
    @Test
    void aPausedCallGivesTheUpstreamNoCreditUntilItResumes() {
        Http2Call call = call(get("/big"));
        upstream.sent();
        upstream.headers(3, status("200"), false);
        call.reading(false);

        upstream.data(3, "x".repeat(16_000), false);
        upstream.data(3, "x".repeat(16_000), false);
        upstream.data(3, "x".repeat(8_000), false);
        assertThat(upstream.sent()).as("past half the stream window, but nothing consumed").isEmpty();

        call.reading(true);
        assertThat(upstream.sent()).containsExactly("WINDOW_UPDATE 3 40000");
    }

    /** An exchange that resumes reading while it takes a piece (its client drained meanwhile): that piece is credited too. */
    @Test
    void aCallResumedWhileItHandsAPieceOnCreditsThatPieceToo() {
        Http2Call call = call(get("/big"));
        call.attach(new BackendLease.Listener() {
            @Override
            public void backendRead(HttpObject msg) {
                listener.backendRead(msg);
                if (listener.heard.size() == 4) {
                    call.reading(true); // the third piece
                }
            }

            @Override
            public void backendReadComplete() {}

            @Override
            public void backendWritable() {}

            @Override
            public void backendClosed() {}
        });
        upstream.sent();
        upstream.headers(3, status("200"), false);
        call.reading(false);
        upstream.data(3, "x".repeat(16_000), false);
        upstream.data(3, "x".repeat(16_000), false);
        assertThat(upstream.sent()).as("paused: nothing consumed").isEmpty();

        upstream.data(3, "x".repeat(8_000), false);

        assertThat(upstream.sent()).as("credit for all three pieces, the one in hand among them")
                .containsExactly("WINDOW_UPDATE 3 40000");
    }

    @Test
    void aReadingCallGivesCreditAsItReads() {
        call(get("/big"));
        upstream.sent();
        upstream.headers(3, status("200"), false);

        upstream.data(3, "x".repeat(16_000), false);
        upstream.data(3, "x".repeat(16_000), false);
        upstream.data(3, "x".repeat(8_000), false);

        assertThat(upstream.sent()).containsExactly("WINDOW_UPDATE 3 40000");
    }

    @Test
    void goAwayEndsTheStreamsItDidNotCoverAndTellsThePool() {
        call(get("/x"));
        upstream.sent();

        upstream.goAway(0);

        assertThat(owner).containsExactly("gone away", "call ended");
        assertThat(heard).containsExactly("closed");
    }

    @Test
    void anUpstreamThatEndsItsSideClosesTheConnectionAndItsCalls() {
        call(get("/x"));
        upstream.sent();

        client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);

        assertThat(client.isOpen()).isFalse();
        assertThat(heard).containsExactly("closed");
        assertThat(owner).containsExactly("call ended");
    }

    /** As Netty's own codec: stream 1 is left to an upgrade from HTTP/1.1, which the pool never does. */
    @Test
    void streamsAreOddAndNewOnesFollow() {
        call(get("/a"));
        call(get("/b"));

        assertThat(upstream.sent()).containsExactly(
                "HEADERS 3 end :path=/a :scheme=http :authority=svc.example :method=GET",
                "HEADERS 5 end :path=/b :scheme=http :authority=svc.example :method=GET");
    }

    /** RFC 9113 §8.3.1: :authority carries no userinfo; the one made for a host is not kept for the next host. */
    @Test
    void theAuthorityIsTheHostWithoutUserinfoAndFollowsEachNewHost() {
        HttpRequest first = get("/a");
        first.headers().set(HttpHeaderNames.HOST, "user:secret@svc.example:8080");
        call(first);
        call(get("/b"));
        HttpRequest third = get("/c");
        third.headers().set(HttpHeaderNames.HOST, "other.example");
        call(third);

        assertThat(upstream.sent()).containsExactly(
                "HEADERS 3 end :path=/a :scheme=http :authority=svc.example:8080 :method=GET",
                "HEADERS 5 end :path=/b :scheme=http :authority=svc.example :method=GET",
                "HEADERS 7 end :path=/c :scheme=http :authority=other.example :method=GET");
    }

    /** Targets a Forwarder leaves alone only in odd cases still go through Netty's conversion of the whole message. */
    @Test
    void anAbsoluteTargetTakesItsSchemeAndAuthorityFromTheTargetAndAnAsteriskKeepsTheConnections() {
        HttpRequest absolute = get("https://elsewhere.example:8443/p?q=1");
        call(absolute);
        call(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.OPTIONS, "*", Unpooled.EMPTY_BUFFER));

        assertThat(upstream.sent()).containsExactly(
                "HEADERS 3 end :path=/p?q=1 :scheme=https :authority=elsewhere.example:8443 :method=GET",
                "HEADERS 5 end :path=* :scheme=http :method=OPTIONS");
    }

    /** A Host that is only userinfo names no authority: no stream opens, and the call ends without a frame. */
    @Test
    void aHostWithNothingButUserinfoOpensNoStream() {
        HttpRequest request = get("/a");
        request.headers().set(HttpHeaderNames.HOST, "user@");
        call(request);
        client.runPendingTasks();

        assertThat(upstream.sent()).isEmpty();
        assertThat(owner).containsExactly("call ended");
    }

    /** As Netty's forClient() codec: HostileClientMatrixIT's remote gateway cut with FIN hung its request for 30 s without. */
    @Test
    void closesWithoutWaitingForItsOpenStreams() {
        assertThat(session.gracefulShutdownTimeoutMillis()).isZero();
    }

    /** Read by reflection: Netty's flow controller does not say which distributor it was given. */
    @Test
    void sharesTheUpstreamsWindowUniformlyNotByPriority() throws Exception {
        Field distributor = DefaultHttp2RemoteFlowController.class.getDeclaredField("streamByteDistributor");
        distributor.setAccessible(true);
        assertThat(distributor.get(session.connection().remote().flowController())).isInstanceOf(UniformStreamByteDistributor.class);
    }

    /** The upstream's end of the wire, by hand. Each frame is delivered as it was written. */
    private final class Upstream extends HandPlayedPeer {
        Upstream() {
            super(true);
        }

        @Override
        void deliver() {
            ctx.flush();
            for (ByteBuf bytes; (bytes = wire.readOutbound()) != null; ) {
                client.writeInbound(bytes);
            }
        }

        void settings(Http2Settings settings) {
            writer.writeSettings(ctx, settings, ctx.newPromise());
            writer.writeSettingsAck(ctx, ctx.newPromise());
            deliver();
        }

        void goAway(int lastStream) {
            writer.writeGoAway(ctx, lastStream, Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER, ctx.newPromise());
            deliver();
        }

        List<String> sent() {
            return sent(client);
        }
    }
}
