package io.dih.server.subscribe;

import io.dih.spi.InvalidSpecException;
import java.util.Locale;
import java.util.Set;

/**
 * Splits a filter text into tokens, one at a time, by a plain scan (no regular expressions). Every position is
 * 1-based, as in the messages. Any character the grammar does not know is a 400 naming it and where it is.
 */
final class FilterTokens {
    /** What a token is. */
    enum Kind { WORD, QUOTED_NAME, TEXT, NUMBER, OPERATOR, LEFT, RIGHT, COMMA, END }

    /** One token: {@code text} is the keyword (upper case), name, unescaped string, number or operator. */
    record Token(Kind kind, String text, int position) {
        boolean isKeyword(String keyword) {
            return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
        }

        /** How a message shows this token. */
        String describe() {
            return switch (kind) {
                case END -> "end of filter";
                case TEXT -> "'" + shorten(text.replace("'", "''")) + "'";
                case QUOTED_NAME -> "\"" + shorten(text) + "\"";
                default -> "'" + shorten(text) + "'";
            };
        }
    }

    static final Set<String> KEYWORDS = Set.of("AND", "OR", "NOT", "IN", "IS", "NULL", "TRUE", "FALSE");

    private final String text;
    private int index;
    private Token peeked;

    FilterTokens(String text) {
        this.text = text;
    }

    /** Position just past the last character: where a message says the filter ended. */
    int endPosition() {
        return text.length() + 1;
    }

    Token peek() {
        if (peeked == null) {
            peeked = scan();
        }
        return peeked;
    }

    Token next() {
        Token t = peek();
        peeked = null;
        return t;
    }

    private Token scan() {
        int n = text.length();
        while (index < n && isSpace(text.charAt(index))) {
            index++;
        }
        if (index >= n) {
            return new Token(Kind.END, "", n + 1);
        }
        int start = index;
        char c = text.charAt(index);
        if (isNameStart(c)) {
            while (index < n && isNamePart(text.charAt(index))) {
                index++;
            }
            if (index < n && Character.isLetterOrDigit(text.codePointAt(index))) {
                throw error(index + 1, "unexpected character " + show(text.codePointAt(index))
                        + "; names are ASCII letters, digits and _ (quote others: \"name\")");
            }
            return new Token(Kind.WORD, text.substring(start, index), start + 1);
        }
        if (isDigit(c) || (c == '-' && index + 1 < n && isDigit(text.charAt(index + 1)))) {
            return number(start);
        }
        switch (c) {
            case '\'':
                return quoted(start, '\'', Kind.TEXT);
            case '"':
                return quoted(start, '"', Kind.QUOTED_NAME);
            case '(':
                index++;
                return new Token(Kind.LEFT, "(", start + 1);
            case ')':
                index++;
                return new Token(Kind.RIGHT, ")", start + 1);
            case ',':
                index++;
                return new Token(Kind.COMMA, ",", start + 1);
            case '=':
                index++;
                return new Token(Kind.OPERATOR, "=", start + 1);
            case '<':
            case '>':
            case '!':
                return operator(start, c);
            default:
                throw unexpected(start, c);
        }
    }

    private Token number(int start) {
        int n = text.length();
        if (text.charAt(index) == '-') {
            index++;
        }
        while (index < n && isDigit(text.charAt(index))) {
            index++;
        }
        if (index < n && text.charAt(index) == '.') {
            index++;
            if (index >= n || !isDigit(text.charAt(index))) {
                throw error(start + 1, "'" + shorten(text.substring(start, index)) + "' is not a number: digits must follow the decimal point");
            }
            while (index < n && isDigit(text.charAt(index))) {
                index++;
            }
        }
        if (index < n && (isNamePart(text.charAt(index)) || text.charAt(index) == '.')) {
            int end = index;
            while (end < n && (isNamePart(text.charAt(end)) || text.charAt(end) == '.')) {
                end++;
            }
            throw error(start + 1, "'" + shorten(text.substring(start, end))
                    + "' is not a number; write digits with an optional sign and decimal point (no exponent)");
        }
        return new Token(Kind.NUMBER, text.substring(start, index), start + 1);
    }

    private Token quoted(int start, char quote, Kind kind) {
        int n = text.length();
        StringBuilder sb = new StringBuilder();
        index = start + 1;
        while (index < n) {
            char c = text.charAt(index++);
            if (c != quote) {
                sb.append(c);
            } else if (index < n && text.charAt(index) == quote) {
                sb.append(quote);
                index++;
            } else {
                if (kind == Kind.QUOTED_NAME && sb.length() == 0) {
                    throw error(start + 1, "a quoted column name must not be empty");
                }
                return new Token(kind, sb.toString(), start + 1);
            }
        }
        throw error(start + 1, kind == Kind.TEXT
                ? "unterminated text: a closing ' is missing (write '' for a quote inside text)"
                : "unterminated quoted column name: a closing \" is missing");
    }

    private Token operator(int start, char c) {
        int n = text.length();
        index++;
        char next = index < n ? text.charAt(index) : 0;
        String op;
        if (c == '<' && (next == '=' || next == '>')) {
            op = "<" + next;
        } else if (c == '>' && next == '=') {
            op = ">=";
        } else if (c == '!' && next == '=') {
            op = "<>";
        } else if (c == '!') {
            throw error(start + 1, "'!' must be followed by '=' (write '<>' or '!=' for not equal, NOT for negation)");
        } else {
            return new Token(Kind.OPERATOR, String.valueOf(c), start + 1);
        }
        index++;
        return new Token(Kind.OPERATOR, op, start + 1);
    }

    private InvalidSpecException unexpected(int start, char c) {
        String hint = switch (c) {
            case ';' -> "; a filter is one condition, not statements";
            case '-' -> "; '-' only starts a negative number (comments are not part of a filter)";
            case '/', '#' -> "; comments are not part of a filter";
            case '\u2018', '\u2019', '\u201A', '\u201B', '\u00B4', '`' -> "; write text between straight quotes: 'text'";
            case '\u201C', '\u201D', '\u201E', '\u201F' -> "; quote a column name with straight double quotes: \"name\"";
            default -> "";
        };
        return error(start + 1, "unexpected character " + show(text.codePointAt(start)) + hint);
    }

    static InvalidSpecException error(int position, String message) {
        return new InvalidSpecException("filter", "at " + position + ": " + message);
    }

    /** A character as a message shows it: printable ones quoted, the others by code point. */
    static String show(int codePoint) {
        String code = String.format(Locale.ROOT, "U+%04X", codePoint);
        if (Character.isISOControl(codePoint) || !Character.isDefined(codePoint) || Character.isWhitespace(codePoint)
                || Character.getType(codePoint) == Character.FORMAT || Character.getType(codePoint) == Character.SURROGATE) {
            return code;
        }
        return "'" + new String(Character.toChars(codePoint)) + "' (" + code + ")";
    }

    /** Keeps messages short and free of control characters, whatever a token holds. */
    static String shorten(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 40; i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > sb.length() ? sb + "…" : sb.toString();
    }

    static boolean isNameStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    static boolean isNamePart(char c) {
        return isNameStart(c) || isDigit(c);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
}
