package dev.isthmus.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The README's walkthrough section, so the end-to-end test runs the commands a reader copies and not a
 * private variant: {@link #command} fails when a snippet is not in the section word for word.
 */
final class ReadmeWalkthrough {

    static final String HEADING = "## Two clusters in Kubernetes: the walkthrough";

    private final String section;

    private ReadmeWalkthrough(String section) {
        this.section = section;
    }

    /** The section of {@code README.md} in {@code repository}, up to the next second-level heading. */
    static ReadmeWalkthrough read(Path repository) {
        String readme;
        try {
            readme = Files.readString(repository.resolve("README.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int start = readme.indexOf(HEADING);
        assertThat(start).as("README.md: the heading '%s'", HEADING).isNotNegative();
        int end = readme.indexOf("\n## ", start + HEADING.length());
        return new ReadmeWalkthrough(readme.substring(start, end < 0 ? readme.length() : end));
    }

    /** The snippet itself, once checked to be in the README as written. */
    String command(String snippet) {
        assertThat(section).as("README.md's walkthrough must contain, as written:%n%s", snippet).contains(snippet);
        return snippet;
    }
}
