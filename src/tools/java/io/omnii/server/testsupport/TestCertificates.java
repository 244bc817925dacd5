package io.omnii.server.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority with a broker certificate (for 127.0.0.1 and localhost) and a client
 * certificate, made with the openssl command line (scripts/test.sh installs it). Valid for two days.
 */
public record TestCertificates(Path caCertificate, Path serverCertificate, Path serverKey, Path clientCertificate,
        Path clientKey) {

    public static TestCertificates generate(Path directory) throws IOException, InterruptedException {
        Path dir = directory.toAbsolutePath();
        Files.createDirectories(dir);
        Path ca = dir.resolve("ca.crt");
        Path caKey = dir.resolve("ca.key");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(), "-out",
                ca.toString(), "-days", "2", "-subj", "/CN=omnii-test-ca");
        signed(dir, "server", "/CN=localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost", ca, caKey);
        signed(dir, "client", "/CN=omnii-server", "extendedKeyUsage=clientAuth", ca, caKey);
        return new TestCertificates(ca, dir.resolve("server.crt"), dir.resolve("server.key"),
                dir.resolve("client.crt"), dir.resolve("client.key"));
    }

    private static void signed(Path dir, String name, String subject, String extension, Path ca, Path caKey)
            throws IOException, InterruptedException {
        Path key = dir.resolve(name + ".key");
        Path request = dir.resolve(name + ".csr");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", request.toString(),
                "-subj", subject, "-addext", extension);
        openssl(dir, "x509", "-req", "-in", request.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", dir.resolve(name + ".crt").toString(), "-days", "2",
                "-copy_extensions", "copy");
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + output);
        }
    }
}
