package io.omnii.server.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the Prometheus endpoint of a server run as a process ({@link ServerProcess}). */
public final class ServerMetrics {

    private ServerMetrics() {
    }

    /** omnii_mqtt_messages_received_total{kind}: 0 before the first such message. */
    public static double receivedMessages(ServerProcess server, String kind) throws IOException, InterruptedException {
        String body = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.managementUrl() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("^omnii_mqtt_messages_received_total\\{kind=\"" + Pattern.quote(kind)
                + "\"[^}]*} ([0-9.E]+)$", Pattern.MULTILINE).matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
