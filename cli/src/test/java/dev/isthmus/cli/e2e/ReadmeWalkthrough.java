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

    private final String heading;
    private final String section;

    private ReadmeWalkthrough(String heading, String section) {
        this.heading = heading;
        this.section = section;
    }

    /** The walkthrough's section of {@code README.md} in {@code repository}, up to the next second-level heading. */
    static ReadmeWalkthrough read(Path repository) {
        return read(repository, HEADING);
    }

    /** The section under {@code heading} of {@code README.md} in {@code repository}, up to the next second-level heading. */
    static ReadmeWalkthrough read(Path repository, String heading) {
        String readme;
        try {
            readme = Files.readString(repository.resolve("README.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int start = readme.indexOf(heading);
        assertThat(start).as("README.md: the heading '%s'", heading).isNotNegative();
        int end = readme.indexOf("\n## ", start + heading.length());
        return new ReadmeWalkthrough(heading, readme.substring(start, end < 0 ? readme.length() : end));
    }

    /** The snippet itself, once checked to be in the README as written. */
    String command(String snippet) {
        assertThat(section).as("README.md's '%s' must contain, as written:%n%s", heading, snippet).contains(snippet);
        return snippet;
    }
}
