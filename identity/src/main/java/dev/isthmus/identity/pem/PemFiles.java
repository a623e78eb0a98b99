package dev.isthmus.identity.pem;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.ByteBuffer;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * PEM files on disk. Key files are created mode 0600 and nothing is overwritten unless asked: every
 * target is checked before any is written, so a refused command leaves no half-written pair behind.
 */
public final class PemFiles {

    private static final long MAX_PEM_BYTES = 1 << 20;

    private PemFiles() {}

    public static List<X509Certificate> readCertificates(Path file) {
        return Pem.certificates(read(file), file.toString());
    }

    public static PrivateKey readPrivateKey(Path file) {
        return Pem.privateKey(read(file), file.toString());
    }

    public static String read(Path file) {
        try {
            if (Files.size(file) > MAX_PEM_BYTES) {
                throw new PemException(file + ": " + Files.size(file) + " bytes (expected a PEM file under 1 MiB)");
            }
            return StandardCharsets.US_ASCII.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (NoSuchFileException e) {
            throw new PemException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new PemException(file + ": not a text file (expected PEM: ASCII '-----BEGIN ...' blocks)");
        } catch (IOException e) {
            throw new PemException(file + ": cannot be read: " + e, e);
        }
    }

    /** A file to write: its content and whether it is secret (mode 0600) or public (0644). */
    public record Output(Path path, String content, boolean secret) {
        public static Output certificates(Path path, List<X509Certificate> chain) {
            return new Output(path, Pem.encode(chain), false);
        }

        public static Output key(Path path, PrivateKey key) {
            return new Output(path, Pem.encode(key), true);
        }
    }

    /**
     * Writes every output, each atomically (temporary file in the same folder, then rename).
     *
     * @throws PemException if a target exists and {@code overwrite} is false; then nothing is written
     */
    public static void write(List<Output> outputs, boolean overwrite) {
        if (!overwrite) {
            for (Output output : outputs) {
                if (Files.exists(output.path())) {
                    throw new PemException(output.path() + " already exists (pass --force to overwrite it)");
                }
            }
        }
        for (Output output : outputs) {
            writeOne(output, overwrite);
        }
    }

    private static void writeOne(Output output, boolean overwrite) {
        Path target = output.path().toAbsolutePath();
        Path temp = null;
        try {
            Files.createDirectories(target.getParent());
            String mode = output.secret() ? "rw-------" : "rw-r--r--";
            temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
            Files.write(temp, output.content().getBytes(US_ASCII));
            if (overwrite) {
                moveReplacing(temp, target);
            } else {
                Files.move(temp, target); // fails, rather than replaces, if the target appeared meanwhile
            }
            temp = null;
        } catch (FileAlreadyExistsException e) {
            throw new PemException(target + " already exists (pass --force to overwrite it)");
        } catch (IOException e) {
            throw new PemException(target + ": cannot be written: " + e, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort: the temporary file holds nothing the target does not
                }
            }
        }
    }

    private static void moveReplacing(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
