package dev.isthmus.mirror.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabelFilterTest {

    @Test
    void exactKeysAndSlashStarPrefixes() {
        LabelFilter filter = LabelFilter.of(List.of("team", "example.com/*"));
        assertThat(filter.excludes("team")).isTrue();
        assertThat(filter.excludes("team2")).isFalse();
        assertThat(filter.excludes("example.com/owner")).isTrue();
        assertThat(filter.excludes("example.com/a/b")).isTrue();
        assertThat(filter.excludes("example.com")).isFalse();
        assertThat(filter.excludes("sub.example.com/owner")).isFalse();
    }

    @Test
    void aStarWithoutSlashIsALiteralKeyNotAWildcard() {
        LabelFilter filter = LabelFilter.of(List.of("app*"));
        assertThat(filter.excludes("app")).isFalse();
        assertThat(filter.excludes("apps")).isFalse();
        assertThat(filter.excludes("app*")).isTrue();
    }

    @Test
    void blankNullAndEmptyListsExcludeNothing() {
        assertThat(LabelFilter.of(null).excludes("anything")).isFalse();
        assertThat(LabelFilter.of(Arrays.asList(null, " ", "")).excludes("")).isFalse();
        assertThat(LabelFilter.of(List.of(" padded ")).excludes("padded")).isTrue();
    }
}
