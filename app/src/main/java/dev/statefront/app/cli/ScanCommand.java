package dev.statefront.app.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Json;
import dev.statefront.proto.v1.Freshness;
import dev.statefront.proto.v1.ScanRequest;
import dev.statefront.proto.v1.ScanResponse;
import dev.statefront.proto.v1.ViewInfo;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code statefront scan VIEW}: rows in key order, optionally within bounds or a prefix. */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"Scan a view of a running gateway (gRPC) in key order across all partitions.",
                "Bounds on composite keys: repeat the option, one value per leading key column:",
                "  statefront scan region_status --prefix eu-west --prefix placed",
                "  statefront scan customer_stats --from c-1 --to c-2 --limit 20"})
public final class ScanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options = new ClientOptions();

    @Parameters(index = "0", paramLabel = "VIEW", description = "The view.")
    String view;

    @Option(names = "--prefix", paramLabel = "VALUE",
            description = "Rows whose leading key columns equal these values (the last: a string prefix).")
    List<String> prefix = new ArrayList<>();

    @Option(names = "--from", paramLabel = "VALUE", description = "Inclusive lower bound on the leading key columns.")
    List<String> from = new ArrayList<>();

    @Option(names = "--to", paramLabel = "VALUE", description = "Exclusive upper bound on the leading key columns.")
    List<String> to = new ArrayList<>();

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "The most rows; 0 for all (default: ${DEFAULT-VALUE}).")
    long limit = 100;

    @Option(names = "--cursor", paramLabel = "CURSOR", description = "Resume where an earlier scan stopped.")
    String cursor = "";

    @Override
    public Integer call() {
        if (limit < 0) {
            throw new ClientException("--limit must be 0 (all) or more, got " + limit, null);
        }
        ViewInfo info;
        List<ScanResponse> messages = new ArrayList<>();
        try (GatewayClient client = new GatewayClient(options)) {
            info = client.describe(view);
            CatalogEntry entry = GatewayClient.entry(info);
            ScanRequest.Builder b = ScanRequest.newBuilder().setView(view).setLimit(limit).setCursor(cursor)
                    .setMinPosition(options.minPosition);
            if (!prefix.isEmpty()) {
                b.setPrefix(GatewayClient.key(entry, prefix, "--prefix"));
            }
            if (!from.isEmpty()) {
                b.setFrom(GatewayClient.key(entry, from, "--from"));
            }
            if (!to.isEmpty()) {
                b.setTo(GatewayClient.key(entry, to, "--to"));
            }
            try {
                Iterator<ScanResponse> it = client.stub().scan(b.build());
                it.forEachRemaining(messages::add);
            } catch (StatusRuntimeException e) {
                throw client.failure(e);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        ScanResponse last = messages.isEmpty() ? ScanResponse.getDefaultInstance() : messages.get(messages.size() - 1);
        Freshness freshness = last.getFreshness();
        if (options.json) {
            ObjectNode root = Json.mapper().createObjectNode().put("view", view);
            ArrayNode rows = root.putArray("rows");
            messages.forEach(m -> m.getRowsList().forEach(row -> rows.add(RowFormat.json(info, row))));
            if (last.getNextCursor().isEmpty()) {
                root.putNull("next_cursor");
            } else {
                root.put("next_cursor", last.getNextCursor());
            }
            RowFormat.readState(root, last.getPosition(), freshness);
            RowFormat.printJson(out, root);
            return 0;
        }
        TableWriter t = RowFormat.table(info);
        int n = 0;
        for (ScanResponse m : messages) {
            for (var row : m.getRowsList()) {
                t.add(RowFormat.cells(row));
                n++;
            }
        }
        t.print(out);
        out.printf("(%d rows, %s%s)%n", n, RowFormat.freshnessText(freshness),
                last.getNextCursor().isEmpty() ? "" : "; more: --cursor " + last.getNextCursor());
        out.flush();
        return 0;
    }
}
