package dev.statefront.testkit.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Against a scripted server on loopback: each accepted connection answers the canned responses in turn. */
class KeepAliveHttpTest {
    private static final String FIXED = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n"
            + "[1,2,3]";
    private static final String CHUNKED = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
            + "4\r\n{\"a\"\r\n3;ext=1\r\n:1}\r\n0\r\nX-Trailer: t\r\n\r\n";
    private static final String NOT_FOUND_CLOSE = "HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0"
            + "\r\n\r\n";

    @Test
    void readsLengthAndChunkedBodiesOnOneConnectionAndReconnectsAfterClose() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread t = serve(server, requests, List.of(List.of(FIXED, CHUNKED, NOT_FOUND_CLOSE), List.of(FIXED)));
            try (KeepAliveHttp http = new KeepAliveHttp("127.0.0.1", server.getLocalPort(), Duration.ofSeconds(5))) {
                KeepAliveHttp.Response a = http.get("/rows?from=c-1&limit=100");
                assertEquals(200, a.status());
                assertArrayEquals("[1,2,3]".getBytes(StandardCharsets.UTF_8), a.body());
                KeepAliveHttp.Response b = http.get("/b");
                assertEquals("{\"a\":1}", new String(b.body(), StandardCharsets.UTF_8));
                assertEquals(404, http.get("/c").status());
                assertEquals(200, http.get("/d").status()); // a new connection: the server had said close
            }
            t.join(5_000);
        }
        assertEquals(List.of("0:GET /rows?from=c-1&limit=100 HTTP/1.1", "0:GET /b HTTP/1.1", "0:GET /c HTTP/1.1",
                "1:GET /d HTTP/1.1"), requests);
    }

    @Test
    void retriesOnceWhenAReusedConnectionWasDroppedByTheServer() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            // the first connection answers once, then closes without saying so (an idle timeout)
            Thread t = serve(server, requests, List.of(List.of(FIXED), List.of(FIXED)));
            try (KeepAliveHttp http = new KeepAliveHttp("127.0.0.1", server.getLocalPort(), Duration.ofSeconds(5))) {
                assertEquals(200, http.get("/a").status());
                Thread.sleep(100);
                assertEquals(200, http.get("/b").status());
            }
            t.join(5_000);
        }
        assertEquals(List.of("0:GET /a HTTP/1.1", "1:GET /b HTTP/1.1"), requests);
    }

    @Test
    void countsRowsByTheirKeyField() {
        byte[] marker = "\"customer_id\":".getBytes(StandardCharsets.UTF_8);
        String page = "{\"view\":\"customer_stats\",\"rows\":[{\"customer_id\":\"c-1\",\"order_count\":3},"
                + "{\"customer_id\":\"c-10\",\"order_count\":1}],\"next_cursor\":null}";
        assertEquals(2, ScanLoad.occurrences(page.getBytes(StandardCharsets.UTF_8), marker));
        assertEquals(0, ScanLoad.occurrences("[]".getBytes(StandardCharsets.UTF_8), marker));
        assertTrue(ScanLoad.occurrences(new byte[0], marker) == 0);
    }

    /** Serves one connection per script entry: reads a request per canned answer, writes it, then closes. */
    private static Thread serve(ServerSocket server, List<String> requests, List<List<String>> connections) {
        Thread t = new Thread(() -> {
            for (int c = 0; c < connections.size(); c++) {
                try (Socket s = server.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                            StandardCharsets.ISO_8859_1));
                    OutputStream out = s.getOutputStream();
                    for (String answer : connections.get(c)) {
                        String requestLine = in.readLine();
                        requests.add(c + ":" + requestLine);
                        while (!in.readLine().isEmpty()) {
                            // headers
                        }
                        out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }, "scripted-http");
        t.start();
        return t;
    }
}
