package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The head a session's requests leave with; the exchange itself is not started (no client side, no upstream). */
class ForwarderTest {

    private final GatewayId self = GatewayId.parse("_isthmus-test");
    private final Forwarder forwarder = new Forwarder(self, "spiffe://cluster.local/ns/a/sa/b", "https",
            new GatewayMetrics(new SimpleMeterRegistry()), Duration.ofSeconds(1));

    private String forwardedOf(String host) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        if (host != null) {
            request.headers().set(HttpHeaderNames.HOST, host);
        }
        forwarder.forward(null, request, "svc.ns.svc.cluster.local:80", null, null);
        request.release();
        return request.headers().get(ForwardedHeader.NAME);
    }

    @Test
    void eachRequestOfASessionGetsTheElementForItsOwnHost() {
        String first = forwardedOf("a.example");
        String again = forwardedOf("a.example");
        String other = forwardedOf("b.example:8080");
        String none = forwardedOf(null);
        String back = forwardedOf("a.example");

        assertThat(first).isEqualTo("by=_isthmus-test;for=\"spiffe://cluster.local/ns/a/sa/b\";host=a.example;proto=https");
        assertThat(again).isEqualTo(first);
        assertThat(other).isEqualTo("by=_isthmus-test;for=\"spiffe://cluster.local/ns/a/sa/b\";host=\"b.example:8080\";proto=https");
        assertThat(none).isEqualTo("by=_isthmus-test;for=\"spiffe://cluster.local/ns/a/sa/b\";host=\"svc.ns.svc.cluster.local:80\";proto=https");
        assertThat(back).isEqualTo(first);
    }
}
