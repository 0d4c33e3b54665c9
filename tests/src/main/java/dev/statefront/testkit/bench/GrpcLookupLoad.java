package dev.statefront.testkit.bench;

import dev.statefront.proto.v1.GetRequest;
import dev.statefront.proto.v1.GetResponse;
import dev.statefront.proto.v1.Key;
import dev.statefront.proto.v1.QueryServiceGrpc;
import dev.statefront.proto.v1.Value;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Unary point lookups through Statefront's public gRPC API ({@code statefront.v1.QueryService/Get}) with blocking
 * stubs: K client threads, keys drawn from the bench's Zipf distribution, a warmup, then a measured window. Prints
 * one phase line {@code grpc_lookup} with QPS, hit ratio, errors and latency percentiles (ms).
 *
 * <pre>
 * GrpcLookupLoad --target 127.0.0.1:9090 --label statefront [--threads 8] [--seconds 10] [--warmup 2]
 *   [--channels 1] [--event-loops 1] [--view customer_stats] [--customers 100000] [--zipf 1.0] [--seed 7]
 *   [--deadline-ms 0] [--grace-s 10] [--ready-timeout-s 60]
 * </pre>
 *
 * The threads share {@code --channels} channels (HTTP/2 connections) round-robin. gRPC multiplexes concurrent calls
 * on one channel, which is what an ordinary client would use; {@code scripts/bench-extras.sh} passes one channel per
 * thread instead, so the load has as many connections as Probe's REST lookups (one per client thread) and the
 * comparison is about the protocol, not about one connection's event loop.
 *
 * <p>What the client costs matters on a small machine, where it takes CPU from the server it measures:
 * <ul>
 *   <li>The channels share {@code --event-loops} Netty threads (epoll where available). grpc-java's default is a
 *       shared group of twice the cores; with blocking callers the event loop only moves bytes, and one thread
 *       serves eight connections with fewer wake-ups.</li>
 *   <li>Calls carry no deadline unless {@code --deadline-ms} is above 0: a per-call deadline costs a timer on each
 *       side (scheduled and cancelled on the client's event loop, and on the server's timer thread for the
 *       {@code grpc-timeout} header), about a fifth of the throughput here. Instead the channels are shut down
 *       {@code --grace-s} after the measured window's end, which fails any call still waiting, so a server that
 *       stops answering cannot hang the load.</li>
 *   <li>grpc-java and Netty are much code for the JIT: on 2 busy cores the client keeps compiling for several
 *       seconds, so {@code scripts/bench-extras.sh} passes a longer {@code --warmup} than Probe's 2 s.</li>
 * </ul>
 */
public final class GrpcLookupLoad {
    private GrpcLookupLoad() {
    }

    /** The command line ({@code --name value} or {@code --name=value}). */
    @Command(name = "GrpcLookupLoad")
    static final class Args {
        @Option(names = "--target", required = true)
        String target;
        @Option(names = "--label", required = true)
        String label;
        @Option(names = "--view", defaultValue = "customer_stats")
        String view;
        @Option(names = "--threads", defaultValue = "8")
        int threads;
        @Option(names = "--channels", defaultValue = "1")
        int channels;
        @Option(names = "--deadline-ms", defaultValue = "0")
        long deadlineMs;
        @Option(names = "--warmup", defaultValue = "2")
        double warmup;
        @Option(names = "--seconds", defaultValue = "10")
        double seconds;
        @Option(names = "--customers", defaultValue = "100000")
        int customers;
        @Option(names = "--zipf", defaultValue = "1.0")
        double zipf;
        @Option(names = "--event-loops", defaultValue = "1")
        int eventLoops;
        @Option(names = "--ready-timeout-s", defaultValue = "60")
        long readyTimeoutS;
        @Option(names = "--grace-s", defaultValue = "10")
        long graceS;
        @Option(names = "--seed", defaultValue = "7")
        long seed;
    }

    public static void main(String[] args) throws Exception {
        Args o = CommandLine.populateCommand(new Args(), args);
        int channelCount = Math.max(1, o.channels);
        Duration warmup = Duration.ofMillis((long) (o.warmup * 1000));
        Duration measured = Duration.ofMillis((long) (o.seconds * 1000));
        ZipfKeys keys = new ZipfKeys(o.customers, o.zipf);

        boolean epoll = Epoll.isAvailable();
        EventLoopGroup eventLoops = new MultiThreadIoEventLoopGroup(Math.max(1, o.eventLoops),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < channelCount; i++) {
            channels.add(NettyChannelBuilder.forTarget(o.target).usePlaintext().eventLoopGroup(eventLoops)
                    .channelType(epoll ? EpollSocketChannel.class : NioSocketChannel.class).build());
        }
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "grpc-load-watchdog");
            t.setDaemon(true);
            return t;
        });
        try {
            List<QueryServiceGrpc.QueryServiceBlockingStub> stubs = channels.stream()
                    .map(QueryServiceGrpc::newBlockingStub).toList();
            awaitServing(stubs.get(0), o.view, Duration.ofSeconds(o.readyTimeoutS));
            watchdog.schedule(() -> channels.forEach(ManagedChannel::shutdownNow),
                    warmup.plus(measured).plusSeconds(o.graceS).toMillis(), TimeUnit.MILLISECONDS);
            long cpu0 = processCpuNanos();
            long wall0 = System.nanoTime();
            TimedLoad.Result r = TimedLoad.run(o.threads, warmup, measured, o.seed, index -> {
                QueryServiceGrpc.QueryServiceBlockingStub stub = stubs.get(index % stubs.size());
                return random -> {
                    GetRequest request = request(o.view, keys.nextKey(random));
                    GetResponse answer = o.deadlineMs > 0
                            ? stub.withDeadlineAfter(o.deadlineMs, TimeUnit.MILLISECONDS).get(request)
                            : stub.get(request);
                    return answer.getFound() ? 1 : 0;
                };
            });
            // the client's own CPU (cores busy on average, warmup included): grpc-java's client is not light, and
            // on a small machine it takes CPU from the server it measures
            double clientCores = (processCpuNanos() - cpu0) / (double) (System.nanoTime() - wall0);
            PhaseLine line = PhaseLine.of(o.label, "grpc_lookup").put("client", "grpc-java blocking")
                    .put("threads", o.threads).put("channels", channelCount).put("seconds", r.seconds(), 1)
                    .put("warmup_s", warmup.toMillis() / 1000.0, 1).put("deadline_ms", o.deadlineMs)
                    .put("requests", r.requests()).put("qps", Math.round(r.perSecond()))
                    .put("hit_ratio", (r.requests() - r.empty()) / (double) r.requests(), 3)
                    .put("errors", r.errors()).put("client_cores", clientCores, 2);
            r.latency().writeTo(line);
            System.out.println(line);
        } finally {
            watchdog.shutdownNow();
            for (ManagedChannel c : channels) {
                c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            eventLoops.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static GetRequest request(String view, String customerId) {
        return GetRequest.newBuilder().setView(view)
                .setKey(Key.newBuilder().addValues(Value.newBuilder().setStringValue(customerId))).build();
    }

    /** Waits until a Get answers (the gateway may still be binding its port, or the view not yet served). */
    private static void awaitServing(QueryServiceGrpc.QueryServiceBlockingStub stub, String view, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                stub.withDeadlineAfter(2, TimeUnit.SECONDS).get(request(view, ZipfKeys.customerKey(1)));
                return;
            } catch (StatusRuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no gRPC answer within " + timeout + ": " + e.getStatus(), e);
                }
                Thread.sleep(200);
            }
        }
    }
}
