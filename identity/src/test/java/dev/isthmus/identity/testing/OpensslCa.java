package dev.isthmus.identity.testing;

/**
 * CA certificates made with plain {@code openssl} commands, the way an operator makes them by hand,
 * so tests can check that Isthmus accepts a trust anchor and issuer it did not create. Each method
 * writes {@code <name>.key} and {@code <name>.crt} into the runner's folder.
 */
public final class OpensslCa {

    /** The extensions of an intermediate CA that may sign only leaves. */
    public static final String ISSUER_EXTENSIONS = """
            basicConstraints=critical,CA:TRUE,pathlen:0
            keyUsage=critical,keyCertSign,cRLSign
            subjectKeyIdentifier=hash
            authorityKeyIdentifier=keyid:always
            """;

    private OpensslCa() {}

    /** A self-signed EC P-256 root; its key in the SEC1 form {@code openssl ecparam -genkey} writes. */
    public static void ecRoot(Openssl openssl, String name, int days) {
        openssl.run("ecparam", "-genkey", "-name", "prime256v1", "-out", name + ".key");
        selfSign(openssl, name, days);
    }

    /** A self-signed RSA 2048 root, PKCS#8 key. */
    public static void rsaRoot(Openssl openssl, String name, int days) {
        openssl.run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", name + ".key");
        selfSign(openssl, name, days);
    }

    /** An intermediate CA with {@link #ISSUER_EXTENSIONS}, EC P-256 PKCS#8 key, signed by {@code parent}. */
    public static void issuer(Openssl openssl, String name, String parent, int days) {
        signed(openssl, name, parent, days, ISSUER_EXTENSIONS);
    }

    /** A certificate for a new EC P-256 key with the given {@code -extfile} extensions, signed by {@code parent}. */
    public static void signed(Openssl openssl, String name, String parent, int days, String extensions) {
        openssl.run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name + ".key");
        openssl.run("req", "-new", "-key", name + ".key", "-subj", "/CN=" + name, "-out", name + ".csr");
        openssl.write(name + ".ext", extensions);
        openssl.run("x509", "-req", "-in", name + ".csr", "-CA", parent + ".crt", "-CAkey", parent + ".key",
                "-CAcreateserial", "-days", Integer.toString(days), "-extfile", name + ".ext", "-out", name + ".crt");
    }

    private static void selfSign(Openssl openssl, String name, int days) {
        openssl.run("req", "-x509", "-new", "-key", name + ".key", "-subj", "/CN=" + name, "-days", Integer.toString(days),
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-out", name + ".crt");
    }
}
