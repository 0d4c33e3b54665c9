package dev.statefront.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gRPC and replica settings: gateway-only processes, the replica service port, conflicts. */
class GrpcSettingsTest {
    private static StatefrontConfig load(String... sets) {
        return StatefrontConfig.load(null, Map.of(), List.of(sets));
    }

    @Test
    void shouldAcceptAGatewayAloneThatNamesItsReplicas() {
        StatefrontConfig c = load("roles=gateway", "gateway.replicas=state-1:9091, 10.0.0.2:9191");
        assertEquals(List.of("state-1:9091", "10.0.0.2:9191"), c.gatewayReplicas());
        assertFalse(c.servesReplicaService());
        StatefrontConfigException e = assertThrows(StatefrontConfigException.class, () -> load("roles=gateway"));
        assertTrue(e.getMessage().contains("gateway.replicas"), e.getMessage());
    }

    @Test
    void shouldRejectReplicasThatAreNotHostAndPort() {
        StatefrontConfigException e = assertThrows(StatefrontConfigException.class,
                () -> load("roles=gateway", "gateway.replicas=state-1"));
        assertTrue(e.getMessage().contains("gateway.replicas") && e.getMessage().contains("state-1"), e.getMessage());
    }

    @Test
    void shouldServeTheReplicaServiceForAStateServerWithoutGatewayOrWhenAsked() {
        assertTrue(load("roles=state-server").servesReplicaService());
        assertEquals(9091, load("roles=state-server").stateServerGrpcPort());
        assertFalse(load("roles=all").servesReplicaService());
        assertTrue(load("roles=all", "state.server.grpc.port=9500").servesReplicaService());
        StatefrontConfigException e = assertThrows(StatefrontConfigException.class,
                () -> load("roles=all", "state.server.grpc.port=9090"));
        assertTrue(e.getMessage().contains("state.server.grpc.port") && e.getMessage().contains("grpc.port"),
                e.getMessage());
    }
}
