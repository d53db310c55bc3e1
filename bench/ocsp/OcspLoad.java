import java.io.FileInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A keep-alive load generator for cached OCSP GETs that can present a TLS client certificate
 * (wrk and h2load cannot), so open and mtls modes are measured by the same client in one run.
 *
 * <pre>
 *   java OcspLoad.java BASE_URL PATHS_FILE SECONDS CONNECTIONS [CLIENT_P12 TRUST_PEM]
 * </pre>
 * Each of CONNECTIONS threads sends GETs one after another over its own HttpClient (one HTTP/1.1
 * keep-alive connection), walking the paths from its own offset. Prints
 * {@code rps=… p50_us=… p99_us=… ok=… other=…}; any non-200 answer or one that is not a successful
 * OCSP response counts as {@code other}.
 */
public class OcspLoad {

    public static void main(String[] args) throws Exception {
        String base = args[0];
        List<String> paths = Files.readAllLines(Path.of(args[1]));
        int seconds = Integer.parseInt(args[2]);
        int connections = Integer.parseInt(args[3]);
        SSLContext ssl = args.length > 5 ? ssl(Path.of(args[4]), Path.of(args[5])) : SSLContext.getDefault();
        AtomicLong ok = new AtomicLong();
        AtomicLong other = new AtomicLong();
        long[][] latencies = new long[connections][];
        int[] counts = new int[connections];
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < connections; t++) {
            int id = t;
            Thread thread = new Thread(() -> {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl)
                        .connectTimeout(Duration.ofSeconds(5)).build();
                long[] mine = new long[1 << 16];
                int n = 0;
                int i = id * (paths.size() / Math.max(1, connections));
                while (System.nanoTime() < end) {
                    i = (i + 1) % paths.size();
                    long started = System.nanoTime();
                    try {
                        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(base + paths.get(i)))
                                .build(), HttpResponse.BodyHandlers.ofByteArray());
                        // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED (0 = successful), ... }
                        byte[] body = response.body();
                        boolean successful = response.statusCode() == 200 && body.length > 8 && successfulOcsp(body);
                        (successful ? ok : other).incrementAndGet();
                    } catch (Exception e) {
                        other.incrementAndGet();
                    }
                    if (n == mine.length) {
                        mine = Arrays.copyOf(mine, n * 2);
                    }
                    mine[n++] = (System.nanoTime() - started) / 1000;
                }
                latencies[id] = mine;
                counts[id] = n;
            });
            threads.add(thread);
        }
        long started = System.nanoTime();
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int k = 0;
        for (int t = 0; t < connections; t++) {
            System.arraycopy(latencies[t], 0, all, k, counts[t]);
            k += counts[t];
        }
        Arrays.sort(all);
        System.out.printf("rps=%.0f p50_us=%d p99_us=%d ok=%d other=%d%n", ok.get() / elapsed,
                total == 0 ? 0 : all[total / 2], total == 0 ? 0 : all[(int) (total * 0.99)], ok.get(), other.get());
    }

    /** responseStatus of a DER OCSPResponse (short or long form outer length). */
    static boolean successfulOcsp(byte[] der) {
        int i = 1;
        i += (der[i] & 0x80) == 0 ? 1 : 1 + (der[i] & 0x7f);
        return der[i] == 0x0a && der[i + 1] == 1 && der[i + 2] == 0;
    }

    static SSLContext ssl(Path p12, Path trust) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(p12.toFile())) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (FileInputStream in = new FileInputStream(trust.toFile())) {
            trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }
}
