package dev.isthmus.cli.multicluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** Which API server addresses {@code link} warns about: those a pod of another cluster can never reach. */
class LinkLoopbackTest {

    @Test
    void loopbackLiteralsAndLocalhostAreLoopback() {
        for (String server : new String[] {"https://127.0.0.1:6443", "https://127.43.2.1:443", "https://localhost:32768",
            "https://LOCALHOST:1", "https://api.localhost:6443", "https://[::1]:6443", "https://[0:0:0:0:0:0:0:1]:6443"}) {
            assertThat(LinkCommand.loopback(URI.create(server))).as(server).isTrue();
        }
    }

    @Test
    void otherAddressesAndLookAlikeNamesAreNot() {
        for (String server : new String[] {"https://172.18.0.2:6443", "https://east.example:6443", "https://127.0.0.1.nip.io:6443",
            "https://127.evil.example:6443", "https://localhost.example:6443", "https://[fe80::1]:6443", "https://1270.0.0.1:6443"}) {
            assertThat(LinkCommand.loopback(URI.create(server))).as(server).isFalse();
        }
    }
}
