package dev.statefront.testkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OptionsTest {
    @Test
    void valuesFlagsAndDefaults() {
        Options o = Options.parse("--threads", "8", "--path=/x?from={from}&limit={limit}", "--verbose",
                "--zipf", "1.5");
        assertEquals(8, o.integer("threads", 1));
        assertEquals("/x?from={from}&limit={limit}", o.text("path", ""));
        assertEquals("true", o.text("verbose", "false"));
        assertEquals(1.5, o.decimal("zipf", 1.0));
        assertEquals(7L, o.longValue("seed", 7));
        assertThrows(IllegalArgumentException.class, () -> o.required("label"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("stray"));
    }
}
