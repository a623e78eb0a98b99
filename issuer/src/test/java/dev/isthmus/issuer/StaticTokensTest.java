package dev.isthmus.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.testkit.SettableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StaticTokensTest {

    private static final String TOKEN_A = "aaaaaaaaaaaaaaaa-token";
    private static final String TOKEN_B = "bbbbbbbbbbbbbbbb-token";
    private static final SpiffeId A = SpiffeId.parse("spiffe://cluster.local/ns/demo/sa/a");
    private static final SpiffeId B = SpiffeId.parse("spiffe://cluster.local/ns/demo/sa/b");

    @TempDir
    Path dir;

    @Test
    void eachTokenProvesTheIdentityOnItsLine() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), """
                # bootstrap tokens for the demo

                %s   %s
                \t%s %s\t
                """.formatted(TOKEN_A, A, TOKEN_B, B));
        StaticTokens tokens = StaticTokens.load(file);

        assertThat(tokens.size()).isEqualTo(2);
        assertThat(tokens.verify(TOKEN_A)).isEqualTo(A);
        assertThat(tokens.verify(TOKEN_B)).isEqualTo(B);
        assertThatThrownBy(() -> tokens.verify("cccccccccccccccc-token")).isInstanceOf(TokenRejectedException.class)
                .hasMessage("the token is not one of the issuer's static tokens (expected: a token listed in the issuer's token file)");
        assertThatThrownBy(() -> tokens.verify(TOKEN_A.substring(1))).isInstanceOf(TokenRejectedException.class);
        assertThatThrownBy(() -> tokens.verify("")).isInstanceOf(TokenRejectedException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "aaaaaaaaaaaaaaaa-token                                    | tokens:1: found 1 field(s) (expected: '<token> <spiffe-id>', separated by whitespace)",
        "aaaaaaaaaaaaaaaa-token spiffe://cluster.local/ns/a/sa/b x | tokens:1: found 3 field(s)",
        "short spiffe://cluster.local/ns/a/sa/b                    | tokens:1: the token is 5 characters long (expected: at least 16)",
        "aaaaaaaaaaaaaaaa!token spiffe://cluster.local/ns/a/sa/b   | tokens:1: the token holds characters a bearer token cannot carry",
        "aaaaaaaaaaaaaaaa-token spiffe://cluster.local/ns/a        | tokens:1: identity 'spiffe://cluster.local/ns/a' has an unexpected path",
        "aaaaaaaaaaaaaaaa-token https://cluster.local/ns/a/sa/b    | tokens:1: identity 'https://cluster.local/ns/a/sa/b' is not a SPIFFE ID",
    })
    void rejectsAMalformedLineNamingItAndWhatWasExpected(String line, String message) {
        assertThatThrownBy(() -> StaticTokens.parse(List.of(line), "tokens"))
                .isInstanceOf(TokenFileException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void rejectsDuplicatesAndEmptyFilesAndNeverQuotesATokenInAnError() {
        assertThatThrownBy(() -> StaticTokens.parse(List.of("# header", TOKEN_A + " " + A, TOKEN_A + " " + B), "tokens"))
                .hasMessage("tokens:3: the token is already listed on line 2 (expected: each token once, proving one identity)");
        assertThatThrownBy(() -> StaticTokens.parse(List.of("# nothing", ""), "tokens"))
                .hasMessage("tokens: no tokens (expected: at least one line '<token> <spiffe-id>')");
        assertThatThrownBy(() -> StaticTokens.parse(List.of(TOKEN_A + " spiffe://x/y"), "tokens"))
                .message().doesNotContain(TOKEN_A);
    }

    @Test
    void refusesToStartFromAMissingFile() {
        assertThatThrownBy(() -> StaticTokens.load(dir.resolve("absent")))
                .isInstanceOf(TokenFileException.class)
                .hasMessage(dir.resolve("absent") + ": no such file (expected: a token file of lines '<token> <spiffe-id>')");
    }

    @Test
    void reloadsAChangedFileAndKeepsTheLastGoodOneWhenTheNewOneIsBad() throws Exception {
        SettableClock clock = SettableClock.startingNow();
        Path file = Files.writeString(dir.resolve("tokens"), TOKEN_A + " " + A + "\n");
        StaticTokens tokens = StaticTokens.load(file, Duration.ofSeconds(5), clock);

        Files.writeString(file, TOKEN_B + " " + B + "\n");
        assertThat(tokens.verify(TOKEN_A)).as("not rechecked before the interval").isEqualTo(A);
        clock.advance(Duration.ofSeconds(5));
        assertThat(tokens.verify(TOKEN_B)).isEqualTo(B);
        assertThatThrownBy(() -> tokens.verify(TOKEN_A)).isInstanceOf(TokenRejectedException.class);

        Files.writeString(file, "half-written");
        clock.advance(Duration.ofSeconds(5));
        assertThat(tokens.verify(TOKEN_B)).isEqualTo(B);
        Files.delete(file);
        clock.advance(Duration.ofSeconds(5));
        assertThat(tokens.verify(TOKEN_B)).isEqualTo(B);

        Files.writeString(file, TOKEN_A + " " + A + "\n" + TOKEN_B + " " + B + "\n");
        clock.advance(Duration.ofSeconds(5));
        assertThat(tokens.verify(TOKEN_A)).isEqualTo(A);
        assertThat(tokens.size()).isEqualTo(2);
    }
}
