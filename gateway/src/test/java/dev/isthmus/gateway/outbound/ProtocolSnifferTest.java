package dev.isthmus.gateway.outbound;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.outbound.ProtocolSniffer.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProtocolSnifferTest {

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "GET / HTTP/1.1\\r\\n | HTTP1",
        "POST /upload?x=1 HTTP/1.0\\r\\nHost: a\\r\\n | HTTP1",
        "GET http://podinfo-east:9898/ HTTP/1.1\\n | HTTP1",
        "OPTIONS * HTTP/1.1\\r\\n | HTTP1",
        "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n | HTTP2",
        "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n\\0\\0 | HTTP2",
        "'' | NEED_MORE",
        "G | NEED_MORE",
        "GET | NEED_MORE",
        "GET /index | NEED_MORE",
        "GET / HTTP/1. | NEED_MORE",
        "GET / HTTP/1.1\\r | NEED_MORE",
        "PRI * HTTP/2.0\\r\\n | NEED_MORE",
        "PRI | NEED_MORE",
        "\\u0016\\u0003\\u0001 | OPAQUE",
        "SSH-2.0-OpenSSH_9.6\\r\\n | OPAQUE",
        "*1\\r\\n$4\\r\\nPING\\r\\n | OPAQUE",
        "GET / HTTP/2.0\\r\\n | OPAQUE",
        "GET / HTTP/1.1 extra\\r\\n | OPAQUE",
        "GET  / HTTP/1.1\\r\\n | OPAQUE",
        "get\\t/ | OPAQUE",
        "hello, east | OPAQUE",
        "PRI * HTTP/2.0\\r\\n\\r\\nXX | HTTP2",
        "PRI * HTTP/2.0\\r\\nGET / HTTP/1.1\\r\\n | HTTP2",
        "PRI * HTTP/2.1\\r\\n | OPAQUE",
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
    @CsvSource({"4095, NEED_MORE", "4096, OPAQUE"})
    void aRequestTargetWithoutEndIsNotWaitedForForever(int length, Verdict expected) {
        ByteBuf bytes = Unpooled.copiedBuffer("GET /" + "a".repeat(length - 5), ISO_8859_1);
        try {
            assertThat(ProtocolSniffer.sniff(bytes)).isEqualTo(expected);
        } finally {
            bytes.release();
        }
    }

    private static String unescape(String text) {
        return text.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t").replace("\\0", "\0")
                .replace("\\u0016", "\u0016").replace("\\u0003", "\u0003").replace("\\u0001", "\u0001");
    }
}
