package io.omnii.server.sim;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's raw subscriber on the HiveMQ MQTT client (Netty): QoS 1 with manual acknowledgement, each message
 * acknowledged as it arrives, as the Paho subscriber does; measured against Paho for issue 14's item 7.
 */
final class HiveMqRawSubscriber {

    private HiveMqRawSubscriber() {
    }

    static AutoCloseable subscribe(String host, int port, String filter, Runnable count) throws Exception {
        Mqtt3AsyncClient client = MqttClient.builder().useMqttVersion3().identifier("raw-hivemq").serverHost(host)
                .serverPort(port).buildAsync();
        client.publishes(MqttGlobalPublishFilter.ALL, publish -> {
            publish.acknowledge();
            count.run();
        }, true);
        client.connectWith().cleanSession(true).send().get(10, TimeUnit.SECONDS);
        client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send().get(10, TimeUnit.SECONDS);
        return () -> client.disconnect().get(5, TimeUnit.SECONDS);
    }
}
