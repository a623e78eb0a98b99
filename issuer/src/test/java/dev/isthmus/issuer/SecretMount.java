package dev.isthmus.issuer;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.pem.Pem;
import dev.isthmus.identity.testing.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A directory updated the way the kubelet updates a mounted Secret: every version in its own
 * {@code ..<n>} directory, {@code ..data} a symlink to the current one swapped by an atomic rename, and
 * each file a symlink through {@code ..data}. All files change at once, and their mtimes need not change.
 */
final class SecretMount {

    /** Every version's files get this mtime, so only their content tells versions apart. */
    private static final FileTime SAME_MTIME = FileTime.fromMillis(1_700_000_000_000L);

    private final Path dir;
    private int version;

    SecretMount(Path dir) {
        this.dir = dir;
    }

    /** Publishes the anchor bundle and {@code issuer} as one new version. */
    void publish(TestPki pki, CertificateAuthority issuer) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(IssuerFiles.anchorsFile(dir).getFileName().toString(), Pem.encode(pki.root().chain()));
        files.put(IssuerFiles.certificateFile(dir).getFileName().toString(), Pem.encode(issuer.chain()));
        files.put(IssuerFiles.keyFile(dir).getFileName().toString(), Pem.encode(issuer.key()));
        publish(files);
    }

    /** Publishes {@code files} (name to content) as one new version, replacing every file of the last. */
    void publish(Map<String, String> files) {
        try {
            Path versionDir = dir.resolve("..v" + ++version);
            Files.createDirectories(versionDir);
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path written = Files.writeString(versionDir.resolve(file.getKey()), file.getValue(), US_ASCII);
                Files.setLastModifiedTime(written, SAME_MTIME);
                Path link = dir.resolve(file.getKey());
                if (!Files.isSymbolicLink(link)) {
                    Files.createSymbolicLink(link, Paths.get("..data", file.getKey()));
                }
            }
            Path next = dir.resolve("..data_tmp");
            Files.createSymbolicLink(next, versionDir.getFileName());
            Files.move(next, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
