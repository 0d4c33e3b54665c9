package dev.statefront.processor.sql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A script's text, its tokens and its statements. Positions are 1-based lines and columns in the whole script,
 * counting each character (a tab is one column), as Calcite's parser does.
 */
final class Script {
    /** Kinds of token. */
    enum Kind { WORD, QUOTED_IDENTIFIER, STRING, NUMBER, SYMBOL }

    /**
     * One token.
     *
     * @param kind what it is
     * @param text the token's value: a word as written, a quoted identifier or string without quotes
     * @param start offset of the first character in the script
     * @param end offset after the last character
     */
    record Token(Kind kind, String text, int start, int end) {
        boolean isWord(String word) {
            return kind == Kind.WORD && text.equalsIgnoreCase(word);
        }

        boolean isSymbol(String symbol) {
            return kind == Kind.SYMBOL && text.equals(symbol);
        }

        boolean isIdentifier() {
            return kind == Kind.WORD || kind == Kind.QUOTED_IDENTIFIER;
        }
    }

    /**
     * One statement: its tokens and its text range (without the terminating semicolon).
     *
     * @param number 1-based
     */
    record Statement(int number, List<Token> tokens, int start, int end) {
    }

    private final String text;
    private final int[] lineStarts;

    Script(String text) {
        this.text = text;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    String text() {
        return text;
    }

    int line(int offset) {
        int i = Arrays.binarySearch(lineStarts, offset);
        return (i >= 0 ? i : -i - 2) + 1;
    }

    /** The offset of a 1-based line and column, or -1 if out of range. */
    int offset(int line, int column) {
        if (line < 1 || line > lineStarts.length || column < 1) {
            return -1;
        }
        return lineStarts[line - 1] + column - 1;
    }

    int column(int offset) {
        return offset - lineStarts[line(offset) - 1] + 1;
    }

    /**
     * The statements, split at semicolons outside strings, quoted identifiers and comments; empty statements
     * are dropped and not numbered.
     *
     * @throws SqlException on an unterminated string, quoted identifier or comment
     */
    List<Statement> statements() throws SqlException {
        List<Statement> result = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (true) {
            // skip whitespace and comments
            while (i < n) {
                char c = text.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                    while (i < n && text.charAt(i) != '\n') {
                        i++;
                    }
                } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                    int close = text.indexOf("*/", i + 2);
                    if (close < 0) {
                        throw unterminated(result.size() + 1, i, "comment '/*' is never closed with '*/'");
                    }
                    i = close + 2;
                } else {
                    break;
                }
            }
            if (i >= n) {
                break;
            }
            char c = text.charAt(i);
            int start = i;
            if (c == ';') {
                if (!current.isEmpty()) {
                    result.add(new Statement(result.size() + 1, List.copyOf(current), current.get(0).start(), i));
                    current.clear();
                }
                i++;
                continue;
            }
            if (c == '\'' || c == '"' || c == '`') {
                StringBuilder value = new StringBuilder();
                i++;
                while (true) {
                    if (i >= n) {
                        String what = c == '\'' ? "string literal" : "quoted identifier";
                        throw unterminated(result.size() + 1, start, what + " starting with " + c + " is never closed");
                    }
                    char d = text.charAt(i);
                    if (d == c) {
                        if (i + 1 < n && text.charAt(i + 1) == c) {
                            value.append(c);
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    value.append(d);
                    i++;
                }
                current.add(new Token(c == '\'' ? Kind.STRING : Kind.QUOTED_IDENTIFIER, value.toString(), start, i));
            } else if (Character.isLetter(c) || c == '_') {
                while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_'
                        || text.charAt(i) == '$')) {
                    i++;
                }
                current.add(new Token(Kind.WORD, text.substring(start, i), start, i));
            } else if (Character.isDigit(c)) {
                while (i < n && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
                    i++;
                }
                current.add(new Token(Kind.NUMBER, text.substring(start, i), start, i));
            } else {
                i++;
                current.add(new Token(Kind.SYMBOL, String.valueOf(c), start, i));
            }
        }
        if (!current.isEmpty()) {
            result.add(new Statement(result.size() + 1, List.copyOf(current), current.get(0).start(),
                    current.get(current.size() - 1).end()));
        }
        return result;
    }

    private SqlException unterminated(int statement, int offset, String reason) {
        return new SqlException(statement, null, line(offset), column(offset), reason, null);
    }

    /**
     * The text of a range with everything before it blanked out (newlines kept), so that a parser reading it
     * reports positions of the whole script.
     */
    String padded(int start, int end) {
        StringBuilder sb = new StringBuilder(end);
        for (int i = 0; i < start; i++) {
            char c = text.charAt(i);
            sb.append(c == '\n' ? '\n' : ' ');
        }
        sb.append(text, start, end);
        return sb.toString();
    }
}
