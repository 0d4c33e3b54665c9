package dev.statefront.app.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Json;
import dev.statefront.proto.v1.BatchGetRequest;
import dev.statefront.proto.v1.BatchGetResponse;
import dev.statefront.proto.v1.ViewInfo;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code statefront get VIEW KEY...}: rows by key; a composite key is given as one value per key column. */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = {"Look up rows of a view by key on a running gateway (gRPC).",
                "KEY... are key values in key-column order; for a key of n columns, every n values are one key:",
                "  statefront get customer_stats c-1 c-2", "  statefront get region_status eu-west placed"},
        footer = {"", "Exit code 1 if some key has no row (the found ones are still printed)."})
public final class GetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options = new ClientOptions();

    @Parameters(index = "0", paramLabel = "VIEW", description = "The view.")
    String view;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY", description = "Key values.")
    List<String> values = new ArrayList<>();

    @Override
    public Integer call() {
        BatchGetResponse r;
        ViewInfo info;
        try (GatewayClient client = new GatewayClient(options)) {
            info = client.describe(view);
            CatalogEntry entry = GatewayClient.entry(info);
            int arity = Math.max(1, info.getKeyColumnsCount());
            if (values.size() % arity != 0) {
                throw new ClientException("view '" + view + "' has a key of " + arity + " columns "
                        + info.getKeyColumnsList() + ", so give a multiple of " + arity + " values, got "
                        + values.size() + " " + values, null);
            }
            BatchGetRequest.Builder b = BatchGetRequest.newBuilder().setView(view).setMinPosition(options.minPosition);
            for (int i = 0; i < values.size(); i += arity) {
                b.addKeys(GatewayClient.key(entry, values.subList(i, i + arity), "key " + (i / arity + 1)));
            }
            try {
                r = client.stub().batchGet(b.build());
            } catch (StatusRuntimeException e) {
                throw client.failure(e);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int missing = 0;
        if (options.json) {
            ObjectNode root = Json.mapper().createObjectNode().put("view", view);
            ArrayNode rows = root.putArray("rows");
            for (BatchGetResponse.Result res : r.getResultsList()) {
                ObjectNode item = rows.addObject();
                ObjectNode key = item.putObject("key");
                for (int i = 0; i < res.getKey().getValuesCount(); i++) {
                    RowFormat.put(key, info.getKeyColumns(i), res.getKey().getValues(i));
                }
                item.put("found", res.getFound());
                if (res.getFound()) {
                    item.set("row", RowFormat.json(info, res.getRow()));
                } else {
                    item.putNull("row");
                    missing++;
                }
            }
            RowFormat.readState(root, r.getPosition(), r.getFreshness());
            RowFormat.printJson(out, root);
        } else {
            TableWriter t = RowFormat.table(info);
            for (BatchGetResponse.Result res : r.getResultsList()) {
                if (res.getFound()) {
                    t.add(RowFormat.cells(res.getRow()));
                } else {
                    missing++;
                    List<String> key = new ArrayList<>();
                    res.getKey().getValuesList().forEach(v -> key.add(RowFormat.text(v)));
                    err.printf("no row with key %s in view '%s'%n", key, view);
                }
            }
            t.print(out);
            out.printf("(%d of %d found, %s)%n", r.getResultsCount() - missing, r.getResultsCount(),
                    RowFormat.freshnessText(r.getFreshness()));
            out.flush();
            err.flush();
        }
        return missing == 0 ? 0 : 1;
    }
}
