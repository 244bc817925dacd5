package io.omnii.server.mqtt;

import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.inject.Singleton;
import javax.net.ssl.SSLContext;
import io.quarkus.logging.Log;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * How every connection of ours reaches the broker: plain TCP, or TLS (omnii.mqtt.tls) with the CA and optional
 * client certificate of a Quarkus TLS configuration (omnii.mqtt.tls-configuration-name, e.g. quarkus.tls.mqtt.*),
 * or the JVM's trusted CAs when none is named.
 */
@Singleton
public class BrokerTransport {

    private final MqttConfig config;
    private final TlsConfigurationRegistry registry;

    BrokerTransport(MqttConfig config, TlsConfigurationRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    public String address() {
        return config.host() + ":" + config.port();
    }

    /** The Paho server URI: ssl:// with TLS, tcp:// without. */
    public String uri() {
        return (config.tls() ? "ssl://" : "tcp://") + address();
    }

    /** Sets the socket factory and hostname verification for TLS; buffered reads for plain TCP. */
    public void apply(MqttConnectOptions options) {
        if (!config.tls()) {
            options.setSocketFactory(BufferedSocketFactory.INSTANCE);
            return;
        }
        TlsConfiguration tls = config.tlsConfigurationName()
                .map(name -> registry.get(name).orElseThrow(() -> new IllegalStateException(
                        "omnii.mqtt.tls-configuration-name names no TLS configuration: quarkus.tls." + name + ".*")))
                .orElse(null);
        try {
            SSLContext context = tls == null ? SSLContext.getDefault() : tls.createSSLContext();
            options.setSocketFactory(context.getSocketFactory());
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up TLS for the MQTT broker: " + e.getMessage(), e);
        }
        // The broker's certificate must name the host we dial, unless the TLS configuration turns that off.
        options.setHttpsHostnameVerificationEnabled(tls == null || tls.getHostnameVerificationAlgorithm()
                .map(a -> !a.equalsIgnoreCase("NONE")).orElse(true));
    }

    /** Disconnects (briefly waiting) and closes a client at shutdown; failures there change nothing. */
    public static void close(MqttAsyncClient client) {
        if (client == null) {
            return;
        }
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(2_000);
            }
            client.close();
        } catch (MqttException e) {
            Log.debugf("Closing an MQTT client: %s", e.getMessage());
        }
    }
}
