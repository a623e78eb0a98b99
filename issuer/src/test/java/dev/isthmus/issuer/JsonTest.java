package dev.isthmus.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "plain text      | '\"plain text\"'",
        "'say \"hi\"'    | '\"say \\\"hi\\\"\"'",
        "back\\slash     | '\"back\\\\slash\"'",
        "é               | '\"\\u00e9\"'",
    })
    void quotes(String text, String expected) {
        assertThat(Json.quote(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"line\nbreak\r\ttab", "nul\u0000 bell\u0007 del\u007f", "unicode \u2028 😀 ü", "lone \ud800 surrogate", "</script>"})
    void anyTextRoundTripsThroughAJsonParserAsAsciiOnly(String message) throws Exception {
        String json = Json.error("bad_csr", message);

        assertThat(json).matches("[\\x20-\\x7e]*");
        JsonNode parsed = new ObjectMapper().readTree(json);
        assertThat(parsed.get("error").asText()).isEqualTo("bad_csr");
        assertThat(parsed.get("message").asText()).isEqualTo(message);
    }
}
