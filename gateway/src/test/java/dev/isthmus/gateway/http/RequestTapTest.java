package dev.isthmus.gateway.http;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import dev.isthmus.gateway.tap.Tap;
import dev.isthmus.gateway.tap.TapEvent;
import dev.isthmus.gateway.tap.TapFilter;
import dev.isthmus.gateway.tap.TapWatcher;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The seam between the proxy and the tap: each finished request becomes one event while someone watches. */
class RequestTapTest {

    private final Tap tap = new Tap();
    private final GatewayMetrics metrics = new GatewayMetrics(new SimpleMeterRegistry(), tap);
    private EmbeddedChannel channel;

    /** An exchange that takes the whole request, then answers {@code 200 hello} as if {@code destination} had. */
    static final class AnsweredBy implements Exchange {
        private final ClientSide inbound;
        private final String destination;

        AnsweredBy(ClientSide inbound, HttpRequest request, String destination) {
            this.inbound = inbound;
            this.destination = destination;
            ReferenceCountUtil.release(request);
        }

        @Override
        public String destination() {
            return destination;
        }

        @Override
        public void start() {}

        @Override
        public void requestContent(HttpContent content) {
            boolean last = content instanceof LastHttpContent;
            content.release();
            if (last) {
                inbound.respond(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.copiedBuffer("hello", US_ASCII)));
            }
        }

        @Override
        public boolean wantsRequestContent() {
            return true;
        }

        @Override
        public void inboundReadComplete() {}

        @Override
        public void inboundWritable() {}

        @Override
        public void inboundClosed() {}
    }

    @AfterEach
    void close() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private void request(RequestMetrics requests, Responder responder, String text) {
        channel = new EmbeddedChannel(HttpSessionInstaller.serverCodec(), new HttpProxyHandler(responder, requests));
        channel.writeInbound(Unpooled.copiedBuffer(text, US_ASCII));
    }

    @Test
    void anInboundRequestIsSeenWithItsPeerPathStatusAndBytesAndAsMtls() {
        TapWatcher watcher = tap.watch(TapFilter.ALL);
        request(new RequestMetrics(metrics, "podinfo.test.svc.cluster.local:9898", "spiffe://cluster.local/ns/x/sa/gw"),
                (inbound, head) -> new AnsweredBy(inbound, head, "local"),
                "POST /echo?secret=1 HTTP/1.1\r\nHost: podinfo\r\nContent-Length: 5\r\n\r\nhello");

        TapEvent event = watcher.poll();
        assertThat(event).isNotNull();
        assertThat(event.direction()).isEqualTo(TapEvent.Direction.INBOUND);
        assertThat(event.source()).isEqualTo("spiffe://cluster.local/ns/x/sa/gw");
        assertThat(event.service()).isEqualTo("podinfo.test.svc.cluster.local:9898");
        assertThat(event.backend()).isEqualTo("local");
        assertThat(event.method()).isEqualTo("POST");
        assertThat(event.path()).isEqualTo("/echo");
        assertThat(event.status()).isEqualTo(200);
        assertThat(event.bytesIn()).isEqualTo(5);
        assertThat(event.bytesOut()).isEqualTo(5);
        assertThat(event.tls()).isTrue();
        assertThat(watcher.poll()).as("one event per request").isNull();
    }

    @Test
    void anOutboundRequestToALinkIsMtlsAndOneToALocalBackendIsNot() {
        TapWatcher watcher = tap.watch(TapFilter.ALL);
        request(RequestMetrics.outbound(metrics, "split"), (inbound, head) -> new AnsweredBy(inbound, head,
                head.uri().equals("/east") ? "east" : "local"),
                "GET /east HTTP/1.1\r\nHost: split\r\n\r\nGET /west HTTP/1.1\r\nHost: split\r\n\r\n");

        TapEvent east = watcher.poll();
        TapEvent local = watcher.poll();
        assertThat(east.direction()).isEqualTo(TapEvent.Direction.OUTBOUND);
        assertThat(east.backend()).isEqualTo("east");
        assertThat(east.tls()).isTrue();
        assertThat(east.source()).as("the client's address").isEqualTo("embedded");
        assertThat(local.backend()).isEqualTo("local");
        assertThat(local.tls()).isFalse();
        assertThat(local.bytesIn()).as("counted per request, not per connection").isZero();
    }

    @Test
    void aRefusalIsSeenAsTheGatewaysOwnAnswer() {
        TapWatcher watcher = tap.watch(TapFilter.ALL);
        request(RequestMetrics.outbound(metrics, "gone"), new Refusal(503, "no route"), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        TapEvent event = watcher.poll();
        assertThat(event.status()).isEqualTo(503);
        assertThat(event.backend()).isEqualTo("none");
        assertThat(event.tls()).isFalse();
    }

    @Test
    void nothingIsBuiltWhileNobodyWatches() {
        request(RequestMetrics.outbound(metrics, "split"), (inbound, head) -> new AnsweredBy(inbound, head, "east"),
                "GET / HTTP/1.1\r\nHost: split\r\n\r\n");
        TapWatcher late = tap.watch(TapFilter.ALL);
        assertThat(late.poll()).as("a watcher sees requests from when it came").isNull();
    }
}
