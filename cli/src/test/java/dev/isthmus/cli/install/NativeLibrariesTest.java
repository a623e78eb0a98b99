package dev.isthmus.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Dockerfile's base images are multi-arch, so the image is built for the machine that builds it: linux-x86_64
 * or linux-aarch_64 (an arm64 laptop, a Graviton or Ampere node). The CLI's runtime class path, which the image's
 * {@code lib/} holds, carries Netty's native libraries for both; without them an arm64 gateway would fall back to the
 * JDK's TLS (no post-quantum key exchange on Java 17) and to NIO. Only the x86_64 ones load on this machine: the
 * aarch64 ones are checked to be there, not run.
 */
class NativeLibrariesTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "META-INF/native/libnetty_tcnative_linux_x86_64.so",
        "META-INF/native/libnetty_tcnative_linux_aarch_64.so",
        "META-INF/native/libnetty_transport_native_epoll_x86_64.so",
        "META-INF/native/libnetty_transport_native_epoll_aarch_64.so",
    })
    void theRuntimeClassPathCarriesNettysNativeLibraryForEachLinuxArchitecture(String library) {
        assertThat(getClass().getClassLoader().getResource(library)).as(library).isNotNull();
    }
}
