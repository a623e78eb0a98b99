package dev.isthmus.testkit.leak;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

/** The leak check must see a leak, or "no leaks" would prove nothing. */
class LeakCheckExtensionTest {

    @Test
    void testJvmsRunWithParanoidLeakDetection() {
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    }

    @Test
    void aBufferDroppedWithoutReleaseIsReported() throws InterruptedException {
        leakOneBuffer();

        assertThat(LeakCheckExtension.collect()).anySatisfy(report -> assertThat(report).contains("LEAK of ByteBuf"));
        assertThat(LeakCheckExtension.collect()).isEmpty(); // reported once, then forgotten
    }

    @Test
    void releasedBuffersAreNotReported() throws InterruptedException {
        ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer(16);
        buffer.writeLong(1);
        buffer.release();

        assertThat(LeakCheckExtension.collect()).isEmpty();
    }

    private static void leakOneBuffer() {
        ByteBuf leaked = ByteBufAllocator.DEFAULT.directBuffer(32);
        leaked.writeInt(42);
    }
}
