package dev.statefront.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written timestamp text paths of {@link JsonValues} against java.time on random instants. */
class TimestampTextTest {
    private static final DateTimeFormatter REFERENCE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final long YEAR_1 = Instant.parse("0001-01-01T00:00:00Z").toEpochMilli();
    private static final long YEAR_9999_END = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();

    @Test
    void shouldFormatAndParseLikeJavaTimeAcrossTheWholeRange() {
        Random random = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            long ms = i % 3 == 0 ? 1_700_000_000_000L + random.nextInt(1_000_000_000)
                    : YEAR_1 + (long) (random.nextDouble() * (YEAR_9999_END - YEAR_1));
            String text = JsonValues.formatTimestamp(ms);
            assertEquals(REFERENCE.format(Instant.ofEpochMilli(ms)), text);
            assertEquals(ms, JsonValues.parseTimestamp(text), text);
            assertEquals(Instant.parse(text).toEpochMilli(), JsonValues.parseTimestamp(text), text);
        }
        for (long ms : new long[] {YEAR_1, YEAR_9999_END, 0, -1, 951_782_400_000L /* 2000-02-29 */}) {
            assertEquals(REFERENCE.format(Instant.ofEpochMilli(ms)), JsonValues.formatTimestamp(ms));
            assertEquals(ms, JsonValues.parseTimestamp(JsonValues.formatTimestamp(ms)));
        }
    }

    @Test
    void shouldParseTheShortCanonicalFormAndStillRejectImpossibleDates() {
        assertEquals(Instant.parse("2024-02-29T12:30:05Z").toEpochMilli(),
                JsonValues.parseTimestamp("2024-02-29T12:30:05Z"));
        for (String bad : new String[] {"2023-02-29T00:00:00.000Z", "2023-13-01T00:00:00.000Z",
                                        "2023-01-01T00:00:00.0x0Z", "2023-01-01T00:-1:00Z"}) {
            assertThrows(DecodeException.class, () -> JsonValues.parseTimestamp(bad), bad);
        }
    }
}
