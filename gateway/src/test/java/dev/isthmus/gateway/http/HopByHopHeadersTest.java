package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class HopByHopHeadersTest {

    @Test
    void removesConnectionHeadersAndWhatTheyName() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Connection", "keep-alive, X-Hop")
                .add("Connection", "x-other")
                .add("X-Hop", "1").add("X-Other", "2")
                .add("Keep-Alive", "timeout=5").add("Proxy-Connection", "keep-alive").add("Upgrade", "h2c")
                .add("Transfer-Encoding", "chunked")
                .add("x-http2-stream-id", "3").add("x-http2-scheme", "https")
                .add("Content-Type", "text/plain").add("Forwarded", "for=a");

        HopByHopHeaders.strip(headers);

        assertThat(headers.names()).containsExactlyInAnyOrder("Content-Type", "Forwarded");
    }

    @Test
    void keepsTeOnlyForTrailers() {
        HttpHeaders trailers = new DefaultHttpHeaders().add("TE", "gzip;q=0.5, trailers");
        HttpHeaders gzip = new DefaultHttpHeaders().add("TE", "gzip");

        HopByHopHeaders.strip(trailers);
        HopByHopHeaders.strip(gzip);

        assertThat(trailers.getAll("te")).containsExactly("trailers");
        assertThat(gzip.contains("te")).isFalse();
    }

    @Test
    void namesMatchInAnyCaseAndRepeatedHeadersAllGo() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("UPGRADE", "h2c").add("upgrade", "websocket")
                .add("X-HTTP2-Stream-Id", "3")
                .add("TRANSFER-ENCODING", "chunked")
                .add("Accept", "*/*");

        HopByHopHeaders.strip(headers);

        assertThat(headers.names()).containsExactly("Accept");
    }

    @Test
    void aConnectionThatNamesTeTakesItOutEvenForTrailers() {
        HttpHeaders headers = new DefaultHttpHeaders().add("Connection", "TE").add("TE", "trailers").add("Accept", "*/*");

        HopByHopHeaders.strip(headers);

        assertThat(headers.names()).containsExactly("Accept");
    }

    @Test
    void aHeadWithNothingHopByHopKeepsEveryHeaderInOrder() {
        HttpHeaders headers = new DefaultHttpHeaders().add("Host", "a").add("Accept", "*/*").add("Accept", "text/plain")
                .add("Content-Length", "3");

        HopByHopHeaders.strip(headers);

        assertThat(headers.entries()).extracting(e -> e.getKey() + ": " + e.getValue())
                .containsExactly("Host: a", "Accept: */*", "Accept: text/plain", "Content-Length: 3");
    }

    @Test
    void trailersLoseTheFieldsThatFrameOrRouteAMessageAndKeepTheRest() {
        HttpHeaders trailers = new DefaultHttpHeaders().add("X-Checksum", "5d41402a").add("content-length", "999")
                .add("Transfer-Encoding", "chunked").add("Trailer", "x-checksum").add("Host", "elsewhere").add("Connection", "x-a")
                .add("x-a", "1").add("Grpc-Status", "0");

        HopByHopHeaders.stripTrailers(trailers);

        assertThat(trailers.entries()).extracting(e -> e.getKey() + ": " + e.getValue())
                .containsExactly("X-Checksum: 5d41402a", "Grpc-Status: 0");
    }

    @Test
    void noTrailersIsNothingToDo() {
        HopByHopHeaders.stripTrailers(io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE); // read-only: must not be touched
    }
}
