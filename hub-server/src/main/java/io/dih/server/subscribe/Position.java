package io.dih.server.subscribe;

import io.dih.spi.InvalidSpecException;
import java.security.SecureRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A place in a region's change stream: the journal's epoch (a random name each journal gets when it starts, so a
 * position of another region's journal, or of a journal since dropped and started again, is told apart) and the
 * sequence number of the last change delivered. Written {@code <epoch>.<seq>}, e.g. {@code k3f9a2qz.1042}; position
 * {@code <epoch>.0} is "before the first change".
 */
public record Position(String epoch, long seq) {
    private static final Pattern TEXT = Pattern.compile("([a-z0-9]{8})\\.([0-9]{1,18})");
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Parses a position a client presents; a malformed one is a 400 naming {@code field}. */
    public static Position parse(String field, String text) {
        Matcher m = TEXT.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new InvalidSpecException(field, "'" + abbreviate(text) + "' is not a position of this hub; a position is "
                    + "<epoch>.<sequence> as events carry it (e.g. k3f9a2qz.1042)");
        }
        return new Position(m.group(1), Long.parseLong(m.group(2)));
    }

    /** A new random epoch. */
    static String newEpoch() {
        StringBuilder b = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    @Override
    public String toString() {
        return epoch + "." + seq;
    }
}
