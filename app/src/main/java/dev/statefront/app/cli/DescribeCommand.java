package dev.statefront.app.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statefront.core.Json;
import dev.statefront.core.JsonValues;
import dev.statefront.proto.v1.Column;
import dev.statefront.proto.v1.DescribeViewRequest;
import dev.statefront.proto.v1.DescribeViewResponse;
import dev.statefront.proto.v1.PartitionState;
import dev.statefront.proto.v1.ViewInfo;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code statefront describe VIEW}: columns, key, partitions and row counts of one view. */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Describe a view of a running gateway (gRPC): columns and types, key, SQL, partitions.")
public final class DescribeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options = new ClientOptions();

    @Parameters(index = "0", paramLabel = "VIEW", description = "The view.")
    String view;

    @Override
    public Integer call() {
        DescribeViewResponse r;
        try (GatewayClient client = new GatewayClient(options)) {
            try {
                r = client.stub().describeView(DescribeViewRequest.newBuilder().setView(view)
                        .setMinPosition(options.minPosition).build());
            } catch (StatusRuntimeException e) {
                throw client.failure(e);
            }
        }
        ViewInfo v = r.getView();
        PrintWriter out = spec.commandLine().getOut();
        if (options.json) {
            ObjectNode root = Json.mapper().createObjectNode().put("view", v.getName());
            ArrayNode cols = root.putArray("columns");
            v.getColumnsList().forEach(c -> cols.addObject().put("name", c.getName()).put("type", c.getType().getSql())
                    .put("key", c.getKey()));
            v.getKeyColumnsList().forEach(root.putArray("key")::add);
            root.put("partitions", v.getPartitions()).put("row_count", v.getRowCount()).put("sql", v.getSql())
                    .put("topic", v.getTopic());
            ArrayNode parts = root.putArray("partition_states");
            for (PartitionState p : v.getPartitionStatesList()) {
                parts.addObject().put("partition", p.getPartition()).put("row_count", p.getRowCount())
                        .put("next_offset", p.getNextOffset()).put("position", p.getPosition());
            }
            RowFormat.readState(root, r.getPosition(), r.getFreshness());
            RowFormat.printJson(out, root);
            return 0;
        }
        out.printf("view %s: %d rows in %d partitions, key (%s), %s%n%n", v.getName(), v.getRowCount(),
                v.getPartitions(), String.join(", ", v.getKeyColumnsList()), RowFormat.freshnessText(r.getFreshness()));
        TableWriter cols = new TableWriter(List.of("column", "type", "key"), new boolean[] {false, false, false});
        for (Column c : v.getColumnsList()) {
            cols.add(List.of(c.getName(), c.getType().getSql(), c.getKey() ? "yes" : ""));
        }
        cols.print(out);
        out.println();
        TableWriter parts = new TableWriter(List.of("partition", "rows", "next_offset", "as_of"),
                new boolean[] {true, true, true, false});
        for (PartitionState p : v.getPartitionStatesList()) {
            parts.add(List.of(Integer.toString(p.getPartition()), Long.toString(p.getRowCount()),
                    Long.toString(p.getNextOffset()), p.hasAsOf() ? JsonValues.formatTimestamp(
                            p.getAsOf().getSeconds() * 1000 + p.getAsOf().getNanos() / 1_000_000) : "-"));
        }
        parts.print(out);
        out.printf("%n%s%n", v.getSql().strip());
        out.flush();
        return 0;
    }
}
