package io.omnii.server.console;

import io.omnii.server.testsupport.People;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** The console's live stream (GET /console/events) read as a signed-in browser would, with a plain HTTP client. */
final class LiveStream implements AutoCloseable {

    /** One server-sent event. */
    record Event(String name, String data) {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile Stream<String> lines;

    private LiveStream(URL server, People.Session session) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.toString().replaceAll("/$", "")
                + "/console/events")).header("Cookie", "omnii_session=" + session.cookie())
                .header("Accept", "text/event-stream").build();
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /console/events answered " + response.statusCode());
        }
        lines = response.body();
        reader = new Thread(this::read, "live-stream-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static LiveStream open(URL server, People.Session session) throws Exception {
        return new LiveStream(server, session);
    }

    private void read() {
        String[] name = { null };
        try {
            lines.forEach(line -> {
                if (line.startsWith("event:")) {
                    name[0] = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    events.add(new Event(name[0], line.substring(5).strip()));
                    name[0] = null;
                }
            });
        } catch (RuntimeException closed) {
            // the stream was closed by the test
        }
    }

    /** Every event until one matches (returned last), or fails after the timeout. */
    List<Event> until(Predicate<Event> wanted, Duration timeout) throws InterruptedException {
        List<Event> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Event e = events.poll(100, TimeUnit.MILLISECONDS);
            if (e != null) {
                seen.add(e);
                if (wanted.test(e)) {
                    return seen;
                }
            }
        }
        throw new AssertionError("No such event within " + timeout + "; heard " + seen);
    }

    /** Every event heard within {@code time}. */
    List<Event> during(Duration time) throws InterruptedException {
        List<Event> seen = new ArrayList<>();
        long deadline = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < deadline) {
            Event e = events.poll(50, TimeUnit.MILLISECONDS);
            if (e != null) {
                seen.add(e);
            }
        }
        return seen;
    }

    @Override
    public void close() {
        lines.close();
        reader.interrupt();
    }
}
