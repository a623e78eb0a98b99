package dev.isthmus.gateway.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.isthmus.identity.ca.InvalidAuthorityException;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.files.WatchedFiles;
import dev.isthmus.identity.pem.Pem;
import dev.isthmus.identity.pem.PemException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

/**
 * A gateway certificate, its key and the trust anchors from files, reloaded together when any of
 * them changes (cert-manager and Kubernetes rotate them in place). A set that does not load, or whose
 * key does not match, is logged and skipped: the gateway keeps serving with the last good one.
 */
public final class CredentialFiles implements AutoCloseable {

    private static final Logger log = Logger.getLogger(CredentialFiles.class.getName());

    private final WatchedFiles watch;

    public CredentialFiles(Path certificate, Path key, Path anchors, Duration interval,
            BiConsumer<CertifiedKey, TrustAnchors> onLoad) {
        watch = new WatchedFiles("credentials", List.of(certificate, key, anchors), interval, contents -> {
            try {
                CertifiedKey credentials = new CertifiedKey(Pem.privateKey(text(contents, key), key.toString()),
                        Pem.certificates(text(contents, certificate), certificate.toString()));
                Keys.checkMatches(credentials.key(), credentials.leaf(), certificate + " with " + key);
                onLoad.accept(credentials, new TrustAnchors(Pem.certificates(text(contents, anchors), anchors.toString()),
                        anchors.toString()));
            } catch (PemException | IllegalArgumentException | InvalidAuthorityException e) {
                log.warning("TLS credentials not (re)loaded, keeping the last good ones: " + e.getMessage());
            }
        });
    }

    public CredentialFiles start() {
        watch.start();
        return this;
    }

    private static String text(Map<Path, byte[]> contents, Path file) {
        byte[] content = contents.get(file);
        if (content == null) {
            throw new PemException(file + ": missing or unreadable");
        }
        return new String(content, US_ASCII);
    }

    @Override
    public void close() {
        watch.close();
    }
}
