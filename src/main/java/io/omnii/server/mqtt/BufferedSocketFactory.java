package io.omnii.server.mqtt;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.BufferedOutputStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain TCP sockets that read and write in bulk.
 *
 * <p>Reads: Paho reads each packet straight from the socket: a read for the type byte, one per byte of the length,
 * one for the rest, so three or more system calls per message. Through a 64 KiB buffer, one read takes in whatever
 * the broker has sent, hundreds of messages at a time under load.
 *
 * <p>Writes: Paho writes and flushes every packet on its own, so each PUBACK of an ingested message is a system call
 * and a TCP segment the broker must wake up for. Here a flush only schedules the real one, at most
 * {@value #FLUSH_DELAY_MICROS} µs later: the PUBACKs of a whole batch leave together. A PUBACK or a command waits at
 * most that long. (A TLS socket already reads and writes whole records.)
 */
final class BufferedSocketFactory extends SocketFactory {

    static final BufferedSocketFactory INSTANCE = new BufferedSocketFactory();

    private static final int BUFFER_BYTES = 64 * 1024;
    private static final long FLUSH_DELAY_MICROS = 500;
    private static final ScheduledExecutorService FLUSHER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "omnii-mqtt-flush");
        t.setDaemon(true);
        return t;
    });

    private BufferedSocketFactory() {
    }

    @Override
    public Socket createSocket() {
        return new BufferedSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(host == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host), port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket s = new BufferedSocket();
        s.bind(new java.net.InetSocketAddress(localHost, localPort));
        s.connect(new java.net.InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Socket s = new BufferedSocket();
        s.bind(new java.net.InetSocketAddress(localAddress, localPort));
        s.connect(new java.net.InetSocketAddress(address, port));
        return s;
    }

    private static Socket connected(InetAddress host, int port) throws IOException {
        Socket s = new BufferedSocket();
        s.connect(new java.net.InetSocketAddress(host, port));
        return s;
    }

    private static final class BufferedSocket extends Socket {

        private InputStream in;
        private OutputStream out;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new BufferedInputStream(super.getInputStream(), BUFFER_BYTES);
            }
            return in;
        }

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (out == null) {
                out = new CoalescingOutputStream(super.getOutputStream());
            }
            return out;
        }
    }

    /** Buffers writes; a flush is done by the flusher thread shortly after, once for everything written by then. */
    private static final class CoalescingOutputStream extends OutputStream {

        private final BufferedOutputStream out;
        private boolean scheduled;
        private IOException failure;

        CoalescingOutputStream(OutputStream socket) {
            this.out = new BufferedOutputStream(socket, BUFFER_BYTES);
        }

        @Override
        public synchronized void write(int b) throws IOException {
            check();
            out.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            check();
            out.write(b, off, len);
        }

        @Override
        public synchronized void flush() throws IOException {
            check();
            if (!scheduled) {
                scheduled = true;
                FLUSHER.schedule(this::flushNow, FLUSH_DELAY_MICROS, TimeUnit.MICROSECONDS);
            }
        }

        private synchronized void flushNow() {
            scheduled = false;
            try {
                out.flush();
            } catch (IOException e) {
                failure = e; // the next write or flush reports it to Paho, which then drops the connection
            }
        }

        private void check() throws IOException {
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public synchronized void close() throws IOException {
            try {
                out.flush();
            } finally {
                out.close();
            }
        }
    }
}
