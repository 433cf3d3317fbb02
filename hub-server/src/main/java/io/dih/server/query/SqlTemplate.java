package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A query template turned into SQL with JDBC {@code ?} parameters. A small tokenizer that knows SQL string literals
 * ({@code '...'} with {@code ''}), quoted identifiers ({@code "..."}) and comments ({@code --}, {@code /* *}{@code /})
 * finds the {@code {name}} placeholders: outside literals, and a literal that is exactly {@code '{name}'}, become
 * {@code ?}; a placeholder anywhere else (inside a longer literal, an identifier or a comment) would never be bound,
 * so it is an error, as is a {@code ?} of the author's own, a second statement, or anything but a SELECT.
 *
 * @param sql          the SQL to prepare, with {@code ?} in place of each placeholder
 * @param placeholders the name bound to each {@code ?}, in order (a name may repeat)
 * @param identifiers  every bare or quoted identifier outside literals and comments, upper-cased (what the template
 *                     may read)
 */
public record SqlTemplate(String sql, List<String> placeholders, Set<String> identifiers) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    static final String FIELD = "query_template";

    public SqlTemplate {
        requireNonNull(sql, "sql is null");
        placeholders = List.copyOf(placeholders);
        identifiers = Set.copyOf(identifiers);
    }

    /** Parses a template; an {@link InvalidSpecException} on {@code query_template} says what is wrong and where. */
    public static SqlTemplate parse(String template) {
        requireNonNull(template, "template is null");
        StringBuilder out = new StringBuilder(template.length());
        List<String> names = new ArrayList<>();
        Set<String> identifiers = new LinkedHashSet<>();
        String firstWord = null;
        int n = template.length();
        int i = 0;
        while (i < n) {
            char c = template.charAt(i);
            if (c == '\'') {
                int end = endOfQuoted(template, i, '\'', "string literal");
                String body = template.substring(i + 1, end);
                String whole = placeholderName(body);
                if (whole != null) {
                    names.add(whole);
                    out.append('?');
                } else if (body.indexOf('{') >= 0 || body.indexOf('}') >= 0) {
                    throw error(i, "a placeholder inside the string literal '" + body + "' is never bound; write the whole literal as '{name}' "
                            + "or build the pattern in SQL, e.g. LIKE '%' || {name} || '%'");
                } else {
                    out.append(template, i, end + 1);
                }
                i = end + 1;
            } else if (c == '"') {
                int end = endOfQuoted(template, i, '"', "quoted identifier");
                String body = template.substring(i + 1, end);
                if (body.indexOf('{') >= 0) {
                    throw error(i, "a placeholder inside the quoted identifier \"" + body + "\" is never bound; an identifier cannot be a parameter");
                }
                identifiers.add(body.toUpperCase(Locale.ROOT));
                out.append(template, i, end + 1);
                i = end + 1;
            } else if (c == '-' && i + 1 < n && template.charAt(i + 1) == '-') {
                int end = template.indexOf('\n', i);
                end = end < 0 ? n : end;
                noPlaceholderInComment(template, i, end);
                out.append(template, i, end);
                i = end;
            } else if (c == '/' && i + 1 < n && template.charAt(i + 1) == '*') {
                int end = template.indexOf("*/", i + 2);
                if (end < 0) {
                    throw error(i, "a /* comment is never closed");
                }
                noPlaceholderInComment(template, i, end);
                out.append(template, i, end + 2);
                i = end + 2;
            } else if (c == '{') {
                int end = template.indexOf('}', i);
                String name = end < 0 ? null : placeholderName(template.substring(i, end + 1));
                if (name == null) {
                    throw error(i, "a placeholder is {name}: a name of letters, digits and '_' in braces"
                            + (end < 0 ? " (this '{' is never closed)" : ", not '" + template.substring(i, end + 1) + "'"));
                }
                names.add(name);
                out.append('?');
                i = end + 1;
            } else if (c == '$' && i + 1 < n && template.charAt(i + 1) == '$') {
                throw error(i, "dollar-quoted strings ($$...$$) are not supported in templates; use '...'");
            } else if (c == '}') {
                throw error(i, "a '}' without its '{'");
            } else if (c == '?') {
                throw error(i, "use named placeholders such as {token}, not '?'");
            } else if (c == ';') {
                int rest = skipBlanks(template, i + 1);
                if (rest < n) {
                    throw error(i, "only one statement is allowed; found more after ';'");
                }
                i = n; // a trailing ';' is dropped
            } else if (Character.isLetter(c) || c == '_') {
                int end = i;
                while (end < n && (Character.isLetterOrDigit(template.charAt(end)) || template.charAt(end) == '_' || template.charAt(end) == '$')) {
                    end++;
                }
                String word = template.substring(i, end);
                if (firstWord == null) {
                    firstWord = word;
                }
                identifiers.add(word.toUpperCase(Locale.ROOT));
                out.append(word);
                i = end;
            } else {
                if (firstWord == null && !Character.isWhitespace(c) && c != '(') {
                    throw notSelect(String.valueOf(c));
                }
                out.append(c);
                i++;
            }
        }
        if (firstWord == null) {
            throw new InvalidSpecException(FIELD, "is empty: write one SELECT");
        }
        if (!firstWord.equalsIgnoreCase("SELECT")) {
            throw notSelect(firstWord);
        }
        return new SqlTemplate(out.toString().trim(), names, identifiers);
    }

    /** The distinct placeholder names, in order of first use. */
    public Set<String> names() {
        return new LinkedHashSet<>(placeholders);
    }

    private static InvalidSpecException notSelect(String first) {
        return new InvalidSpecException(FIELD, "must be one SELECT statement; it starts with '" + first
                + "' (an endpoint only reads: change data through the entries API, SQL or transactions)");
    }

    private static String placeholderName(String s) {
        if (s.length() > 2 && s.charAt(0) == '{' && s.charAt(s.length() - 1) == '}') {
            String name = s.substring(1, s.length() - 1);
            return NAME.matcher(name).matches() ? name : null;
        }
        return null;
    }

    private static int endOfQuoted(String s, int start, char quote, String what) {
        int i = start + 1;
        while (i < s.length()) {
            if (s.charAt(i) == quote) {
                if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
                    i += 2; // doubled quote: part of the text
                    continue;
                }
                return i;
            }
            i++;
        }
        throw error(start, "a " + what + " is never closed");
    }

    private static void noPlaceholderInComment(String s, int from, int to) {
        String comment = s.substring(from, to);
        if (comment.indexOf('{') >= 0) {
            throw error(from, "a placeholder inside a comment is never bound; remove it from the comment");
        }
    }

    private static int skipBlanks(String s, int i) {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < s.length() && s.charAt(i + 1) == '-') {
                int end = s.indexOf('\n', i);
                i = end < 0 ? s.length() : end;
            } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 2;
            } else {
                return i;
            }
        }
        return i;
    }

    private static InvalidSpecException error(int position, String message) {
        return new InvalidSpecException(FIELD, message + " (at character " + (position + 1) + ")");
    }
}
