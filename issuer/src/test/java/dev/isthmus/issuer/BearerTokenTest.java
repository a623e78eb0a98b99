package dev.isthmus.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BearerTokenTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Bearer abc.def-ghi_jkl~mno+p/q== | abc.def-ghi_jkl~mno+p/q==",
        "bearer token                     | token",
        "BEARER   spaced                  | spaced",
    })
    void readsTheToken(String header, String token) {
        assertThat(BearerToken.from(List.of(header))).isEqualTo(token);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Basic dXNlcjpwYXNz   | uses the scheme 'Basic'",
        "Bearer               | no token after 'Bearer'",
        "Bearer a b           | characters a token may not contain",
        "Bearer tok\"en       | characters a token may not contain",
        "Bearer =abc          | characters a token may not contain",
        "token-without-scheme | uses the scheme 'token-without-scheme'",
    })
    void rejectsMalformedHeaders(String header, String reason) {
        assertThatThrownBy(() -> BearerToken.from(List.of(header)))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessageContaining(reason)
                .hasMessageContaining("expected");
    }

    @Test
    void rejectsNoneOrSeveralHeaders() {
        assertThatThrownBy(() -> BearerToken.from(List.of())).hasMessage(
                "the request has no Authorization header (expected: Authorization: Bearer <token>)");
        assertThatThrownBy(() -> BearerToken.from(List.of("Bearer a", "Bearer b")))
                .hasMessageContaining("has 2 Authorization headers (expected: exactly one");
    }

    @Test
    void neverEchoesAnUnprintableOrLongScheme() {
        assertThatThrownBy(() -> BearerToken.from(List.of("\u0007evil-scheme-that-goes-on-and-on x")))
                .hasMessageContaining("'?evil-scheme-that-go…'");
    }
}
