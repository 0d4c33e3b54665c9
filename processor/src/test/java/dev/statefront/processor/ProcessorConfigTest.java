package dev.statefront.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The processor's own bounds on its settings, whoever builds them (the app's configuration or a test). */
class ProcessorConfigTest {

    private static ProcessorConfig withTransactionMaxMs(long ms) {
        return new ProcessorConfig("localhost:9092", "app", Path.of("state"), "", 4, (short) 1, 500, Map.of(),
                false, 1, ms);
    }

    @Test
    void shouldKeepABacklogTransactionInsideTheTransactionTimeout() {
        assertEquals(ProcessorConfig.MAX_TRANSACTION_MAX_MS,
                withTransactionMaxMs(ProcessorConfig.MAX_TRANSACTION_MAX_MS).transactionMaxMs());
        assertEquals(1, withTransactionMaxMs(1).transactionMaxMs());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> withTransactionMaxMs(30_000));
        assertTrue(tooLong.getMessage().contains("transactionMaxMs"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> withTransactionMaxMs(0));
        assertEquals(ProcessorConfig.DEFAULT_TRANSACTION_MAX_MS, new ProcessorConfig("localhost:9092", "app",
                Path.of("state"), "", 4, (short) 1, 500, Map.of()).transactionMaxMs());
    }
}
