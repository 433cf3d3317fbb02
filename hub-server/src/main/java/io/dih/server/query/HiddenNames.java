package io.dih.server.query;

import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SQL text with the names a caller may not know of replaced by names that exist nowhere, so that the parser answers
 * about them exactly as about names that never existed. Each replacement has the length of the word it replaces (the
 * parser's error positions stay right) and is told back to the original in error messages, in the form the parser
 * prints a name (upper case unless quoted).
 *
 * <p>The scan knows SQL's lexical forms: string literals ({@code '...'}, {@code $$...$$}), quoted identifiers
 * ({@code "..."}, {@code `...`}) and comments are never read as names; a quoted identifier is compared as written, an
 * unquoted one in upper case, as H2 resolves them.
 */
final class HiddenNames {
    private static final String QUOTED_STATEMENT = "statement \"";
    private final String sql;
    /** A replacement → the parser form of the name it hides (upper case unless quoted). */
    private final Map<String, String> told = new LinkedHashMap<>();
    /** A replacement → the word it replaced, as sent. */
    private final Map<String, String> spelled = new LinkedHashMap<>();

    private HiddenNames(String sql) {
        this.sql = sql;
    }

    /** The text as sent, with every word whose parser form is in {@code hidden} replaced. */
    String sql() {
        return sql;
    }

    /** Whether a word was replaced. */
    boolean any() {
        return !told.isEmpty();
    }

    /** The parser form of the first name hidden. */
    String first() {
        return told.values().iterator().next();
    }

    /**
     * @param hidden whether a name, in its parser form (upper case unless quoted), is one to hide
     */
    static HiddenNames of(String sql, Predicate<String> hidden) {
        Map<String, String> told = new LinkedHashMap<>();
        Map<String, String> spelledAs = new LinkedHashMap<>();
        StringBuilder out = new StringBuilder(sql.length());
        Map<String, String> replacements = new LinkedHashMap<>(); // a hidden name as spelled → its replacement
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            int end;
            String name = null;
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                end = SqlText.skipTo(sql, i + 2, "\n");
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                end = SqlText.skipTo(sql, i + 2, "*/");
            } else if (c == '$' && i + 1 < n && sql.charAt(i + 1) == '$') {
                end = SqlText.skipTo(sql, i + 2, "$$");
            } else if (c == '\'') {
                end = SqlText.skipQuoted(sql, i + 1, c);
            } else if (c == '"' || c == '`') {
                end = SqlText.skipQuoted(sql, i + 1, c);
                name = sql.substring(i + 1, Math.max(i + 1, end - 1)).replace(String.valueOf(c) + c, String.valueOf(c));
            } else if (Character.isLetter(c) || c == '_') {
                end = i + 1;
                while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_' || sql.charAt(end) == '$')) {
                    end++;
                }
                name = sql.substring(i, end).toUpperCase(Locale.ROOT);
            } else {
                end = i + 1;
            }
            if (name != null && hidden.test(name)) {
                String spelled = sql.substring(i, end);
                String replacement = replacements.get(spelled);
                if (replacement == null) {
                    replacement = replacement(sql, replacements.values(), spelled.length());
                    replacements.put(spelled, replacement);
                    told.put(replacement, name);
                    spelledAs.put(replacement, spelled);
                }
                out.append(replacement);
            } else {
                out.append(sql, i, end);
            }
            i = end;
        }
        HiddenNames result = new HiddenNames(told.isEmpty() ? sql : out.toString());
        result.told.putAll(told);
        result.spelled.putAll(spelledAs);
        return result;
    }

    /**
     * A name no object has: {@code _} and a number, padded with {@code Z} to {@code length} (longer only when the
     * number needs it), found nowhere in the text and not yet taken (so it can be told back without doubt). Unquoted,
     * so the parser reads it as written.
     */
    private static String replacement(String sql, Collection<String> taken, int length) {
        String upper = sql.toUpperCase(Locale.ROOT);
        for (int k = 0; ; k++) {
            StringBuilder r = new StringBuilder("_").append(k);
            while (r.length() < length) {
                r.append('Z');
            }
            String candidate = r.toString();
            if (!upper.contains(candidate) && !taken.contains(candidate)) {
                return candidate;
            }
        }
    }

    /** The parser's complaint about the replaced text, as it would have been about the text as sent. */
    HiddenObjectException tellBack(InvalidSpecException e) {
        List<FieldError> errors = new ArrayList<>();
        for (FieldError f : e.errors()) {
            errors.add(new FieldError(f.field(), tellBack(f.message())));
        }
        return new HiddenObjectException(errors);
    }

    /**
     * A message with each replacement told back: as the parser names it ("Table "X" not found"), and, in the statement
     * the parser quotes (a syntax error), as it was sent — or upper-cased, when the parser quotes it so.
     */
    String tellBack(String message) {
        int quote = message.indexOf(QUOTED_STATEMENT);
        String words = quote < 0 ? message : message.substring(0, quote);
        String statement = quote < 0 ? "" : message.substring(quote);
        boolean asSent = statement.replace("[*]", "").startsWith(QUOTED_STATEMENT + sql);
        for (Map.Entry<String, String> t : told.entrySet()) {
            words = replaceWord(words, t.getKey(), t.getValue());
            String original = spelled.get(t.getKey());
            statement = replaceWord(statement, t.getKey(), asSent ? original : original.toUpperCase(Locale.ROOT));
        }
        return words + statement;
    }

    private static String replaceWord(String text, String word, String by) {
        return text.replaceAll("(?<![A-Za-z0-9_$])" + Pattern.quote(word) + "(?![A-Za-z0-9_$])", Matcher.quoteReplacement(by));
    }
}
