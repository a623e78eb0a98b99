package dev.isthmus.benchmarks.load;

import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gateway's load harness, run by hand (never by the build):
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.isthmus.benchmarks.load.GatewayLoad rps|cross|handshakes|idle|warmup [--option value …]
 * </pre>
 * Each mode prints its figures and says how to read them; benchmarks/README.md has the details. Loopback only,
 * and every mode ends by itself. A run holds JMH's machine lock ({@link MachineLock}), so it never measures at
 * the same time as a JMH run.
 */
public final class GatewayLoad {

    /** Kept, so that the level set on it stays set: the gateway's per-connection INFO lines would drown the report. */
    private static final Logger GATEWAY_LOG = Logger.getLogger("dev.isthmus");

    private GatewayLoad() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            usage();
            return;
        }
        GATEWAY_LOG.setLevel(Level.WARNING);
        Invocation mode;
        try {
            mode = switch (args[0]) {
                case "rps" -> new Invocation(Options.parse(args, 1, RpsMode.OPTIONS), RpsMode::run);
                case "cross" -> new Invocation(Options.parse(args, 1, CrossMode.OPTIONS), CrossMode::run);
                case "handshakes" -> new Invocation(Options.parse(args, 1, HandshakeMode.OPTIONS), HandshakeMode::run);
                case "idle" -> new Invocation(Options.parse(args, 1, IdleMode.OPTIONS), IdleMode::run);
                case "idle-server" -> new Invocation(Options.parse(args, 1, IdleServer.OPTIONS), IdleServer::run);
                case "warmup" -> new Invocation(Options.parse(args, 1, WarmupMode.OPTIONS), WarmupMode::run);
                case "warmup-server" -> new Invocation(Options.parse(args, 1, WarmupServer.OPTIONS), WarmupServer::run);
                default -> throw new Options.UsageException("unknown mode '" + args[0]
                        + "' (expected: rps, cross, handshakes, idle or warmup)");
            };
        } catch (Options.UsageException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (!args[0].endsWith("-server")) { // the idle and warmup modes' children run under their parent's lock
            try {
                MachineLock.acquire(Duration.ofMinutes(15));
            } catch (IllegalStateException e) {
                System.err.println(e.getMessage());
                System.exit(3);
            }
        }
        try {
            mode.run();
        } catch (Options.UsageException e) { // an option whose value only the mode can check
            System.err.println(e.getMessage());
            System.exit(2);
        }
        System.exit(0); // nothing may keep the JVM alive once the report is out
    }

    private interface ModeMain {
        void run(Options options) throws Exception;
    }

    /** A mode with its options parsed (so a misspelt option fails before waiting for the lock), ready to run. */
    private record Invocation(Options options, ModeMain main) {
        void run() throws Exception {
            main.run(options);
        }
    }

    private static void usage() {
        System.out.println("""
                usage: java -cp benchmarks.jar dev.isthmus.benchmarks.load.GatewayLoad <mode> [--option value ...]

                  rps          requests/s through the gateway (HTTP/2 over mTLS in, HTTP/1.1 keep-alive out) against the
                               backend called directly, then latency at half the gateway's saturating rate
                """ + Options.describe(RpsMode.OPTIONS) + """
                  cross        requests/s of plain HTTP/1.1 clients through west's outbound listener, west -> east over
                               HTTP/2 mTLS -> backend, against the backend called directly; then latency at half that rate
                """ + Options.describe(CrossMode.OPTIONS) + """
                  handshakes   new mTLS connections per second one gateway I/O thread accepts
                """ + Options.describe(HandshakeMode.OPTIONS) + """
                  idle         resident memory of a gateway JVM holding N idle mTLS connections
                """ + Options.describe(IdleMode.OPTIONS) + """
                  warmup       the cross path with west and east in fresh JVMs (--jvm flags), loaded from the moment they
                               are ready: each second against a steady window later, with GC pauses and JIT activity
                """ + Options.describe(WarmupMode.OPTIONS));
    }
}
