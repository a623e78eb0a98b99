package dev.isthmus.gateway.hostile;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.gateway.http.HttpSessions;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.testing.GatewayHarness;
import dev.isthmus.gateway.tls.TlsContexts;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.testing.TestPki;
import io.netty.channel.ChannelHandlerContext;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The inbound port as tools this project did not write see it: nmap's {@code ssl-enum-ciphers} (Debian's
 * {@code nmap}) for versions and suites, {@code openssl s_client} for the alerts. Skipped with a message
 * when a binary is missing on a developer's machine; under CI ({@code CI=true}) a missing binary fails,
 * and {@code .ci/run} installs both.
 *
 * <p>No scanner offers our ALPN protocol, and the gateway refuses every TLS 1.3 hello without it before
 * its TLS engine answers, so a scan straight at the port finds no TLS at all. To see the engine's versions
 * and suites, the second scan goes through {@link AlpnInsertingProxy}. By hand, against a running gateway:
 * {@code nmap -Pn -n -sT -p <port> --script ssl-enum-ciphers 127.0.0.1}.
 */
class TlsScanIT {

    private static final Logger log = Logger.getLogger(TlsScanIT.class.getName());

    /** No session is ever set up here: a scan ends at the handshake. */
    static final HttpSessions CLOSING = new HttpSessions() {
        @Override
        public void proxy(ChannelHandlerContext ctx, TransportHeader header, ExportedService service, SpiffeId peer) {
            ctx.close();
        }

        @Override
        public void refuse(ChannelHandlerContext ctx, TransportHeader header, int status, String reason) {
            ctx.close();
        }
    };

    static GatewayHarness gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = new GatewayHarness(TestPki.create(), new RouteTable("cluster.local", List.of()), CLOSING, b -> {});
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void straightAtThePortAScannerWithoutOurAlpnProtocolFindsNoTls() throws Exception {
        requireBinary("nmap");
        Element script = sslEnumCiphers(gateway.port());
        assertThat(script).as("ssl-enum-ciphers found a TLS version it could negotiate").isNull();
    }

    @Test
    void behindTheAlpnGateOnlyTls13WithStrongSuitesIsOffered() throws Exception {
        requireBinary("nmap");
        try (AlpnInsertingProxy proxy = new AlpnInsertingProxy(gateway.port(), TlsContexts.ALPN_TRANSPORT)) {
            Element script = sslEnumCiphers(proxy.port());
            assertThat(script).as("ssl-enum-ciphers output").isNotNull();
            List<String> versions = new ArrayList<>();
            List<String> suites = new ArrayList<>();
            for (Element version : children(script, "table")) {
                versions.add(version.getAttribute("key"));
                for (Element ciphers : children(version, "table")) {
                    for (Element cipher : children(ciphers, "table")) {
                        String name = elem(cipher, "name");
                        suites.add(name + " " + elem(cipher, "strength"));
                        assertThat(elem(cipher, "strength")).as(name).isEqualTo("A");
                        assertThat(name).containsAnyOf("GCM", "CHACHA20_POLY1305").doesNotContain("NULL", "anon", "CBC", "RC4", "DES");
                    }
                }
            }
            assertThat(versions).as("versions").containsExactly("TLSv1.3");
            assertThat(suites).as("suites").isNotEmpty();
            assertThat(elem(script, "least strength")).isEqualTo("A");
            log.info("ssl-enum-ciphers behind the ALPN gate: " + versions + " " + suites);
        }
    }

    @Test
    void opensslSClientReadsTheAlertOfEachRefusal() throws Exception {
        requireBinary("openssl");
        String target = "127.0.0.1:" + gateway.port();
        // expected alert text -> s_client arguments
        List<Map.Entry<String, List<String>>> cases = List.of(
                // Our protocol but no client certificate: BoringSSL asks for one, then sends certificate_required (116).
                Map.entry("certificate required", List.of("-tls1_3", "-alpn", TlsContexts.ALPN_TRANSPORT)),
                Map.entry("no application protocol", List.of("-tls1_3", "-alpn", "h2")),
                Map.entry("no application protocol", List.of("-tls1_3")),
                Map.entry("protocol version", List.of("-tls1_2", "-alpn", TlsContexts.ALPN_TRANSPORT)));
        for (Map.Entry<String, List<String>> expected : cases) {
            List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", target, "-ign_eof"));
            command.addAll(expected.getValue());
            assertThat(run(command)).as(String.join(" ", command)).containsIgnoringCase("alert " + expected.getKey());
        }
    }

    /** The {@code ssl-enum-ciphers} element of nmap's XML report, {@code null} when the script found nothing to say. */
    private static Element sslEnumCiphers(int port) throws Exception {
        String xml = run(List.of("nmap", "-Pn", "-n", "-sT", "-p", String.valueOf(port), "--script", "ssl-enum-ciphers",
                "-oX", "-", "127.0.0.1"));
        int start = xml.indexOf("<?xml");
        assertThat(start).as("nmap printed XML: %s", xml).isNotNegative();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document report = factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.substring(start).getBytes(UTF_8)));
        NodeList scripts = report.getElementsByTagName("script");
        for (int i = 0; i < scripts.getLength(); i++) {
            Element script = (Element) scripts.item(i);
            if (script.getAttribute("id").equals("ssl-enum-ciphers")) {
                return script;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> children = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(tag)) {
                children.add(element);
            }
        }
        return children;
    }

    private static String elem(Element parent, String key) {
        for (Element elem : children(parent, "elem")) {
            if (elem.getAttribute("key").equals(key)) {
                return elem.getTextContent();
            }
        }
        return null;
    }

    private static void requireBinary(String name) {
        boolean found = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, name)));
        if (!found && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(name + " is not installed (expected: .ci/run installs it under CI)");
        }
        assumeTrue(found, name + " is not installed: apt-get install " + name + " to run this scan");
    }

    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close(); // s_client: no input; with -ign_eof it waits for the gateway to end the connection
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish in 120 s");
        }
        return new String(output, UTF_8);
    }
}
