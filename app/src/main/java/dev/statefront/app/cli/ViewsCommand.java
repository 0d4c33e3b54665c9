package dev.statefront.app.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statefront.core.Json;
import dev.statefront.proto.v1.ListViewsRequest;
import dev.statefront.proto.v1.ListViewsResponse;
import dev.statefront.proto.v1.ViewInfo;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code statefront views}: the views with their keys and row counts. */
@Command(name = "views", mixinStandardHelpOptions = true,
        description = "List the views of a running gateway (gRPC): name, key, partitions, rows.")
public final class ViewsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options = new ClientOptions();

    @Override
    public Integer call() {
        ListViewsResponse r;
        try (GatewayClient client = new GatewayClient(options)) {
            try {
                r = client.stub().listViews(ListViewsRequest.newBuilder().setMinPosition(options.minPosition).build());
            } catch (StatusRuntimeException e) {
                throw client.failure(e);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (options.json) {
            ObjectNode root = Json.mapper().createObjectNode();
            ArrayNode arr = root.putArray("views");
            for (ViewInfo v : r.getViewsList()) {
                ObjectNode o = arr.addObject().put("name", v.getName());
                v.getKeyColumnsList().forEach(o.putArray("key")::add);
                o.put("partitions", v.getPartitions()).put("row_count", v.getRowCount());
                ArrayNode cols = o.putArray("columns");
                v.getColumnsList().forEach(c -> cols.addObject().put("name", c.getName())
                        .put("type", c.getType().getSql()).put("key", c.getKey()));
            }
            RowFormat.readState(root, r.getPosition(), r.getFreshness());
            RowFormat.printJson(out, root);
            return 0;
        }
        TableWriter t = new TableWriter(List.of("view", "key", "partitions", "rows"),
                new boolean[] {false, false, true, true});
        for (ViewInfo v : r.getViewsList()) {
            t.add(List.of(v.getName(), String.join(", ", v.getKeyColumnsList()), Integer.toString(v.getPartitions()),
                    Long.toString(v.getRowCount())));
        }
        t.print(out);
        out.printf("(%d views, %s)%n", r.getViewsCount(), RowFormat.freshnessText(r.getFreshness()));
        out.flush();
        return 0;
    }
}
