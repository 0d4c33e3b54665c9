package dev.statefront.testkit.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 GET client over one persistent TCP connection, for load generation: it costs far less CPU per
 * request than {@code java.net.http} (which matters when client and server share two cores). It understands
 * {@code Content-Length}, chunked and read-until-close bodies, reopens the connection when the server closes it,
 * and retries a request once when a reused connection turns out to be dead before any answer byte arrived. Not
 * thread-safe: one instance per client thread.
 */
public final class KeepAliveHttp implements Closeable {
    /**
     * An answer.
     *
     * @param status HTTP status code
     * @param body   the body bytes (decoded from chunks)
     */
    public record Response(int status, byte[] body) {
    }

    private final InetSocketAddress address;
    private final String hostHeader;
    private final int timeoutMillis;
    private final StringBuilder line = new StringBuilder(128);
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private boolean answerStarted;

    /** A client of {@code host:port}; {@code timeout} bounds connecting and each read. */
    public KeepAliveHttp(String host, int port, Duration timeout) {
        this.address = new InetSocketAddress(host, port);
        this.hostHeader = host + ":" + port;
        this.timeoutMillis = (int) timeout.toMillis();
    }

    /** A client of an {@code http://host:port} base URL. */
    public static KeepAliveHttp forBase(URI base, Duration timeout) {
        if (!"http".equals(base.getScheme()) || base.getHost() == null) {
            throw new IllegalArgumentException("need an http://host:port URL, got " + base);
        }
        return new KeepAliveHttp(base.getHost(), base.getPort() < 0 ? 80 : base.getPort(), timeout);
    }

    /** GETs {@code target} (path and query, already URL-encoded). */
    public Response get(String target) throws IOException {
        byte[] request = ("GET " + target + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nAccept: */*\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        boolean reused = socket != null;
        try {
            return exchange(request);
        } catch (IOException | RuntimeException e) {
            close();
            if (!reused || answerStarted || !(e instanceof IOException) || e instanceof SocketTimeoutException) {
                throw e;
            }
        }
        // the server had dropped the idle connection before this request: once more on a new one
        try {
            return exchange(request);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private Response exchange(byte[] request) throws IOException {
        if (socket == null) {
            connect();
        }
        answerStarted = false;
        out.write(request);
        out.flush();
        String statusLine = readLine();
        answerStarted = true;
        if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        boolean keepAlive = statusLine.startsWith("HTTP/1.1");
        long length = -1;
        boolean chunked = false;
        for (String header = readLine(); !header.isEmpty(); header = readLine()) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.contains("chunked");
                case "connection" -> keepAlive = !value.contains("close")
                        && (value.contains("keep-alive") || keepAlive);
                default -> {
                }
            }
        }
        byte[] body;
        if (status / 100 == 1 || status == 204 || status == 304) {
            body = new byte[0];
        } else if (chunked) {
            body = readChunked();
        } else if (length >= 0) {
            body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new EOFException("body ended after " + body.length + " of " + length + " bytes");
            }
        } else {
            body = in.readAllBytes();
            keepAlive = false;
        }
        if (!keepAlive) {
            close();
        }
        return new Response(status, body);
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
        while (true) {
            String sizeLine = readLine();
            int ext = sizeLine.indexOf(';');
            int size = Integer.parseInt((ext >= 0 ? sizeLine.substring(0, ext) : sizeLine).trim(), 16);
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailer fields: ignored
                }
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length < size) {
                throw new EOFException("chunk ended after " + chunk.length + " of " + size + " bytes");
            }
            body.write(chunk);
            readLine(); // the CRLF after the chunk
        }
    }

    /** A CRLF- (or LF-) terminated line without its terminator. */
    private String readLine() throws IOException {
        line.setLength(0);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException(answerStarted ? "connection closed in the middle of an answer"
                        : "connection closed before the answer");
            }
            line.append((char) b);
        }
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
            line.setLength(end - 1);
        }
        return line.toString();
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(timeoutMillis);
            s.connect(address, timeoutMillis);
            in = new BufferedInputStream(s.getInputStream(), 1 << 16);
            out = s.getOutputStream();
            socket = s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Closes the connection; the next request opens a new one. */
    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
            in = null;
            out = null;
        }
    }
}
