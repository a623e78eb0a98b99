package dev.isthmus.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The names {@code tls.keyExchange} takes; what BoringSSL makes of them is {@link TlsContextsTest}'s. */
class KeyExchangeTest {

    @Test
    void eachNameBecomesBoringSslsInTheOrderGiven() {
        assertThat(KeyExchange.of(List.of("x25519", "SECP256R1", "p-384", " X25519MLKEM768 ")).groups())
                .containsExactly("X25519", "P-256", "P-384", "X25519MLKEM768");
        assertThat(KeyExchange.of(List.of("secp521r1")).groups()).containsExactly("P-521");
        assertThat(KeyExchange.DEFAULT.groups()).isEmpty();
        assertThat(KeyExchange.DEFAULT).hasToString("the TLS library's default");
    }

    /** Names BoringSSL's list syntax would read as more than one group, or not at all, or that it offers in no build of ours. */
    @ParameterizedTest
    @ValueSource(strings = {"", " ", "X25519:P-256", "X25519,P-256", "X25519 P-256", "P256", "X448", "X25519Kyber768Draft00",
            "MLKEM768", "x25519\u0000", "ｘ25519", "DEFAULT", "ALL"})
    void aNameItDoesNotKnowIsRefusedWithTheNamesItDoes(String name) {
        assertThatThrownBy(() -> KeyExchange.of(List.of("X25519", name)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + name + "' (expected X25519MLKEM768, X25519, P-256, P-384 or P-521)");
    }

    @Test
    void aLongNameIsRefusedWithoutTrouble() {
        String name = "X".repeat(100_000);
        assertThatThrownBy(() -> KeyExchange.of(List.of(name))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("(expected X25519MLKEM768, X25519, P-256, P-384 or P-521)");
    }

    @Test
    void anEmptyListOrAGroupNamedTwiceIsRefused() {
        assertThatThrownBy(() -> KeyExchange.of(List.of())).hasMessage(
                "an empty list (expected at least one of X25519MLKEM768, X25519, P-256, P-384 or P-521)");
        assertThatThrownBy(() -> KeyExchange.of(List.of("P-384", "X25519", "secp384r1"))).hasMessage(
                "'secp384r1' is P-384, which the list already names (expected each once)");
    }

    @Test
    void theRecordHoldsOnlyBoringSslsNamesEachOnce() {
        assertThat(new KeyExchange(List.of("X25519", "P-256")).groups()).containsExactly("X25519", "P-256");
        for (List<String> bad : List.of(List.of("x25519"), List.of("secp256r1"), List.of("X25519", "X25519"), List.of("X25519:P-256"))) {
            assertThatThrownBy(() -> new KeyExchange(bad)).as(bad.toString()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageEndingWith("(expected each of X25519MLKEM768, X25519, P-256, P-384 or P-521 at most once)");
        }
    }
}
