package dev.isthmus.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileFingerprintTest {

    @TempDir
    Path dir;

    @Test
    void changesWithContentNotWithMtime() throws Exception {
        Path file = Files.writeString(dir.resolve("tls.crt"), "one");
        FileFingerprint before = FileFingerprint.of(List.of(file));

        Files.setLastModifiedTime(file, FileTime.fromMillis(0));
        assertThat(FileFingerprint.of(List.of(file))).isEqualTo(before);

        Files.writeString(file, "two");
        Files.setLastModifiedTime(file, FileTime.fromMillis(0));
        assertThat(FileFingerprint.of(List.of(file))).isNotEqualTo(before);
    }

    @Test
    void tellsMissingFromEmptyAndWhichFileHoldsWhat() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        FileFingerprint missing = FileFingerprint.of(List.of(a));
        Files.writeString(a, "");
        assertThat(FileFingerprint.of(List.of(a))).isNotEqualTo(missing);

        Files.writeString(a, "x");
        Files.writeString(b, "y");
        FileFingerprint xy = FileFingerprint.of(List.of(a, b));
        Files.writeString(a, "y");
        Files.writeString(b, "x");
        assertThat(FileFingerprint.of(List.of(a, b))).isNotEqualTo(xy);
    }
}
