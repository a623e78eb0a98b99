package dev.isthmus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lines as JDK 17 writes them with the flags of {@link VmLog#flags}, and lines it must not take for events. */
class VmLogTest {

    @Test
    void readsAYoungCollectionsPause() {
        assertThat(VmLog.parse("[447ms] GC(0) Pause Young (Allocation Failure) 3M->1M(377M) 3.154ms"))
                .contains(new VmLog.Event(447, VmLog.Kind.GC_PAUSE, 3_154_000));
        assertThat(VmLog.parse("[12001ms] GC(7) Pause Full (System.gc()) 20M->9M(30M) 12.5ms"))
                .contains(new VmLog.Event(12001, VmLog.Kind.GC_PAUSE, 12_500_000));
    }

    @Test
    void readsSafepointsOtherThanCollectionsOnly() {
        assertThat(VmLog.parse("[991ms] Safepoint \"Deoptimize\", Time since last: 284012542 ns, Reaching safepoint: 3990235 ns, "
                + "Cleanup: 44757 ns, At safepoint: 7455581 ns, Total: 11490573 ns"))
                .contains(new VmLog.Event(991, VmLog.Kind.SAFEPOINT, 11_490_573));
        // A collection's safepoint is its pause, already read from the gc log.
        assertThat(VmLog.parse("[447ms] Safepoint \"GenCollectForAllocation\", Time since last: 395745192 ns, Reaching safepoint: "
                + "2133 ns, Cleanup: 56584 ns, At safepoint: 3179033 ns, Total: 3237750 ns")).isEmpty();
        assertThat(VmLog.parse("[447ms] Safepoint \"G1CollectForAllocation\", Total: 5 ns")).isEmpty();
    }

    @Test
    void readsCompilationsByTierAndCodeMadeNotEntrant() {
        assertThat(VmLog.parse("[70ms]    1       3       java.lang.Object::<init> (1 bytes)"))
                .contains(new VmLog.Event(70, VmLog.Kind.COMPILE_C1, 0));
        assertThat(VmLog.parse("[1476ms]  474       4       java.lang.CharacterDataLatin1::toLowerCase (39 bytes)"))
                .contains(new VmLog.Event(1476, VmLog.Kind.COMPILE_C2, 0));
        assertThat(VmLog.parse("[1480ms]  479   !   3       java.nio.DirectIntBufferU::get (34 bytes)"))
                .contains(new VmLog.Event(1480, VmLog.Kind.COMPILE_C1, 0));
        assertThat(VmLog.parse("[1718ms] 1082 %     4       T::main @ 4 (41 bytes)"))
                .contains(new VmLog.Event(1718, VmLog.Kind.COMPILE_C2, 0));
        assertThat(VmLog.parse("[1481ms]  466  s    3       jdk.internal.loader.Resource::cachedInputStream (20 bytes)   made not entrant"))
                .contains(new VmLog.Event(1481, VmLog.Kind.NOT_ENTRANT, 0));
    }

    @Test
    void skipsWhatIsNoCompilation() {
        // The sweeper freeing old code, and a native method's wrapper (tier 0): no compiler ran.
        assertThat(VmLog.parse("[15607ms] 3215       4       io.netty.buffer.AbstractByteBuf::ensureWritable0 (150 bytes)   made zombie"))
                .isEmpty();
        assertThat(VmLog.parse("[900ms]  997     n 0       java.lang.invoke.MethodHandle::linkToVirtual(LLL)V (native)   (static)"))
                .isEmpty();
        assertThat(VmLog.parse("[10ms] Using Serial")).isEmpty();
    }

    @Test
    void hostileOrBrokenLinesAreSkippedNotThrown() {
        List<String> hostile = List.of("", "[", "[ms]", "[-5ms] GC(0) Pause Young 1M->0M(2M) 1.0ms", "[99999999999999999999ms] x",
                "[5ms] GC(0) Pause Young 1M->0M(2M) 99999999999.0ms", "[5ms] GC(0) Pause Young 1M->0M(2M) ms",
                "[5ms] Safepoint \"Deoptimize\", Total: 9999999999999999999 ns", "[5ms] Safepoint \"unterminated, Total: 5 ns",
                "[5ms]    1       9       Foo::bar (1 bytes)", "[5ms] " + "9".repeat(100_000) + " 3 x (1 bytes)",
                "\u0000\uffff[5ms]", "[5ms]\tGC(1) Pause Young 1.0ms\u0000");
        for (String line : hostile) {
            assertThat(VmLog.parse(line)).as(line.length() > 80 ? line.substring(0, 80) : line).isEmpty();
        }
        // A strange cause is still a pause with a length; a long one must not make the pattern backtrack for ages.
        assertThat(VmLog.parse("[5ms] GC(0) Pause " + "(".repeat(50_000) + " 1.0ms"))
                .contains(new VmLog.Event(5, VmLog.Kind.GC_PAUSE, 1_000_000));
    }

    @Test
    void readsTheThreeFilesAndSummarizesAWindowOfUptime(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("west-gc.log"), String.join("\n",
                "[10ms] Using Serial",
                "[1000ms] GC(0) Pause Young (Allocation Failure) 3M->1M(30M) 2.0ms",
                "[1500ms] GC(1) Pause Young (Allocation Failure) 3M->1M(30M) 5.0ms",
                "[2500ms] GC(2) Pause Young (Allocation Failure) 3M->1M(30M) 1.0ms", ""));
        Files.writeString(dir.resolve("west-safepoint.log"), "[1200ms] Safepoint \"Deoptimize\", Total: 700000 ns\n");
        Files.write(dir.resolve("west-jit.log"), "[1100ms]   12       4       caf\u00e9::x (1 bytes)\n[1300ms] garbage \u00ff\n"
                .getBytes(StandardCharsets.ISO_8859_1));

        List<VmLog.Event> events = VmLog.read(dir, "west");

        assertThat(VmLog.summarize(events, VmLog.Kind.GC_PAUSE, 1000, 2000)).isEqualTo(new VmLog.Summary(2, 5_000_000, 7_000_000));
        assertThat(VmLog.summarize(events, VmLog.Kind.GC_PAUSE, 2000, 3000)).isEqualTo(new VmLog.Summary(1, 1_000_000, 1_000_000));
        assertThat(VmLog.summarize(events, VmLog.Kind.SAFEPOINT, 0, 5000)).isEqualTo(new VmLog.Summary(1, 700_000, 700_000));
        assertThat(VmLog.summarize(events, VmLog.Kind.COMPILE_C2, 0, 5000).count()).isEqualTo(1);
        assertThat(VmLog.read(dir, "east")).isEmpty(); // no files: no events
    }

    @Test
    void theLogFlagsNameTheFilesReadBack(@TempDir Path dir) {
        assertThat(VmLog.flags(dir, "east")).containsExactly(
                "-Xlog:gc:file=" + dir.resolve("east-gc.log") + ":uptimemillis",
                "-Xlog:safepoint:file=" + dir.resolve("east-safepoint.log") + ":uptimemillis",
                "-Xlog:jit+compilation=debug:file=" + dir.resolve("east-jit.log") + ":uptimemillis");
    }
}
