package dev.isthmus.benchmarks.gateway;

import io.netty.handler.ssl.SslProvider;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.Signature;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Gateway-to-gateway mTLS in memory, on one thread, with BoringSSL (OPENSSL) or the JDK as the engine:
 * <ul>
 *   <li>{@code handshake}: complete TLS 1.3 mutual handshakes per second, both sides' work (the gateway
 *       does only the server half, so its own rate is higher);</li>
 *   <li>{@code relay16k}: 16 KiB records encrypted by one side and decrypted by the other;</li>
 *   <li>baselines, same invocation: the JDK's ECDSA P-256 sign+verify (the public-key work of a handshake
 *       is two signatures and six verifications), and a 16 KiB copy.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class MtlsBenchmark {

    @Param({"OPENSSL", "JDK"})
    public SslProvider provider;

    private EnginePair.Contexts contexts;
    private EnginePair connected;
    private ByteBuffer record;
    private byte[] source;
    private byte[] target;
    private KeyPair keys;
    private byte[] message;
    private byte[] signature;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        contexts = EnginePair.Contexts.create(provider);
        connected = new EnginePair(contexts);
        connected.handshake();
        record = ByteBuffer.allocateDirect(16 * 1024);
        source = new byte[16 * 1024];
        target = new byte[16 * 1024];
        keys = dev.isthmus.identity.ca.Keys.generateP256();
        message = new byte[300];
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(keys.getPrivate());
        signer.update(message);
        signature = signer.sign();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        connected.release();
    }

    @Benchmark
    public boolean handshake() throws SSLException {
        EnginePair pair = new EnginePair(contexts);
        try {
            pair.handshake();
            return true;
        } finally {
            pair.release();
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int relay16k() throws SSLException {
        record.clear();
        return connected.transfer(record);
    }

    @Benchmark
    public boolean baselineEcdsaSignAndVerify() throws Exception {
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(keys.getPrivate());
        signer.update(message);
        signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(keys.getPublic());
        verifier.update(message);
        return verifier.verify(signature);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public byte[] baselineCopy16k() {
        System.arraycopy(source, 0, target, 0, source.length);
        return target;
    }
}
