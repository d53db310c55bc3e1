package jp.inkan.ocsp.http;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import jp.inkan.ocsp.config.OcspConfig;
import org.junit.jupiter.api.Test;

class TlsEngineTest {

    /** The build ships BoringSSL for linux-x86_64: if it stops loading, the mtls benchmark silently measures the JDK engine. */
    @Test
    void opensslIsTheEngineOfTheHttpsListenerWhereBoringSslLoads() {
        assertTrue(OpenSSLEngineOptions.isAvailable(), "netty-tcnative BoringSSL does not load on this machine");
        HttpServerOptions options = new HttpServerOptions();
        new TlsEngine(OcspConfig.Engine.OPENSSL).customizeHttpsServer(options);
        OpenSSLEngineOptions engine = assertInstanceOf(OpenSSLEngineOptions.class, options.getSslEngineOptions());
        assertTrue(engine.isSessionCacheEnabled());
    }

    @Test
    void jdkLeavesTheListenerOnTheJdkEngine() {
        HttpServerOptions options = new HttpServerOptions();
        new TlsEngine(OcspConfig.Engine.JDK).customizeHttpsServer(options);
        assertNull(options.getSslEngineOptions());
    }
}
