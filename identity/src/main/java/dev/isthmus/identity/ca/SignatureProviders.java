package dev.isthmus.identity.ca;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import com.amazon.corretto.crypto.provider.SelfTestStatus;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Chooses the provider that signs certificates and verifies requests. Amazon Corretto Crypto Provider
 * (ACCP: AWS-LC's native P-256 code behind JCA) when it loads, passes its own self-tests and signs and
 * verifies interoperably with the JDK; otherwise BouncyCastle, the pure-Java fallback, with one log line
 * saying why. Either is used as an instance only, never registered with {@code Security}, so TLS and
 * everything else keep the platform's providers.
 *
 * <p>{@code -Disthmus.signatureProvider=bouncycastle} forces the fallback (for an operator who distrusts the
 * native library); the default, {@code auto}, prefers ACCP.
 */
public final class SignatureProviders {

    /** The system property that picks the provider: {@code auto} (default) or {@code bouncycastle}. */
    public static final String PROPERTY = "isthmus.signatureProvider";

    private static final Logger log = Logger.getLogger(SignatureProviders.class.getName());
    private static final Provider BOUNCY_CASTLE = new BouncyCastleProvider();

    private SignatureProviders() {}

    /** The provider issuance uses in this JVM, chosen once. */
    public static Provider chosen() {
        return Chosen.PROVIDER;
    }

    /** The pure-Java fallback, one shared instance. */
    public static Provider bouncyCastle() {
        return BOUNCY_CASTLE;
    }

    /** Holder, so that the choice (and its log line) happens on first use, not when this class loads. */
    private static final class Chosen {
        // A lambda, not a method reference: linking Corretto::provider would load ACCP's classes before choose()'s
        // try block, so a missing jar would fail here instead of falling back.
        static final Provider PROVIDER = choose(System.getProperty(PROPERTY, "auto"), () -> Corretto.provider());
    }

    /**
     * {@code candidate} if {@code setting} allows a native provider and the candidate holds up, else BouncyCastle.
     * Never throws: a native library that cannot load must not stop issuance.
     */
    static Provider choose(String setting, Supplier<Provider> candidate) {
        String normalized = setting.trim().toLowerCase(Locale.ROOT);
        if (normalized.equals("bouncycastle")) {
            log.info("signing certificates with BouncyCastle (" + PROPERTY + "=" + setting + ")");
            return BOUNCY_CASTLE;
        }
        if (!normalized.equals("auto")) {
            log.warning(PROPERTY + ": '" + setting + "' (expected: auto or bouncycastle); signing certificates with BouncyCastle");
            return BOUNCY_CASTLE;
        }
        String problem;
        Provider provider = null;
        try {
            provider = candidate.get();
            problem = problemWith(provider);
        } catch (LinkageError | RuntimeException e) {
            // LinkageError: the ACCP jar is missing, or its native library is for another platform.
            problem = e.toString();
        }
        if (problem != null) {
            log.warning("native signature provider unusable, signing certificates with BouncyCastle: " + problem);
            return BOUNCY_CASTLE;
        }
        log.info("signing certificates with " + provider.getName() + " " + provider.getVersionStr());
        return provider;
    }

    /**
     * The only code that names ACCP's classes, in a class of its own: without the jar, loading this class
     * throws a LinkageError that {@link #choose} catches, while SignatureProviders itself still loads.
     */
    private static final class Corretto {
        /** ACCP, or an error if it could not load or its self-tests fail. */
        static Provider provider() {
            AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
            Throwable loading = accp.getLoadingError();
            if (loading != null) {
                throw new IllegalStateException("ACCP did not load: " + loading, loading);
            }
            SelfTestStatus selfTests = accp.runSelfTests();
            if (selfTests != SelfTestStatus.PASSED) {
                throw new IllegalStateException("ACCP self-tests: " + selfTests + " (expected: PASSED)");
            }
            return accp;
        }
    }

    /**
     * Null if {@code provider} signs with a converted P-256 key so that the JDK's SunEC verifies it, verifies
     * SunEC's signature, and rejects a tampered one; else what went wrong. An independent implementation on
     * the other side is what makes this a check rather than a round trip through the same code.
     */
    static String problemWith(Provider provider) {
        try {
            KeyPair keys = Keys.generateP256();
            byte[] message = "isthmus signature provider check".getBytes(StandardCharsets.US_ASCII);

            Signature signer = Signature.getInstance("SHA256withECDSA", provider);
            signer.initSign(KeyFactory.getInstance("EC", provider)
                    .generatePrivate(new PKCS8EncodedKeySpec(keys.getPrivate().getEncoded())));
            signer.update(message);
            byte[] signed = signer.sign();
            Signature jdk = Signature.getInstance("SHA256withECDSA", "SunEC");
            jdk.initVerify(keys.getPublic());
            jdk.update(message);
            if (!jdk.verify(signed)) {
                return provider.getName() + "'s P-256 signature does not verify with SunEC";
            }

            Signature jdkSigner = Signature.getInstance("SHA256withECDSA", "SunEC");
            jdkSigner.initSign(keys.getPrivate());
            jdkSigner.update(message);
            byte[] jdkSigned = jdkSigner.sign();
            if (!verifies(provider, keys, message, jdkSigned)) {
                return provider.getName() + " does not verify SunEC's P-256 signature";
            }
            message[0] ^= 1;
            if (verifies(provider, keys, message, jdkSigned)) {
                return provider.getName() + " accepts a P-256 signature over another message";
            }
            return null;
        } catch (GeneralSecurityException | RuntimeException e) {
            return provider.getName() + " cannot sign and verify SHA256withECDSA on P-256: " + e;
        }
    }

    private static boolean verifies(Provider provider, KeyPair keys, byte[] message, byte[] signature)
            throws GeneralSecurityException {
        Signature verifier = Signature.getInstance("SHA256withECDSA", provider);
        verifier.initVerify(KeyFactory.getInstance("EC", provider).generatePublic(
                new X509EncodedKeySpec(keys.getPublic().getEncoded())));
        verifier.update(message);
        return verifier.verify(signature);
    }
}
