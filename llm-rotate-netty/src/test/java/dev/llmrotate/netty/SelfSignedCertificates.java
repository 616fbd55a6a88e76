package dev.llmrotate.netty;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates made for a test by the JDK's own {@code keytool} (no library that can make certificates is
 * on this module's class path, and Netty's {@code SelfSignedCertificate} is deprecated): an EC key and a certificate
 * for one DNS name, valid for two days.
 */
final class SelfSignedCertificates {
    private static final char[] PASSWORD = "test-only-keystore".toCharArray();
    private static final String ALIAS = "server";

    private SelfSignedCertificates() {}

    /** A private key and its self-signed certificate for {@code dnsName} (its CN and only subject alternative name). */
    record Identity(PrivateKey key, X509Certificate certificate) {}

    /** One identity per DNS name, in order; the {@code keytool} runs overlap. */
    static List<Identity> make(Path dir, String... dnsNames)
            throws IOException, InterruptedException, GeneralSecurityException {
        List<Path> stores = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        List<Process> processes = new ArrayList<>();
        for (String name : dnsNames) {
            Path store = dir.resolve(name + ".p12");
            Path log = dir.resolve(name + ".keytool.log");
            stores.add(store);
            logs.add(log);
            processes.add(keytool(name, store, log));
        }
        List<Identity> identities = new ArrayList<>();
        for (int i = 0; i < dnsNames.length; i++) {
            Process process = processes.get(i);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool did not end within 60 s");
            }
            if (process.exitValue() != 0) {
                throw new IOException("keytool failed (exit " + process.exitValue() + "): "
                        + Files.readString(logs.get(i), StandardCharsets.UTF_8));
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(stores.get(i))) {
                keys.load(in, PASSWORD);
            }
            identities.add(new Identity(
                    (PrivateKey) keys.getKey(ALIAS, PASSWORD), (X509Certificate) keys.getCertificate(ALIAS)));
        }
        return identities;
    }

    private static Process keytool(String dnsName, Path store, Path log) throws IOException {
        Process process = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-alias",
                        ALIAS,
                        "-dname",
                        "CN=" + dnsName,
                        "-ext",
                        "SAN=dns:" + dnsName,
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        store.toString(),
                        "-storepass",
                        new String(PASSWORD),
                        "-keypass",
                        new String(PASSWORD)))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        process.getOutputStream().close();
        return process;
    }
}
