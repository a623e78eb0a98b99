package dev.isthmus.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdTest {

    private static final String LABEL_63 = "a".repeat(63);
    private static final String LABEL_64 = "a".repeat(64);
    /** 253 characters of valid labels: the longest trust domain DNS allows. */
    private static final String DOMAIN_253 = String.join(".", LABEL_63, LABEL_63, LABEL_63, "a".repeat(61));

    @ParameterizedTest
    @CsvSource({
        "spiffe://cluster.local/ns/default/sa/default, cluster.local, default, default",
        "spiffe://example.org/ns/emojivoto/sa/web-svc, example.org, emojivoto, web-svc",
        "spiffe://east/ns/a/sa/0, east, a, 0",
        "spiffe://prod.eu-1.example.com/ns/kube-system/sa/isthmus-gateway, prod.eu-1.example.com, kube-system, isthmus-gateway",
    })
    void parsesAndFormatsTheSameText(String text, String trustDomain, String namespace, String serviceAccount) {
        SpiffeId id = SpiffeId.parse(text);

        assertThat(id).isEqualTo(new SpiffeId(trustDomain, namespace, serviceAccount));
        assertThat(id.toString()).isEqualTo(text);
        assertThat(id.uri().toString()).isEqualTo(text);
        assertThat(SpiffeId.parse(id.toString())).isEqualTo(id);
    }

    @Test
    void acceptsLabelsAndDomainsAtTheirMaximumLength() {
        SpiffeId id = SpiffeId.parse("spiffe://" + DOMAIN_253 + "/ns/" + LABEL_63 + "/sa/" + LABEL_63);

        assertThat(id.trustDomain()).hasSize(253);
        assertThat(id.namespace()).isEqualTo(LABEL_63);
        assertThat(id.serviceAccount()).isEqualTo(LABEL_63);
    }

    @Test
    void hasADnsFormAndAKubernetesUsername() {
        SpiffeId id = SpiffeId.parse("spiffe://cluster.local/ns/emojivoto/sa/web");

        assertThat(id.dnsName()).isEqualTo("web.emojivoto.serviceaccount.identity.isthmus.cluster.local");
        assertThat(id.kubernetesUsername()).isEqualTo("system:serviceaccount:emojivoto:web");
    }

    @ParameterizedTest
    @CsvSource({
        "web.emojivoto.serviceaccount.identity.isthmus.cluster.local, spiffe://cluster.local/ns/emojivoto/sa/web",
        "isthmus-gateway.isthmus-multicluster.serviceaccount.identity.isthmus.east.example.com,"
                + " spiffe://east.example.com/ns/isthmus-multicluster/sa/isthmus-gateway",
    })
    void parsesTheDnsForm(String dnsName, String expected) {
        SpiffeId id = SpiffeId.fromDnsName(dnsName);

        assertThat(id).isEqualTo(SpiffeId.parse(expected));
        assertThat(id.dnsName()).isEqualTo(dnsName);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "example.com",
        "podinfo.test.svc.cluster.local",
        "web.serviceaccount.identity.isthmus.cluster.local",
        "x.web.emojivoto.serviceaccount.identity.isthmus.cluster.local",
        "Web.emojivoto.serviceaccount.identity.isthmus.cluster.local",
        "web..serviceaccount.identity.isthmus.cluster.local",
        "web.emojivoto.serviceaccount.identity.isthmus.",
        "web.emojivoto.serviceaccount.identity.isthmus.cluster..local",
        "",
    })
    void dnsNamesThatAreNotAnIdentityGiveNull(String dnsName) {
        assertThat(SpiffeId.fromDnsName(dnsName)).isNull();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("", "is not a SPIFFE ID"),
                Arguments.of("cluster.local/ns/a/sa/b", "is not a SPIFFE ID"),
                Arguments.of("https://cluster.local/ns/a/sa/b", "is not a SPIFFE ID"),
                Arguments.of("spiffe:/cluster.local/ns/a/sa/b", "is not a SPIFFE ID"),
                Arguments.of("SPIFFE://cluster.local/ns/a/sa/b", "is not a SPIFFE ID"),
                Arguments.of(" spiffe://cluster.local/ns/a/sa/b", "is not a SPIFFE ID"),
                Arguments.of("spiffe://cluster.local", "has no trust domain or path"),
                Arguments.of("spiffe:///ns/a/sa/b", "has no trust domain or path"),
                Arguments.of("spiffe://cluster.local/", "has an unexpected path"),
                Arguments.of("spiffe://cluster.local/ns/a", "has an unexpected path"),
                Arguments.of("spiffe://cluster.local/ns/a/sa", "has an unexpected path"),
                Arguments.of("spiffe://cluster.local/ns/a/sa/b/", "has an unexpected path"),
                Arguments.of("spiffe://cluster.local/ns/a/sa/b/extra", "has an unexpected path"),
                Arguments.of("spiffe://cluster.local/ns/a/sa/b/c/d", "has an unexpected path"),
                Arguments.of("spiffe://cluster.local//ns/a/sa/b", "has an unexpected path"),
                Arguments.of("spiffe://cluster.local/sa/b/ns/a", "has an unexpected path"),
                Arguments.of("spiffe://cluster.local/NS/a/SA/b", "has an unexpected path"),
                Arguments.of("spiffe://cluster.local/namespace/a/serviceaccount/b", "has an unexpected path"),
                Arguments.of("spiffe://cluster.local/ns//sa/b", "namespace '' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/a/sa/", "service account '' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/Default/sa/b", "namespace 'Default' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/a/sa/Web", "service account 'Web' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/../sa/b", "namespace '..' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/./sa/b", "namespace '.' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/a/sa/..", "service account '..' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/a.b/sa/c", "namespace 'a.b' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/-a/sa/b", "namespace '-a' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/a-/sa/b", "namespace 'a-' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/a_b/sa/c", "namespace 'a_b' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/" + LABEL_64 + "/sa/b", "namespace '" + LABEL_64 + "' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/a/sa/" + LABEL_64, "service account '" + LABEL_64 + "' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/café/sa/b", "namespace 'café' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/a/sa/b\u200b", "service account 'b\u200b' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/a%2Fb/sa/c", "namespace 'a%2Fb' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/a/sa/b?x=1", "service account 'b?x=1' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/a/sa/b#f", "service account 'b#f' is invalid"),
                Arguments.of("spiffe://cluster.local/ns/a/sa/b\n", "service account 'b\n' is invalid"),
                Arguments.of("spiffe://Cluster.Local/ns/a/sa/b", "trust domain 'Cluster.Local' is invalid"),
                Arguments.of("spiffe://clüster.local/ns/a/sa/b", "trust domain 'clüster.local' is invalid"),
                Arguments.of("spiffe://cluster..local/ns/a/sa/b", "trust domain 'cluster..local' is invalid"),
                Arguments.of("spiffe://.cluster.local/ns/a/sa/b", "trust domain '.cluster.local' is invalid"),
                Arguments.of("spiffe://cluster.local./ns/a/sa/b", "trust domain 'cluster.local.' is invalid"),
                Arguments.of("spiffe://cluster.local:8443/ns/a/sa/b", "trust domain 'cluster.local:8443' is invalid"),
                Arguments.of("spiffe://admin@cluster.local/ns/a/sa/b", "trust domain 'admin@cluster.local' is invalid"),
                Arguments.of("spiffe://" + LABEL_64 + ".local/ns/a/sa/b", "trust domain '" + LABEL_64 + ".local' is invalid"),
                Arguments.of("spiffe://" + DOMAIN_253 + "a/ns/a/sa/b", "trust domain '" + DOMAIN_253 + "a' is invalid"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void rejectsMalformedIdentitiesSayingWhatIsWrong(String text, String problem) {
        assertThatThrownBy(() -> SpiffeId.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("identity '" + text + "'")
                .hasMessageContaining(problem)
                .hasMessageContaining("(expected: ");
    }

    @Test
    void aStructuralErrorShowsTheWholeExpectedForm() {
        assertThatThrownBy(() -> SpiffeId.parse("spiffe://cluster.local/ns/a/sa/b/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("identity 'spiffe://cluster.local/ns/a/sa/b/' has an unexpected path"
                        + " (expected: spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>)");
    }

    @Test
    void aLabelErrorShowsTheLabelRules() {
        assertThatThrownBy(() -> SpiffeId.parse("spiffe://cluster.local/ns/Default/sa/b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("identity 'spiffe://cluster.local/ns/Default/sa/b': namespace 'Default' is invalid"
                        + " (expected: a DNS-1123 label, 1-63 of a-z, 0-9 and '-', starting and ending alphanumeric)");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"Cluster.local", "cluster_local", "-cluster.local", "cluster.local."})
    void theConstructorChecksTheTrustDomain(String trustDomain) {
        if (trustDomain == null) {
            assertThatThrownBy(() -> new SpiffeId(null, "a", "b"))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("trustDomain");
        } else {
            assertThatThrownBy(() -> new SpiffeId(trustDomain, "a", "b"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("trust domain '" + trustDomain + "' is invalid"
                            + " (expected: lower-case DNS labels separated by dots, such as cluster.local)");
        }
    }

    @Test
    void theConstructorNamesAMissingPart() {
        assertThatThrownBy(() -> new SpiffeId("cluster.local", null, "b"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("namespace");
        assertThatThrownBy(() -> new SpiffeId("cluster.local", "a", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("service account");
        assertThatThrownBy(() -> SpiffeId.parse(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("text");
    }

    /** The rules as Kubernetes writes them; the checks are written out by hand for speed and must agree. */
    private static final Pattern LABEL_RULE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DOMAIN_RULE = Pattern.compile(
            "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*");

    @Test
    void theHandWrittenChecksAgreeWithTheRegularExpressionsOnHostileText() {
        Random random = new Random(11);
        String alphabet = "ab09-._AZ\u00e4/@ \u0000";
        for (int i = 0; i < 200_000; i++) {
            int length = random.nextInt(4) == 0 ? 60 + random.nextInt(8) : random.nextInt(12);
            StringBuilder text = new StringBuilder();
            for (int j = 0; j < length; j++) {
                // Mostly valid characters, so that long valid labels and near misses both come up.
                text.append(random.nextInt(8) == 0 ? alphabet.charAt(random.nextInt(alphabet.length()))
                        : "abz019-.".charAt(random.nextInt(8)));
            }
            String candidate = text.toString();
            assertThat(SpiffeId.isLabel(candidate, 0, candidate.length())).as("label '%s'", candidate)
                    .isEqualTo(LABEL_RULE.matcher(candidate).matches());
            assertThat(SpiffeId.isDomain(candidate)).as("domain '%s'", candidate)
                    .isEqualTo(DOMAIN_RULE.matcher(candidate).matches());
        }
    }
}
