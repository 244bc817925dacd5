package io.omnii.server.mqtt;

import io.omnii.server.common.Threads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP relay on a loopback port to the broker, for a client whose connection is to end the way a killed pod's or a
 * lost node's does: {@link #sever()} closes both sides at once, so the client sends no DISCONNECT and the broker sees
 * only the socket go, and refuses every later connect (the client's automatic reconnect included).
 */
final class SeverableLink implements AutoCloseable {

    private final ServerSocket server;
    private final int brokerPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final ExecutorService pumps = Executors.newCachedThreadPool(Threads.named("severable-link"));

    private SeverableLink(int brokerPort) throws IOException {
        this.brokerPort = brokerPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pumps.execute(this::accept);
    }

    static SeverableLink to(int brokerPort) throws IOException {
        return new SeverableLink(brokerPort);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Cuts every connection through the link and refuses new ones. */
    void sever() {
        closeQuietly(server);
        sockets.forEach(SeverableLink::closeQuietly);
    }

    @Override
    public void close() {
        sever();
        pumps.shutdownNow();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket broker = new Socket(InetAddress.getLoopbackAddress(), brokerPort);
                client.setTcpNoDelay(true);
                broker.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(broker);
                pumps.execute(() -> pump(client, broker));
                pumps.execute(() -> pump(broker, client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException severed) {
            // the other pump, or sever(), closed the sockets
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // already closed
        }
    }
}
