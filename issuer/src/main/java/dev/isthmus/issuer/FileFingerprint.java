package dev.isthmus.issuer;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * What a set of files holds right now, as one SHA-256 digest. Kubernetes updates a mounted Secret or
 * ConfigMap by swapping a symlink to a new directory, which can leave every mtime the same, so only
 * the content says whether anything changed. A missing or unreadable file is part of the fingerprint
 * too: its appearance is a change.
 */
record FileFingerprint(String digest) {

    static FileFingerprint of(List<Path> files) {
        MessageDigest combined = sha256();
        for (Path file : files) {
            combined.update(file.toString().getBytes(UTF_8));
            combined.update((byte) 0);
            combined.update(contentDigest(file));
        }
        return new FileFingerprint(HexFormat.of().formatHex(combined.digest()));
    }

    private static byte[] contentDigest(Path file) {
        MessageDigest content = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                content.update(buffer, 0, n);
            }
            return content.digest();
        } catch (NoSuchFileException e) {
            return "missing".getBytes(UTF_8);
        } catch (IOException e) {
            return ("unreadable: " + e.getMessage()).getBytes(UTF_8);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
