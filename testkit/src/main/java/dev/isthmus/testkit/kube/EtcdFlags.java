package dev.isthmus.testkit.kube;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/** Command-line flags for a single-member etcd that only this test's kube-apiserver talks to. */
final class EtcdFlags {

    private EtcdFlags() {}

    static List<String> of(String name, URI clientUrl, Path dataDir) {
        return List.of(
                "--name=" + name,
                "--data-dir=" + dataDir,
                "--listen-client-urls=" + clientUrl,
                "--advertise-client-urls=" + clientUrl,
                // A lone member never dials a peer, so its peer listener takes any free port (as in
                // envtest) and the advertised peer URL is etcd's default, never contacted.
                "--listen-peer-urls=http://127.0.0.1:0",
                "--initial-cluster=" + name + "=http://localhost:2380",
                // Test data is thrown away; skipping fsync makes every API write much faster.
                "--unsafe-no-fsync=true",
                "--log-level=warn");
    }
}
