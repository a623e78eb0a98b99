package dev.isthmus.gateway.hostile;

import dev.isthmus.testkit.tools.BuiltTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Runs h2spec, the HTTP/2 conformance suite built by {@code tools/h2spec/build.sh}, against a port on
 * 127.0.0.1 and reads its JUnit report.
 */
final class H2spec {

    /**
     * Seconds h2spec waits for each frame. Generous: CI machines are shared, and 5.1.2/1 opens 1001 streams at
     * once, each a request to the backend, which on a busy machine kept the gateway silent for over 5 s. Only a
     * failing case waits this long.
     */
    static final int CASE_TIMEOUT_SECONDS = 10;

    /** The outcome of one run: how many cases ran, and the ids ({@code http2/5.1/5}) and messages of the failed ones. */
    record Result(int cases, List<String> failed, String output) {
        int passed() {
            return cases - failed.size();
        }
    }

    private H2spec() {}

    /** h2spec, built by tools/h2spec/build.sh ({@code $ISTHMUS_H2SPEC}, else its cache's {@code current/bin/h2spec}). */
    private static final BuiltTool TOOL = new BuiltTool("h2spec", Duration.ofMinutes(10));

    static Path binary() {
        return TOOL.binary();
    }

    /** Skips the calling test when h2spec is not built and cannot be built here; fails instead in CI. */
    static Path assumeAvailable() {
        return TOOL.assumeAvailable();
    }

    /** Runs the default suite (or {@code sections}, e.g. {@code http2/5.1}) against 127.0.0.1:{@code port}. */
    static Result run(Path binary, int port, Path report, String... sections) throws Exception {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-o", Integer.toString(CASE_TIMEOUT_SECONDS), "-j", report.toString()));
        command.addAll(List.of(sections));
        Path output = Files.createTempFile(report.getParent(), "h2spec", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        // 145 cases; only a case that fails waits for its timeout, so even all failing stays well inside this.
        if (!process.waitFor(15, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("h2spec did not finish within 15 minutes: " + command);
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        if (!Files.exists(report)) {
            throw new AssertionError("h2spec wrote no report (exit " + process.exitValue() + "):\n" + text);
        }
        return parse(report, text);
    }

    /** The failed cases of a JUnit report: a testcase with a failure, error or skipped child names its package and number. */
    static Result parse(Path report, String output) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document document = factory.newDocumentBuilder().parse(report.toFile());
        NodeList cases = document.getElementsByTagName("testcase");
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < cases.getLength(); i++) {
            Element testCase = (Element) cases.item(i);
            Element suite = (Element) testCase.getParentNode();
            NodeList problems = testCase.getElementsByTagName("failure");
            NodeList errors = testCase.getElementsByTagName("error");
            if (problems.getLength() > 0 || errors.getLength() > 0) {
                Element problem = (Element) (problems.getLength() > 0 ? problems.item(0) : errors.item(0));
                failed.add(suite.getAttribute("package") + "/" + (position(testCase) + 1) + " " + testCase.getAttribute("name")
                        + ": " + problem.getTextContent().strip().replace('\n', ' '));
            }
        }
        return new Result(cases.getLength(), failed, output);
    }

    /** h2spec numbers the cases of a section from 1, in report order. */
    private static int position(Element testCase) {
        int index = 0;
        for (org.w3c.dom.Node n = testCase.getPreviousSibling(); n != null; n = n.getPreviousSibling()) {
            if (n instanceof Element e && e.getTagName().equals("testcase")) {
                index++;
            }
        }
        return index;
    }
}
