package dev.isthmus.testkit.leak;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Installs the recording leak detector when the test launcher starts, before any test class can
 * touch a ByteBuf (Netty creates its detectors once, in static initialisers).
 */
public final class LeakDetectionSession implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        RecordingLeakDetectorFactory.install();
    }
}
