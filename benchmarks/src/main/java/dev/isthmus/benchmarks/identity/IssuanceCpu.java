package dev.isthmus.benchmarks.identity;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.CertificateRequests;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.ca.SignatureProviders;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.KeyPair;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Issuances per second of one core's CPU time, for a machine too busy for JMH's wall-clock throughput:
 * each operation is timed by this thread's CPU clock, not the wall clock, and the providers take turns in
 * short rounds, so a burst of load elsewhere hits both alike. Run by hand:
 * {@code java -cp benchmarks/target/benchmarks.jar dev.isthmus.benchmarks.identity.IssuanceCpu [rounds]}.
 * Prints, per operation and provider, operations per CPU-second (the median round) and the ratio of the
 * chosen provider to BouncyCastle.
 */
public final class IssuanceCpu {

    private static final long ROUND_CPU_NANOS = 100_000_000L;
    private static final int WARMUP_ROUNDS = 15;

    private IssuanceCpu() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Clock clock = Clock.systemUTC();
        CertificateAuthority root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(365), clock);
        CertificateAuthority authority = root.createIssuer("cluster.local", Duration.ofDays(30), clock);
        SpiffeId identity = new SpiffeId("cluster.local", "emojivoto", "web");
        KeyPair workload = Keys.generateP256();
        PKCS10CertificationRequest csr = CertificateRequests.create(workload, identity);
        byte[] message = new byte[300];
        new SecureRandom().nextBytes(message);

        Provider chosen = SignatureProviders.chosen();
        Provider bouncyCastle = SignatureProviders.bouncyCastle();
        Map<String, Runnable> operations = new LinkedHashMap<>();
        for (Provider provider : List.of(chosen, bouncyCastle)) {
            String name = provider == chosen && provider != bouncyCastle ? "native" : "bouncyCastle";
            LeafIssuer issuer = new LeafIssuer(authority, LeafIssuer.DEFAULT_LIFETIME, LeafIssuer.DEFAULT_CLOCK_SKEW, clock, provider);
            Signature signer = Signature.getInstance("SHA256withECDSA", provider);
            signer.initSign(authority.key());
            operations.put("issueFromCsr/" + name, () -> issuer.issue(csr, identity));
            operations.put("issueFromPublicKey/" + name, () -> issuer.issue(workload.getPublic(), identity));
            operations.put("validateCsr/" + name, () -> CertificateRequests.validate(csr, provider));
            operations.put("sign/" + name, () -> {
                try {
                    signer.update(message);
                    signer.sign();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        Map<String, double[]> rates = new LinkedHashMap<>();
        operations.keySet().forEach(k -> rates.put(k, new double[rounds]));
        for (int round = -WARMUP_ROUNDS; round < rounds; round++) {
            for (Map.Entry<String, Runnable> operation : operations.entrySet()) {
                long start = threads.getCurrentThreadCpuTime();
                long count = 0;
                long used;
                do {
                    operation.getValue().run();
                    count++;
                    used = threads.getCurrentThreadCpuTime() - start;
                } while (used < ROUND_CPU_NANOS);
                if (round >= 0) {
                    rates.get(operation.getKey())[round] = count * 1e9 / used;
                }
            }
        }
        System.out.printf("chosen provider: %s %s; %d rounds of %d ms CPU each after %d warm-up rounds%n",
                chosen.getName(), chosen.getVersionStr(), rounds, ROUND_CPU_NANOS / 1_000_000, WARMUP_ROUNDS);
        System.out.printf("%-32s %12s %12s %12s%n", "operation", "median/s", "p10/s", "p90/s");
        for (Map.Entry<String, double[]> rate : rates.entrySet()) {
            double[] sorted = rate.getValue().clone();
            Arrays.sort(sorted);
            System.out.printf("%-32s %,12.0f %,12.0f %,12.0f%n", rate.getKey(), sorted[rounds / 2],
                    sorted[rounds / 10], sorted[rounds * 9 / 10]);
        }
    }
}
