package dev.isthmus.issuer;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplyTest {

    @Test
    void unauthenticatedAsksForABearerToken() {
        FullHttpResponse response = Reply.failure(Failure.UNAUTHENTICATED, "no token").toResponse();
        try {
            assertThat(response.status().code()).isEqualTo(401);
            assertThat(response.headers().get("WWW-Authenticate")).isEqualTo("Bearer");
            assertThat(response.headers().get("Content-Type")).isEqualTo("application/json");
            assertThat(response.content().toString(US_ASCII))
                    .isEqualTo("{\"error\":\"unauthenticated\",\"message\":\"no token\"}");
        } finally {
            response.release();
        }
    }

    @Test
    void unavailableAnswersSayWhenToRetry() {
        assertThat(Reply.failure(Failure.NOT_READY, "no issuer").headers()).containsExactly(Map.entry("Retry-After", "5"));
        assertThat(Reply.failure(Failure.OVERLOADED, "busy").headers()).containsExactly(Map.entry("Retry-After", "1"));
    }

    @Test
    void closingAddsConnectionClose() {
        Reply reply = Reply.failure(Failure.BAD_REQUEST, "garbage");
        FullHttpResponse kept = reply.toResponse();
        FullHttpResponse closed = reply.closing().toResponse();
        try {
            assertThat(kept.headers().contains("Connection")).isFalse();
            assertThat(closed.headers().get("Connection")).isEqualTo("close");
            assertThat(reply.result()).isEqualTo("bad_request");
            assertThat(Reply.text(HttpResponseStatus.OK, "ok").result()).isEqualTo("ok");
        } finally {
            kept.release();
            closed.release();
        }
    }
}
