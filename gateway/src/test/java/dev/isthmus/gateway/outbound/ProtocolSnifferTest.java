package dev.isthmus.gateway.outbound;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.outbound.ProtocolSniffer.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProtocolSnifferTest {

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "GET / HTTP/1.1\\r\\n | HTTP1",
        "POST /upload?x=1 HTTP/1.0\\r\\nHost: a\\r\\n | HTTP1",
        "GET http://podinfo-east:9898/ HTTP/1.1\\n | HTTP1",
        "OPTIONS * HTTP/1.1\\r\\n | HTTP1",
        "M-SEARCH * HTTP/1.1\\r\\n | HTTP1",
        "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n | HTTP2",
        "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n\\0\\0 | HTTP2",
        "'' | NEED_MORE",
        "G | NEED_MORE",
        "GET | NEED_MORE",
        "PRI * HTTP/2.0\\r\\n | NEED_MORE",
        "PRI | NEED_MORE",
        // Malformed HTTP is HTTP: its codec answers 400 or 505, where a tunnel would carry it to the backend unseen.
        "GET /index | HTTP1",
        "GET /\\r\\n | HTTP1",
        "GET / HTTP/2.0\\r\\n | HTTP1",
        "GET / HTTP/1.1 extra\\r\\n | HTTP1",
        "GET  / HTTP/1.1\\r\\n | HTTP1",
        // Clearly not HTTP: opaque.
        "\\u0016\\u0003\\u0001 | OPAQUE",
        "SSH-2.0-OpenSSH_9.6\\r\\n | OPAQUE",
        "*1\\r\\n$4\\r\\nPING\\r\\n | OPAQUE",
        "PING\\r\\n | OPAQUE",
        "get\\t/ | OPAQUE",
        "get / HTTP/1.1\\r\\n | OPAQUE",
        "hello, east | OPAQUE",
        "\\0\\0\\0\\u0001 | OPAQUE",
        "PRI * HTTP/2.0\\r\\n\\r\\nXX | HTTP2",
        "PRI * HTTP/2.0\\r\\nGET / HTTP/1.1\\r\\n | HTTP2",
        "PRI * HTTP/2.1\\r\\n | HTTP1",
    })
    void tellsTheProtocolFromTheFirstBytes(String text, Verdict expected) {
        ByteBuf bytes = Unpooled.copiedBuffer(unescape(text), ISO_8859_1);
        try {
            assertThat(ProtocolSniffer.sniff(bytes)).isEqualTo(expected);
            assertThat(bytes.readerIndex()).isZero(); // looking consumes nothing
        } finally {
            bytes.release();
        }
    }

    @ParameterizedTest
    @CsvSource({"20, NEED_MORE", "21, OPAQUE"})
    void aMethodLongerThanAnyIsNotWaitedForForever(int length, Verdict expected) {
        ByteBuf bytes = Unpooled.copiedBuffer("A".repeat(length), ISO_8859_1);
        try {
            assertThat(ProtocolSniffer.sniff(bytes)).isEqualTo(expected);
        } finally {
            bytes.release();
        }
    }

    @Test
    void aRequestLineOverFourKilobytesIsHttpForTheCodecToRefuse() {
        ByteBuf bytes = Unpooled.copiedBuffer("GET /" + "a".repeat(8192), ISO_8859_1);
        try {
            assertThat(ProtocolSniffer.sniff(bytes)).isEqualTo(Verdict.HTTP1);
        } finally {
            bytes.release();
        }
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n | HTTP2",
        "PRI * HT | NEED_MORE",
        "GET / HTTP/1.1\\r\\n | HTTP1",
        "\\u0016\\u0003\\u0001 | HTTP1",
        "hello, east | HTTP1",
    })
    void aRouteDeclaredHttpIsNeverOpaque(String text, Verdict expected) {
        ByteBuf bytes = Unpooled.copiedBuffer(unescape(text), ISO_8859_1);
        try {
            assertThat(ProtocolSniffer.sniffHttp(bytes)).isEqualTo(expected);
        } finally {
            bytes.release();
        }
    }

    /**
     * Hostile and random first bytes, seeded: the sniffer never throws, never consumes, and never changes its mind
     * as more bytes arrive (the detector decides on whatever arrived first).
     */
    @Test
    void aVerdictOnFewerBytesHoldsForMoreAndNothingThrows() {
        Random random = new Random(10);
        String[] seeds = {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "M-SEARCH * HTTP/1.1\r\n",
            "SSH-2.0-x\r\n", "\u0016\u0003\u0001\u0002\u0000"};
        for (int round = 0; round < 2000; round++) {
            byte[] input;
            if (round % 2 == 0) {
                input = new byte[1 + random.nextInt(64)];
                random.nextBytes(input);
            } else {
                input = seeds[random.nextInt(seeds.length)].getBytes(ISO_8859_1);
                for (int flips = random.nextInt(3); flips > 0; flips--) {
                    input[random.nextInt(input.length)] = (byte) random.nextInt(256);
                }
            }
            Verdict decided = null;
            Verdict decidedHttp = null;
            for (int length = 0; length <= input.length; length++) {
                ByteBuf bytes = Unpooled.wrappedBuffer(input, 0, length);
                Verdict verdict = ProtocolSniffer.sniff(bytes);
                Verdict http = ProtocolSniffer.sniffHttp(bytes);
                assertThat(bytes.readerIndex()).isZero();
                assertThat(http).isNotEqualTo(Verdict.OPAQUE);
                if (decided != null) {
                    assertThat(verdict).as("after %s bytes of %s", length, Arrays.toString(input)).isEqualTo(decided);
                } else if (verdict != Verdict.NEED_MORE) {
                    decided = verdict;
                }
                if (decidedHttp != null) {
                    assertThat(http).isEqualTo(decidedHttp);
                } else if (http != Verdict.NEED_MORE) {
                    decidedHttp = http;
                }
            }
        }
    }

    private static String unescape(String text) {
        return text.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t").replace("\\0", "\0")
                .replace("\\u0016", "\u0016").replace("\\u0003", "\u0003").replace("\\u0001", "\u0001");
    }
}
