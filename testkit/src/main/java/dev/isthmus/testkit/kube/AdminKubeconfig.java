package dev.isthmus.testkit.kube;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A kubeconfig for the admin user with every credential embedded, so the file alone is enough
 * for fabric8, kubectl or a mirror Link's credentials Secret.
 */
final class AdminKubeconfig {

    private AdminKubeconfig() {}

    static String render(String name, URI server, ControlPlanePki pki) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                    certificate-authority-data: %3$s
                users:
                - name: %1$s-admin
                  user:
                    client-certificate-data: %4$s
                    client-key-data: %5$s
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    user: %1$s-admin
                    namespace: default
                current-context: %1$s
                """.formatted(name, server, base64(pki.ca.certificatePem()),
                base64(pki.admin.certificatePem()), base64(pki.admin.privateKeyPem()));
    }

    private static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }
}
