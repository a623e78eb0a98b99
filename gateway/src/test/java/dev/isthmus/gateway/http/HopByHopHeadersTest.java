package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
    void eachNameStripRemovesGoesInAnyCaseAsTheOnlyOneOfItsKind() {
        // strip removes only the names its one pass over the fields found: this holds the pass to every name it removes.
        List<String> names = new ArrayList<>(List.of("Connection", "Keep-Alive", "Proxy-Connection", "Upgrade",
                "Transfer-Encoding", "TE"));
        for (ExtensionHeaderNames extension : ExtensionHeaderNames.values()) {
            names.add(extension.text().toString());
        }
        for (String name : names) {
            for (String spelled : List.of(name, name.toUpperCase(Locale.ROOT), name.toLowerCase(Locale.ROOT))) {
                HttpHeaders headers = new DefaultHttpHeaders().add("Host", "a").add(spelled, "gzip").add("Accept", "*/*");

                HopByHopHeaders.strip(headers);

                assertThat(headers.names()).as(spelled).containsExactly("Host", "Accept");
            }
        }
    }

    @Test
    void namesThatOnlyLookHopByHopStayInOrder() {
        HttpHeaders headers = new DefaultHttpHeaders().add("Connections", "1").add("Tee", "2").add("Upgrades", "3")
                .add("x-http2-", "4").add("X-Http2-Custom", "5").add("x-http2", "6").add("Transfer-Encodings", "7");

        HopByHopHeaders.strip(headers);

        assertThat(headers.names()).containsExactly("Connections", "Tee", "Upgrades", "x-http2-", "X-Http2-Custom", "x-http2",
                "Transfer-Encodings");
    }

    @Test
    void noTrailersIsNothingToDo() {
        HopByHopHeaders.stripTrailers(io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE); // read-only: must not be touched
    }
}
