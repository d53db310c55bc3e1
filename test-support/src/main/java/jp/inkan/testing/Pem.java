package jp.inkan.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

/** PEM certificates in and out of files for the real tools. */
public final class Pem {

    private Pem() {
    }

    public static X509Certificate certificate(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes()));
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    public static List<X509Certificate> certificates(String pem) {
        try {
            return (List<X509Certificate>) CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes()));
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path write(Path dir, String name, String pem) {
        try {
            Path file = dir.resolve(name);
            Files.writeString(file, pem);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
