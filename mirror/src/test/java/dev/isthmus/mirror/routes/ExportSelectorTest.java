package dev.isthmus.mirror.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ExportSelectorTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "mirror.isthmus.dev/exported=true          | true",
        "mirror.isthmus.dev/exported==true         | true",
        "mirror.isthmus.dev/exported=false         | false",
        "mirror.isthmus.dev/exported!=false        | true",
        "mirror.isthmus.dev/exported               | true",
        "!mirror.isthmus.dev/exported              | false",
        "!other                                    | true",
        "mirror.isthmus.dev/exported=true, app=web | true",
        "mirror.isthmus.dev/exported=true,app=api  | false",
        "other=                                    | false",
    })
    void matchesAsKubectlDoes(String selector, boolean matches) {
        Map<String, String> labels = Map.of("mirror.isthmus.dev/exported", "true", "app", "web");

        assertThat(ExportSelector.parse(selector).matches(labels)).isEqualTo(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a=b,", "a in (b)", "!a=b", "a=b=c", "a b", "-a=b", "a=b c", "a/b/c=d"})
    void refusesWhatItCannotRead(String selector) {
        assertThatThrownBy(() -> ExportSelector.parse(selector))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("exportSelector: ")
                .hasMessageContaining("(expected: key=value, key!=value, key or !key");
    }
}
