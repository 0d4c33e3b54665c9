package dev.statefront.state.internals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A change-stream resume token: the view and, per view partition, the next change-topic offset to deliver.
 * Opaque to clients: {@code c1.} + base64url of {@code view '\n' o0,o1,...}.
 */
public final class ChangeToken {
    private static final String PREFIX = "c1.";

    private ChangeToken() {
    }

    /** The token for a view at per-partition next offsets. */
    public static String encode(String view, long[] next) {
        StringBuilder sb = new StringBuilder(view.length() + next.length * 8).append(view).append('\n');
        for (int p = 0; p < next.length; p++) {
            if (p > 0) {
                sb.append(',');
            }
            sb.append(next[p]);
        }
        return PREFIX + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The next offsets a token holds for a view.
     *
     * @throws IllegalArgumentException with a message fit for a client if it is not a token of that view
     */
    public static long[] decode(String view, String token) {
        if (token == null || !token.startsWith(PREFIX)) {
            throw new IllegalArgumentException("'" + token + "' is not a change-stream resume token (tokens are the "
                    + "ids of change events, e.g. an SSE Last-Event-ID)");
        }
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(token.substring(PREFIX.length())), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + token + "' is not a valid change-stream resume token", e);
        }
        int nl = text.indexOf('\n');
        if (nl < 0) {
            throw new IllegalArgumentException("'" + token + "' is not a valid change-stream resume token");
        }
        String tokenView = text.substring(0, nl);
        if (!tokenView.equals(view)) {
            throw new IllegalArgumentException("resume token belongs to view '" + tokenView + "', not '" + view + "'");
        }
        String[] parts = text.substring(nl + 1).split(",");
        long[] next = new long[parts.length];
        try {
            for (int p = 0; p < parts.length; p++) {
                next[p] = Long.parseLong(parts[p]);
                if (next[p] < 0) {
                    throw new NumberFormatException();
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + token + "' is not a valid change-stream resume token", e);
        }
        return next;
    }
}
