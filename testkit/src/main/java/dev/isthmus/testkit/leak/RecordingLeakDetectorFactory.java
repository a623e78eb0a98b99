package dev.isthmus.testkit.leak;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes Netty's leak reports visible to tests: every leak a detector reports is kept here, so
 * {@link LeakCheckExtension} can fail the test class that caused it instead of only logging it.
 */
public final class RecordingLeakDetectorFactory extends ResourceLeakDetectorFactory {

    private static final List<String> leaks = new ArrayList<>();

    /** Installs the factory; must run before the first ByteBuf class is initialised. */
    static void install() {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingLeakDetectorFactory());
    }

    /** Returns and forgets the leaks reported so far. */
    static synchronized List<String> drain() {
        List<String> copy = List.copyOf(leaks);
        leaks.clear();
        return copy;
    }

    private static synchronized void record(String report) {
        leaks.add(report);
    }

    /** Still abstract in Netty 4.2, though deprecated: the two-argument form below is the one Netty calls. */
    @Override
    @Deprecated
    @SuppressWarnings("deprecation")
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
        return newResourceLeakDetector(resource, samplingInterval);
    }

    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
        return new ResourceLeakDetector<>(resource, samplingInterval) {
            @Override
            protected void reportTracedLeak(String resourceType, String records) {
                record("LEAK of " + resourceType + ":" + records);
                super.reportTracedLeak(resourceType, records);
            }

            @Override
            protected void reportUntracedLeak(String resourceType) {
                record("LEAK of " + resourceType + " (no records)");
                super.reportUntracedLeak(resourceType);
            }
        };
    }
}
