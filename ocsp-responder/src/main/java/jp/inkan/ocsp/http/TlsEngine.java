package jp.inkan.ocsp.http;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jp.inkan.ocsp.config.OcspConfig;
import org.jboss.logging.Logger;

/**
 * The TLS engine of the relying parties' HTTPS listener. With keep-alive connections the cost of
 * an mtls answer is mostly record encryption; the JDK engine re-initialises its AES-GCM cipher for
 * every record, BoringSSL (netty-tcnative) does not. {@code inkan.ocsp.tls-engine=openssl} (the
 * default) uses BoringSSL where its native library loads, else the JDK's, and says which.
 */
@ApplicationScoped
public class TlsEngine implements HttpServerOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(TlsEngine.class);

    private final OcspConfig.Engine engine;

    @Inject
    public TlsEngine(OcspConfig config) {
        this(config.tlsEngine());
    }

    TlsEngine(OcspConfig.Engine engine) {
        this.engine = engine;
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        if (engine == OcspConfig.Engine.OPENSSL && OpenSSLEngineOptions.isAvailable()) {
            options.setSslEngineOptions(new OpenSSLEngineOptions().setSessionCacheEnabled(true));
            LOG.infof("HTTPS listener: OpenSSL engine (%s)", io.netty.handler.ssl.OpenSsl.versionString());
        } else {
            LOG.infof("HTTPS listener: JDK TLS engine%s", engine == OcspConfig.Engine.OPENSSL
                    ? " (OpenSSL not available: " + io.netty.handler.ssl.OpenSsl.unavailabilityCause() + ")" : "");
        }
    }
}
