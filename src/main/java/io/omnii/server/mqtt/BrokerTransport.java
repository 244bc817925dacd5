package io.omnii.server.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttClientSslConfigBuilder;
import com.hivemq.client.mqtt.MqttClientTransportConfig;
import com.hivemq.client.mqtt.MqttClientTransportConfigBuilder;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;

/**
 * How every connection of ours reaches the broker: plain TCP, or TLS (omnii.mqtt.tls) with the CA and optional
 * client certificate of a Quarkus TLS configuration (omnii.mqtt.tls-configuration-name, e.g. quarkus.tls.mqtt.*),
 * or the JVM's trusted CAs when none is named. The broker's certificate must name the host we dial, unless the TLS
 * configuration turns that off.
 */
@Singleton
public class BrokerTransport {

    private static final long CONNECT_TIMEOUT_SECONDS = 10;

    private final MqttConfig config;
    private final TlsConfigurationRegistry registry;
    private final Vertx vertx;

    BrokerTransport(MqttConfig config, TlsConfigurationRegistry registry, Vertx vertx) {
        this.config = config;
        this.registry = registry;
        this.vertx = vertx;
    }

    public String address() {
        return config.host() + ":" + config.port();
    }

    /** A HiveMQ client (MQTT 3.1.1) with this id, aimed at the broker over TCP or TLS. */
    public Mqtt3ClientBuilder clientBuilder(String clientId) {
        return builder(clientId).useMqttVersion3();
    }

    /** The same on MQTT 5, for a connection whose session must expire (the server's own, {@link BrokerConnection}). */
    public Mqtt5ClientBuilder mqtt5ClientBuilder(String clientId) {
        return builder(clientId).useMqttVersion5();
    }

    private MqttClientBuilder builder(String clientId) {
        MqttClientTransportConfigBuilder transport = MqttClientTransportConfig.builder()
                .serverHost(config.host()).serverPort(config.port())
                .socketConnectTimeout(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .mqttConnectTimeout(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (config.tls()) {
            transport.sslConfig(sslConfig());
        }
        return MqttClient.builder().identifier(clientId).transportConfig(transport.build());
    }

    private MqttClientSslConfig sslConfig() {
        TlsConfiguration tls = tlsConfiguration();
        MqttClientSslConfigBuilder ssl = MqttClientSslConfig.builder();
        if (tls == null) {
            return ssl.build(); // the JVM's trusted CAs, the host name checked
        }
        try {
            if (tls.getTrustStoreOptions() != null) {
                ssl.trustManagerFactory(tls.getTrustStoreOptions().getTrustManagerFactory(vertx));
            }
            if (tls.getKeyStoreOptions() != null) {
                ssl.keyManagerFactory(tls.getKeyStoreOptions().getKeyManagerFactory(vertx));
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up TLS for the MQTT broker: " + e.getMessage(), e);
        }
        if (!verifiesHostname(tls)) {
            ssl.hostnameVerifier((host, session) -> true);
        }
        return ssl.build();
    }

    private TlsConfiguration tlsConfiguration() {
        return config.tlsConfigurationName()
                .map(name -> registry.get(name).orElseThrow(() -> new IllegalStateException(
                        "omnii.mqtt.tls-configuration-name names no TLS configuration: quarkus.tls." + name + ".*")))
                .orElse(null);
    }

    private static boolean verifiesHostname(TlsConfiguration tls) {
        return tls.getHostnameVerificationAlgorithm().map(a -> !a.equalsIgnoreCase("NONE")).orElse(true);
    }
}
