package dev.statefront.gateway.changes;

import dev.statefront.core.CatalogEntry;
import dev.statefront.state.server.ChangeSubscription;
import dev.statefront.state.server.ReadResult;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.server.SubscribeRequest;
import java.util.Objects;

/** Where change streams come from: a state server (the in-process one today). */
public interface ChangeSource {
    /** A view's catalog entry. */
    ReadResult<CatalogEntry> view(String name);

    /** Opens a subscription; see {@link StateServer#subscribe}. */
    ReadResult<ChangeSubscription> subscribe(SubscribeRequest request);

    /** The change streams of an in-process state server. */
    static ChangeSource of(StateServer server) {
        Objects.requireNonNull(server, "server");
        return new ChangeSource() {
            @Override
            public ReadResult<CatalogEntry> view(String name) {
                return server.view(name);
            }

            @Override
            public ReadResult<ChangeSubscription> subscribe(SubscribeRequest request) {
                return server.subscribe(request);
            }
        };
    }
}
