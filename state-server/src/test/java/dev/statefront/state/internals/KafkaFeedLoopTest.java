package dev.statefront.state.internals;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statefront.core.ChangeEventCodec;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** How the feed finds the end of the last complete transaction among a partition's records. */
class KafkaFeedLoopTest {
    private static List<ConsumerRecord<byte[], byte[]>> records(boolean... more) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (int i = 0; i < more.length; i++) {
            ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("t", 0, i, new byte[] {1}, new byte[] {2});
            if (more[i]) {
                r.headers().add(ChangeEventCodec.MORE_HEADER, new byte[] {1});
            }
            out.add(r);
        }
        return out;
    }

    @Test
    void shouldApplyUpToTheLastRecordThatEndsATransaction() {
        assertEquals(3, KafkaFeedLoop.completeUpTo(records(true, true, false, true, true)));
        assertEquals(5, KafkaFeedLoop.completeUpTo(records(true, false, true, true, false)));
    }

    @Test
    void shouldHoldEverythingWhileTheTransactionIsStillBeingRead() {
        assertEquals(0, KafkaFeedLoop.completeUpTo(records(true, true, true)));
        assertEquals(0, KafkaFeedLoop.completeUpTo(records()));
    }

    @Test
    void shouldTakeRecordsWithoutTheHeaderAsCompleteOnTheirOwn() {
        assertEquals(2, KafkaFeedLoop.completeUpTo(records(false, false)));
    }
}
