package io.omnii.server.sim;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal MQTT 3.1.1 client for load generation: clean session, QoS 1 publishes pipelined up to a window of
 * unacknowledged messages, QoS 1 subscriptions acknowledged on receipt. It writes packets into one buffer and flushes
 * when the caller pauses or the window is full, so a load generator sharing two cores with the broker, PostgreSQL and
 * the server spends as little CPU per message as possible (a Paho client costs several times more).
 *
 * <p>Not a general client: no QoS 2, no TLS, no reconnect; a lost connection ends it ({@link #failure()}).
 */
public final class LeanMqtt implements AutoCloseable {

    /** What a subscription receives. Called on the connection's reader thread. */
    @FunctionalInterface
    public interface Handler {
        void message(String topic, byte[] payload);
    }

    private static final int KEEP_ALIVE_SECONDS = 60;

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final int windowSize;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final ScheduledExecutorService pinger;
    private final Object writeLock = new Object();
    private volatile Handler handler = (t, p) -> { };
    private volatile Throwable failure;
    private volatile boolean closing;
    private int nextId = 1;

    private LeanMqtt(Socket socket, int window) throws IOException {
        this.socket = socket;
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.windowSize = window;
        this.pinger = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "mqtt-ping"));
    }

    /** Connects with a clean session; {@code window} is the most QoS 1 publishes awaiting their PUBACK. */
    public static LeanMqtt connect(String host, int port, String clientId, int window) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 10_000);
        LeanMqtt client = new LeanMqtt(socket, window);
        client.handshake(clientId);
        return client;
    }

    private void handshake(String clientId) throws IOException {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        Packet p = new Packet(0x10);
        p.string("MQTT".getBytes(StandardCharsets.US_ASCII)).u8(4).u8(0x02).u16(KEEP_ALIVE_SECONDS).string(id);
        synchronized (writeLock) {
            p.writeTo(out);
            out.flush();
        }
        socket.setSoTimeout(10_000);
        int type = in.readUnsignedByte();
        int length = readLength();
        byte[] body = in.readNBytes(length);
        if (type != 0x20 || length != 2 || body[1] != 0) {
            throw new IOException("broker refused the connection (CONNACK " + (body.length > 1 ? body[1] : -1) + ")");
        }
        socket.setSoTimeout(0);
        Thread reader = daemon(this::read, "mqtt-read-" + clientId);
        reader.start();
        pinger.scheduleAtFixedRate(this::ping, KEEP_ALIVE_SECONDS / 2, KEEP_ALIVE_SECONDS / 2, TimeUnit.SECONDS);
    }

    /** Where received messages go; set before subscribing. */
    public void onMessage(Handler handler) {
        this.handler = handler;
    }

    /** Subscribes to the filters at QoS 1 (the SUBACK is not awaited: messages come after it in any case). */
    public void subscribe(String... filters) throws IOException {
        Packet p = new Packet(0x82);
        synchronized (writeLock) {
            p.u16(takeId());
            for (String f : filters) {
                p.string(f.getBytes(StandardCharsets.UTF_8)).u8(1);
            }
            p.writeTo(out);
            out.flush();
        }
    }

    /**
     * Queues a QoS 1 PUBLISH. Blocks while the window of unacknowledged messages is full (flushing first, so the
     * broker sees what it is to acknowledge). Call {@link #flush()} when a burst ends.
     */
    public void publish(String topic, byte[] payload) throws IOException, InterruptedException {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        if (published.get() - acked.get() >= windowSize) {
            // Full: flush, then sleep in short naps until half the window is free. The reader never wakes us, so
            // a stream of PUBACKs costs no thread switch each.
            flush();
            while (published.get() - acked.get() > windowSize / 2) {
                checkAlive();
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            }
        }
        published.incrementAndGet();
        synchronized (writeLock) {
            int id = takeId();
            int remaining = 2 + t.length + 2 + payload.length;
            out.write(0x32);
            writeLength(out, remaining);
            out.write(t.length >> 8);
            out.write(t.length);
            out.write(t);
            out.write(id >> 8);
            out.write(id);
            out.write(payload);
        }
    }

    public void flush() throws IOException {
        checkAlive();
        synchronized (writeLock) {
            out.flush();
        }
    }

    /** QoS 1 publishes the broker has acknowledged. */
    public long acked() {
        return acked.get();
    }

    /** Waits until every publish so far is acknowledged. */
    public void awaitAcked(long published, long timeoutMillis) throws IOException, InterruptedException {
        flush();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (acked.get() < published) {
            checkAlive();
            if (System.currentTimeMillis() > deadline) {
                throw new IOException("the broker acknowledged " + acked.get() + " of " + published + " publishes");
            }
            Thread.sleep(2);
        }
    }

    public Throwable failure() {
        return failure;
    }

    private void checkAlive() throws IOException {
        if (failure != null) {
            throw new IOException("MQTT connection lost", failure);
        }
    }

    // Called with writeLock held. Ids cycle through 1..65535; the window (far smaller) keeps an id from being reused
    // while its message is unacknowledged, since the broker acknowledges in order.
    private int takeId() {
        int id = nextId;
        nextId = nextId == 65_535 ? 1 : nextId + 1;
        return id;
    }

    private void read() {
        try {
            while (true) {
                int type = in.readUnsignedByte();
                int length = readLength();
                switch (type >> 4) {
                    case 3 -> received(type, length);
                    case 4 -> { // PUBACK
                        in.skipNBytes(length);
                        acked.incrementAndGet();
                    }
                    case 9 -> { // SUBACK
                        in.readUnsignedShort();
                        byte[] codes = in.readNBytes(length - 2);
                        for (byte c : codes) {
                            if ((c & 0x80) != 0) {
                                throw new IOException("subscription refused");
                            }
                        }
                    }
                    default -> in.skipNBytes(length);
                }
            }
        } catch (Throwable e) {
            if (!closing) {
                failure = e instanceof EOFException ? new IOException("the broker closed the connection") : e;
            }
        }
    }

    private void received(int type, int length) throws IOException {
        int qos = (type >> 1) & 3;
        int topicLength = in.readUnsignedShort();
        byte[] topic = in.readNBytes(topicLength);
        int id = qos > 0 ? in.readUnsignedShort() : 0;
        byte[] payload = in.readNBytes(length - 2 - topicLength - (qos > 0 ? 2 : 0));
        handler.message(new String(topic, StandardCharsets.UTF_8), payload);
        if (qos == 1) {
            synchronized (writeLock) {
                out.write(0x40);
                out.write(2);
                out.write(id >> 8);
                out.write(id);
                // PUBACKs go out in bursts: flush once the messages already read are handled.
                if (in.available() == 0) {
                    out.flush();
                }
            }
        }
    }

    private void ping() {
        synchronized (writeLock) {
            try {
                out.write(0xC0);
                out.write(0);
                out.flush();
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    private int readLength() throws IOException {
        int value = 0;
        for (int shift = 0; shift < 28; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("malformed remaining length");
    }

    private static void writeLength(OutputStream out, int length) throws IOException {
        do {
            int b = length & 0x7F;
            length >>>= 7;
            out.write(length > 0 ? b | 0x80 : b);
        } while (length > 0);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        closing = true;
        pinger.shutdownNow();
        try {
            synchronized (writeLock) {
                out.write(0xE0);
                out.write(0);
                out.flush();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed
        }
    }

    /** A packet being built: fixed header type, then the body. */
    private static final class Packet {
        private final int type;
        private final java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();

        Packet(int type) {
            this.type = type;
        }

        Packet u8(int v) {
            body.write(v);
            return this;
        }

        Packet u16(int v) {
            body.write(v >> 8);
            body.write(v);
            return this;
        }

        Packet string(byte[] s) {
            u16(s.length);
            body.writeBytes(s);
            return this;
        }

        void writeTo(OutputStream out) throws IOException {
            out.write(type);
            writeLength(out, body.size());
            body.writeTo(out);
        }
    }
}
