package dev.isthmus.issuer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.isthmus.identity.SpiffeId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Bootstrap tokens for workloads outside Kubernetes and for demos: a file of lines
 * {@code <token> <spiffe-id>}, with {@code #} comments and blank lines. Each token proves the identity
 * on its line.
 *
 * <p>Only SHA-256 digests of the tokens are kept, and a presented token is compared with every one of
 * them in constant time, so neither memory nor timing gives a token away. The file is checked for
 * changes at most once per {@code recheckInterval}, when a token is verified; a new file that does not
 * parse is logged and the tokens loaded before stay in force.
 */
public final class StaticTokens implements TokenVerifier {

    public static final int MIN_TOKEN_LENGTH = 16;
    public static final Duration DEFAULT_RECHECK_INTERVAL = Duration.ofSeconds(5);

    private static final Logger log = Logger.getLogger(StaticTokens.class.getName());
    private static final long MAX_FILE_BYTES = 1 << 20;

    /** One line of the file: the token's digest and the identity it proves. */
    record Entry(byte[] digest, SpiffeId identity) {}

    private final Path file;
    private final Duration recheckInterval;
    private final Clock clock;
    private volatile List<Entry> entries;
    private Instant nextCheck;
    private FileFingerprint lastSeen;

    private StaticTokens(Path file, Duration recheckInterval, Clock clock) {
        this.file = file;
        this.recheckInterval = recheckInterval;
        this.clock = clock;
    }

    /**
     * Reads the token file.
     *
     * @throws TokenFileException if it is missing or malformed, naming the line and what was expected
     */
    public static StaticTokens load(Path file, Duration recheckInterval, Clock clock) {
        requireNonNull(file, "file");
        requireNonNull(recheckInterval, "recheckInterval");
        requireNonNull(clock, "clock");
        if (recheckInterval.isNegative() || recheckInterval.isZero()) {
            throw new IllegalArgumentException("recheckInterval: " + recheckInterval + " (expected: a positive duration)");
        }
        StaticTokens tokens = new StaticTokens(file, recheckInterval, clock);
        tokens.lastSeen = FileFingerprint.of(List.of(file));
        tokens.entries = read(file);
        tokens.nextCheck = clock.instant().plus(recheckInterval);
        log.info(() -> "loaded " + tokens.entries.size() + " static token(s) from " + file);
        return tokens;
    }

    public static StaticTokens load(Path file) {
        return load(file, DEFAULT_RECHECK_INTERVAL, Clock.systemUTC());
    }

    @Override
    public SpiffeId verify(String token) {
        requireNonNull(token, "token");
        refreshIfDue();
        byte[] presented = digest(token);
        SpiffeId proven = null;
        for (Entry entry : entries) {
            // No early exit: every entry is compared, so the time taken does not tell which one matched.
            if (MessageDigest.isEqual(presented, entry.digest())) {
                proven = entry.identity();
            }
        }
        if (proven == null) {
            throw new TokenRejectedException("the token is not one of the issuer's static tokens"
                    + " (expected: a token listed in the issuer's token file)");
        }
        return proven;
    }

    /** The number of tokens in force, for logs and tests. */
    public int size() {
        return entries.size();
    }

    private synchronized void refreshIfDue() {
        Instant now = clock.instant();
        if (now.isBefore(nextCheck)) {
            return;
        }
        nextCheck = now.plus(recheckInterval);
        FileFingerprint seen = FileFingerprint.of(List.of(file));
        if (seen.equals(lastSeen)) {
            return;
        }
        lastSeen = seen;
        try {
            entries = read(file);
            log.info(() -> "reloaded " + entries.size() + " static token(s) from " + file);
        } catch (TokenFileException e) {
            log.warning(e.getMessage() + "; keeping the " + entries.size() + " token(s) loaded before");
        }
    }

    static List<Entry> read(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new TokenFileException(file + ": " + Files.size(file) + " bytes (expected: a token file under 1 MiB)");
            }
            text = UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (NoSuchFileException e) {
            throw new TokenFileException(file + ": no such file (expected: a token file of lines '<token> <spiffe-id>')");
        } catch (CharacterCodingException e) {
            throw new TokenFileException(file + ": not UTF-8 text (expected: lines '<token> <spiffe-id>')");
        } catch (IOException e) {
            throw new TokenFileException(file + ": cannot be read: " + e, e);
        }
        return parse(text.lines().toList(), file.toString());
    }

    /** Parses the lines of a token file; {@code source} names it in errors. Tokens never appear in messages. */
    static List<Entry> parse(List<String> lines, String source) {
        List<Entry> entries = new ArrayList<>();
        Map<String, Integer> lineOfDigest = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            if (fields.length != 2) {
                throw new TokenFileException(source + ":" + number + ": found " + fields.length
                        + " field(s) (expected: '<token> <spiffe-id>', separated by whitespace)");
            }
            String token = fields[0];
            if (token.length() < MIN_TOKEN_LENGTH) {
                throw new TokenFileException(source + ":" + number + ": the token is " + token.length()
                        + " characters long (expected: at least " + MIN_TOKEN_LENGTH + ")");
            }
            if (!BearerToken.isWellFormed(token)) {
                throw new TokenFileException(source + ":" + number + ": the token holds characters a bearer token"
                        + " cannot carry (expected: letters, digits and -._~+/, optionally followed by '=')");
            }
            SpiffeId identity;
            try {
                identity = SpiffeId.parse(fields[1]);
            } catch (IllegalArgumentException e) {
                throw new TokenFileException(source + ":" + number + ": " + e.getMessage(), e);
            }
            byte[] digest = digest(token);
            Integer earlier = lineOfDigest.putIfAbsent(HexFormat.of().formatHex(digest), number);
            if (earlier != null) {
                throw new TokenFileException(source + ":" + number + ": the token is already listed on line " + earlier
                        + " (expected: each token once, proving one identity)");
            }
            entries.add(new Entry(digest, identity));
        }
        if (entries.isEmpty()) {
            throw new TokenFileException(source + ": no tokens (expected: at least one line '<token> <spiffe-id>')");
        }
        return List.copyOf(entries);
    }

    private static byte[] digest(String token) {
        return FileFingerprint.sha256().digest(token.getBytes(UTF_8));
    }
}
