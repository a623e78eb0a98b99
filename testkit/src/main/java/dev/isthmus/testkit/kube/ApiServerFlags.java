package dev.isthmus.testkit.kube;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Command-line flags for kube-apiserver, modelled on controller-runtime's envtest: serve on
 * 127.0.0.1 only, authenticate by client certificate and service-account token, authorize by RBAC.
 */
final class ApiServerFlags {

    /** The files kube-apiserver reads its key material from. */
    record PkiFiles(Path caCertificate, Path servingCertificate, Path servingKey,
            Path serviceAccountPublicKey, Path serviceAccountSigningKey) {}

    private ApiServerFlags() {}

    static List<String> of(URI url, URI etcdUrl, PkiFiles pki, Path certDir) {
        return List.of(
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--secure-port=" + url.getPort(),
                "--cert-dir=" + certDir,
                "--tls-cert-file=" + pki.servingCertificate(),
                "--tls-private-key-file=" + pki.servingKey(),
                "--client-ca-file=" + pki.caCertificate(),
                "--etcd-servers=" + etcdUrl,
                "--authorization-mode=RBAC",
                "--service-account-issuer=" + KubeApiServer.SERVICE_ACCOUNT_ISSUER,
                "--service-account-key-file=" + pki.serviceAccountPublicKey(),
                "--service-account-signing-key-file=" + pki.serviceAccountSigningKey(),
                "--api-audiences=" + KubeApiServer.SERVICE_ACCOUNT_ISSUER,
                // Only allocated, never routed: no Service IP is ever dialled in these tests.
                "--service-cluster-ip-range=10.0.0.0/24",
                "--allow-privileged=true",
                // Without a controller manager no default ServiceAccount is created, so pods would be rejected.
                "--disable-admission-plugins=ServiceAccount",
                "--profiling=false");
    }
}
