package io.omnii.server.mqtt;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain TCP sockets whose input is buffered. Paho reads each packet straight from the socket: a read for the type
 * byte, one per byte of the length, one for the rest, so three or more system calls per message. Through a 64 KiB
 * buffer, one read takes in whatever the broker has sent, hundreds of messages at a time under load. (A TLS socket
 * already reads whole records.)
 */
final class BufferedSocketFactory extends SocketFactory {

    static final BufferedSocketFactory INSTANCE = new BufferedSocketFactory();

    private static final int BUFFER_BYTES = 64 * 1024;

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

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new BufferedInputStream(super.getInputStream(), BUFFER_BYTES);
            }
            return in;
        }
    }
}
