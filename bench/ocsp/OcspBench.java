import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The OCSP benchmark's Java side (bench/ocsp-responder.sh runs it; wrk, nginx and openssl do the
 * load). Talks to the running system only through its public interfaces: registration-service's
 * API as a municipality (mTLS), ca-service's internal API as the ocsp-responder client (for the
 * reference openssl responder's certificate), and the responder's OCSP GET endpoint.
 *
 * <pre>
 *   prepare DIR CERTS      issue CERTS certificates (CERTS/2 card applications), write OCSP GET
 *                          paths, the responder's DER answers for nginx, and openssl's index + signer
 *   propagation DIR N C    revoke N certificates through the revocation API with C workers; for each,
 *                          time from the API's 200 to the first OCSP answer saying revoked
 * </pre>
 */
public class OcspBench {

    static final String MUNICIPALITY = "131016";
    static Path pki;
    static String registrationUrl;
    static String caUrl;
    static String ocspUrl;

    public static void main(String[] args) throws Exception {
        pki = Path.of(System.getenv("INKAN_PKI_DIR"));
        registrationUrl = env("REG_URL", "https://localhost:8080");
        caUrl = env("CA_URL", "https://localhost:8081");
        ocspUrl = env("OCSP_URL", "http://127.0.0.1:8082/ocsp");
        Path dir = Path.of(args[1]);
        switch (args[0]) {
            case "prepare" -> prepare(dir, Integer.parseInt(args[2]));
            case "propagation" -> propagation(dir, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    // ---- prepare ------------------------------------------------------------------------------

    record Issued(String ca, String serial, X509Certificate certificate) {
    }

    static void prepare(Path dir, int certificates) throws Exception {
        Files.createDirectories(dir.resolve("nginx/r"));
        HttpClient municipality = client("municipalities/" + MUNICIPALITY + ".p12");
        HttpClient registration = client("registration-service.p12");
        List<X509Certificate> roots = new ArrayList<>();
        for (String ca : List.of("signature", "authentication")) {
            roots.addAll(certificates(get(registration, caUrl + "/internal/v1/cas/" + ca + "/roots.pem")));
        }

        long started = System.nanoTime();
        List<Issued> issued = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> work = new ArrayList<>();
        for (int i = 0; i < certificates / 2; i++) {
            work.add(pool.submit(() -> {
                issued.addAll(apply(municipality));
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
        pool.shutdown();
        System.out.printf("issued %d certificates in %.1f s%n", issued.size(), (System.nanoTime() - started) / 1e9);

        // Propagation uses every certificate; throughput the signature CA's (openssl answers for one CA).
        List<String> propagation = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        List<String> nginxPaths = new ArrayList<>();
        StringBuilder index = new StringBuilder();
        HttpClient plain = HttpClient.newHttpClient();
        X509Certificate signatureRoot = null;
        int n = 0;
        for (Issued c : issued) {
            X509Certificate root = issuerOf(c.certificate(), roots);
            String path = getPath(root, c.certificate());
            propagation.add(c.ca() + " " + c.serial() + " " + path);
            if (!c.ca().equals("SIGNATURE")) {
                continue;
            }
            signatureRoot = root;
            paths.add("/ocsp/" + path);
            HttpResponse<byte[]> answer = plain.send(HttpRequest.newBuilder(URI.create(ocspUrl + "/" + path)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (answer.statusCode() != 200 || status(answer.body()) != Status.GOOD) {
                throw new IllegalStateException("responder did not answer good for " + c.serial());
            }
            Files.write(dir.resolve("nginx/r/" + n + ".der"), answer.body());
            nginxPaths.add("/r/" + n + ".der");
            n++;
            index.append("V\t").append(DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")
                            .format(c.certificate().getNotAfter().toInstant().atOffset(ZoneOffset.UTC)))
                    .append("\t\t").append(c.serial().toUpperCase(Locale.ROOT)).append("\tunknown\t")
                    .append(c.certificate().getSubjectX500Principal().getName()).append('\n');
        }
        Files.write(dir.resolve("propagation.txt"), propagation);
        Files.write(dir.resolve("paths.txt"), paths);
        Files.write(dir.resolve("nginx-paths.txt"), nginxPaths);
        Files.writeString(dir.resolve("index.txt"), index);
        Files.writeString(dir.resolve("index.txt.attr"), "unique_subject = no\n");
        Files.writeString(dir.resolve("signature-root.pem"), pem(signatureRoot));
        referenceSigner(dir, signatureRoot);
        System.out.printf("wrote %d OCSP GET paths (signature CA), %d for propagation%n", paths.size(),
                propagation.size());
    }

    /** One card application with both certificates: two fresh RSA 2048 keys, as a card would make. */
    static List<Issued> apply(HttpClient municipality) throws Exception {
        String sig = csr();
        String auth = csr();
        LocalDate today = LocalDate.now(ZoneId.of("Asia/Tokyo"));
        String resident = String.format("%011d", ThreadLocalRandom.current().nextLong(100_000_000_000L));
        String body = """
                {"residentRecordCode":"%s","cardSerial":"BENCH%d","cardExpiry":"%s","counterId":"B01",
                 "identityDocument":"MY_NUMBER_CARD",
                 "holder":{"name":"山田\u3000太郎","dateOfBirth":"%s","sex":1,"address":"東京都千代田区千代田１－１",
                           "adultWard":false},
                 "csrs":{"signature":"%s","authentication":"%s"}}""".formatted(resident,
                ThreadLocalRandom.current().nextLong(1L << 40), today.plusYears(10), today.minusYears(40),
                sig.replace("\n", "\\n"), auth.replace("\n", "\\n"));
        HttpResponse<String> r = municipality.send(HttpRequest.newBuilder(URI.create(registrationUrl + "/api/v1/applications"))
                .header("Content-Type", "application/json").header("Idempotency-Key", "bench-" + System.nanoTime()
                        + "-" + ThreadLocalRandom.current().nextInt())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("application refused: " + r.statusCode() + " " + r.body());
        }
        List<Issued> out = new ArrayList<>();
        for (String type : List.of("SIGNATURE", "AUTHENTICATION")) {
            String serial = field(r.body(), type, "serial");
            String pem = field(r.body(), type, "pem").replace("\\n", "\n");
            out.add(new Issued(type, serial, certificates(pem).get(0)));
        }
        return out;
    }

    /** A delegated responder certificate for openssl's reference responder, from ca-service like ours. */
    static void referenceSigner(Path dir, X509Certificate root) throws Exception {
        KeyPair key = rsaKey();
        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(
                new X500Principal("CN=openssl reference responder"), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate()));
        String generation = "1";
        String body = "{\"ca\":\"SIGNATURE\",\"keyGeneration\":" + generation + ",\"csrPem\":\""
                + pem(csr).replace("\n", "\\n") + "\"}";
        HttpResponse<String> r = client("ocsp-responder.p12").send(HttpRequest.newBuilder(
                        URI.create(caUrl + "/internal/v1/responder-certificates")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("responder certificate refused: " + r.statusCode() + " " + r.body());
        }
        String cert = r.body().replaceAll("(?s).*\"certificatePem\"\\s*:\\s*\"([^\"]*)\".*", "$1").replace("\\n", "\n");
        Files.writeString(dir.resolve("rsigner.pem"), cert);
        Files.writeString(dir.resolve("rkey.pem"), pem(key.getPrivate()));
    }

    // ---- propagation --------------------------------------------------------------------------

    static void propagation(Path dir, int count, int workers) throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("propagation.txt"));
        if (lines.size() < count) {
            throw new IllegalStateException("only " + lines.size() + " certificates prepared, " + count + " asked");
        }
        HttpClient municipality = client("municipalities/" + MUNICIPALITY + ".p12");
        HttpClient ocsp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long[] millis = new long[count];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        List<Future<?>> work = new ArrayList<>();
        long started = System.nanoTime();
        for (int w = 0; w < workers; w++) {
            work.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    String[] f = lines.get(i).split(" ");
                    HttpResponse<String> revoked = municipality.send(HttpRequest.newBuilder(URI.create(registrationUrl
                                    + "/api/v1/certificates/" + f[1] + "/revocation?ca=" + f[0].toLowerCase(Locale.ROOT)))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"keyCompromise\"}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    long acknowledged = System.nanoTime();
                    if (revoked.statusCode() != 200) {
                        throw new IllegalStateException("revocation refused: " + revoked.statusCode() + " " + revoked.body());
                    }
                    long deadline = acknowledged + Duration.ofSeconds(10).toNanos();
                    while (true) {
                        HttpResponse<byte[]> answer = ocsp.send(HttpRequest.newBuilder(URI.create(ocspUrl + "/" + f[2]))
                                .build(), HttpResponse.BodyHandlers.ofByteArray());
                        if (status(answer.body()) == Status.REVOKED) {
                            millis[i] = (System.nanoTime() - acknowledged) / 1_000_000;
                            break;
                        }
                        if (System.nanoTime() > deadline) {
                            millis[i] = -1;
                            failures.incrementAndGet();
                            break;
                        }
                        Thread.sleep(2);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - started) / 1e9;
        long[] ok = Arrays.stream(millis).filter(m -> m >= 0).sorted().toArray();
        System.out.printf("revocations=%d workers=%d failures=%d (no revoked answer within 10 s) seconds=%.1f%n",
                count, workers, failures.get(), seconds);
        System.out.printf("propagation_ms p50=%d p90=%d p99=%d max=%d%n", percentile(ok, 50), percentile(ok, 90),
                percentile(ok, 99), ok.length == 0 ? -1 : ok[ok.length - 1]);
    }

    static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    // ---- OCSP ---------------------------------------------------------------------------------

    enum Status { GOOD, REVOKED, OTHER }

    static Status status(byte[] der) {
        try {
            OCSPResp response = new OCSPResp(der);
            if (response.getStatus() != OCSPResp.SUCCESSFUL) {
                return Status.OTHER;
            }
            Object status = ((BasicOCSPResp) response.getResponseObject()).getResponses()[0].getCertStatus();
            return status == null ? Status.GOOD : status instanceof RevokedStatus ? Status.REVOKED : Status.OTHER;
        } catch (Exception e) {
            return Status.OTHER;
        }
    }

    /** RFC 5019 GET path: base64 of the DER request (no nonce), URL-encoded. */
    static String getPath(X509Certificate issuer, X509Certificate leaf) throws Exception {
        CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build()
                .get(CertificateID.HASH_SHA1), new JcaX509CertificateHolder(issuer), leaf.getSerialNumber());
        byte[] request = new OCSPReqBuilder().addRequest(id).build().getEncoded();
        return URLEncoder.encode(Base64.getEncoder().encodeToString(request), StandardCharsets.US_ASCII);
    }

    static X509Certificate issuerOf(X509Certificate leaf, List<X509Certificate> roots) throws Exception {
        byte[] aki = AuthorityKeyIdentifier.fromExtensions(new X509CertificateHolder(leaf.getEncoded()).getExtensions())
                .getKeyIdentifierObject().getOctets();
        for (X509Certificate root : roots) {
            byte[] ski = SubjectKeyIdentifier.fromExtensions(new X509CertificateHolder(root.getEncoded())
                    .getExtensions()).getKeyIdentifier();
            if (Arrays.equals(aki, ski)) {
                return root;
            }
        }
        throw new IllegalStateException("no root for " + leaf.getSubjectX500Principal());
    }

    // ---- plumbing -----------------------------------------------------------------------------

    static String csr() throws Exception {
        KeyPair key = rsaKey();
        return pem(new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=card key"), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate())));
    }

    static KeyPair rsaKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4));
        return generator.generateKeyPair();
    }

    static String pem(Object object) throws IOException {
        java.io.StringWriter out = new java.io.StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    /** A JSON string field of the certificate of {@code type} in an application result (no JSON library here). */
    static String field(String json, String type, String name) {
        int at = json.indexOf("\"type\":\"" + type + "\"");
        int end = json.indexOf('}', at);
        String certificate = json.substring(json.lastIndexOf('{', at), end);
        int key = certificate.indexOf("\"" + name + "\":\"");
        int start = key + name.length() + 4;
        return certificate.substring(start, certificate.indexOf('"', start));
    }

    static List<X509Certificate> certificates(String pem) throws Exception {
        Collection<? extends java.security.cert.Certificate> all = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        List<X509Certificate> out = new ArrayList<>();
        all.forEach(c -> out.add((X509Certificate) c));
        return out;
    }

    static String get(HttpClient client, String url) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode());
        }
        return r.body();
    }

    static HttpClient client(String p12) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pki.resolve(p12))) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int i = 0;
        for (X509Certificate c : certificates(Files.readString(pki.resolve("service-ca.pem")))) {
            trust.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }
}
