package dev.isthmus.testkit.kube;

import java.security.KeyPair;
import java.security.cert.X509Certificate;

/** A certificate together with the key pair it certifies. */
record CertifiedKey(X509Certificate certificate, KeyPair keyPair) {

    String certificatePem() {
        return Pem.certificate(certificate);
    }

    String privateKeyPem() {
        return Pem.ecPrivateKey(keyPair);
    }
}
