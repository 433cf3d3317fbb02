package io.dih.server.testing;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's 5-minute tour, read as a script: its {@code bash} blocks cut into steps (one shell command each,
 * with the lines it continues onto), each with the output the README shows right under it, and its {@code java}
 * block (the SDK snippet) with the lines it prints.
 *
 * <p>A command goes on after a trailing backslash, inside quotes, and through a here-document ({@code <<'EOF'}).
 *
 * <p>How the README writes outputs, so that a reader and this class agree: the {@code #} comment lines right under
 * a command (no blank line in between) are its output; {@code ...} stands for any text. Comments above a command,
 * after a blank line or at the end of a command line are prose. In the SDK snippet, the {@code //} comment at the end
 * of a {@code System.out.println} line is what that line prints.
 */
public final class ReadmeTour {
    /** The tour: from this heading to the next one of the same level. */
    public static final String HEADING = "## A 5-minute tour";

    private static final Pattern FENCE = Pattern.compile("^```(\\w*)\\s*$");
    private static final Pattern HEREDOC = Pattern.compile("<<-?\\s*'?(\\w+)'?\\s*$");
    private static final Pattern PRINTLN = Pattern.compile("System\\.out\\.println\\(.*\\);\\s*//\\s?(.*)$");

    /** One shell command of the tour and what the README shows it prints (null: nothing shown). */
    public record Step(int line, String command, String expected) {
        public Step {
            requireNonNull(command, "command is null");
        }

        /** A step that only reads (repeating it changes nothing), so it may be run again until its output shows up. */
        public boolean readOnly() {
            String c = command.toUpperCase(Locale.ROOT);
            return !command.contains(" -X ") && !command.contains(" -d ") && !command.contains("--data")
                    && !c.contains("UPDATE ") && !c.contains("INSERT ") && !c.contains("DELETE ") && !command.contains("=$(");
        }
    }

    /** The SDK snippet: its imports, its body, and the lines it prints. */
    public record JavaSnippet(int line, List<String> imports, String body, List<String> expectedLines) {
    }

    private final List<Step> steps;
    private final List<JavaSnippet> snippets;

    private ReadmeTour(List<Step> steps, List<JavaSnippet> snippets) {
        this.steps = List.copyOf(steps);
        this.snippets = List.copyOf(snippets);
    }

    public List<Step> steps() {
        return steps;
    }

    public List<JavaSnippet> snippets() {
        return snippets;
    }

    /** Reads the tour out of the README's text. */
    public static ReadmeTour parse(String readme) {
        String[] lines = readme.split("\n", -1);
        int start = -1;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].trim().equals(HEADING)) {
                start = i + 1;
                break;
            }
        }
        if (start < 0) {
            throw new IllegalArgumentException("the README has no '" + HEADING + "' section");
        }
        List<Step> steps = new ArrayList<>();
        List<JavaSnippet> snippets = new ArrayList<>();
        for (int i = start; i < lines.length && !lines[i].startsWith("## "); i++) {
            Matcher fence = FENCE.matcher(lines[i]);
            if (!fence.matches()) {
                continue;
            }
            String lang = fence.group(1);
            int end = i + 1;
            while (end < lines.length && !lines[end].startsWith("```")) {
                end++;
            }
            if (end == lines.length) {
                throw new IllegalArgumentException("README line " + (i + 1) + ": a code block that never ends");
            }
            List<String> block = List.of(lines).subList(i + 1, end);
            if (lang.equals("bash")) {
                steps.addAll(bashSteps(block, i + 2));
            } else if (lang.equals("java")) {
                snippets.add(javaSnippet(block, i + 2));
            }
            i = end;
        }
        return new ReadmeTour(steps, snippets);
    }

    private static List<Step> bashSteps(List<String> block, int firstLine) {
        List<Step> out = new ArrayList<>();
        StringBuilder expected = null; // the output lines of the last command, while they follow it directly
        for (int i = 0; i < block.size(); i++) {
            String line = block.get(i);
            String trimmed = line.trim();
            if (trimmed.isEmpty()) {
                expected = close(out, expected);
                continue;
            }
            if (trimmed.startsWith("#")) {
                if (expected != null) {
                    expected.append(trimmed.substring(1).startsWith(" ") ? trimmed.substring(2) : trimmed.substring(1)).append('\n');
                }
                continue;
            }
            expected = close(out, expected);
            int lineNo = firstLine + i;
            StringBuilder cmd = new StringBuilder(line);
            while (continues(cmd.toString())) {
                if (++i >= block.size()) {
                    throw new IllegalArgumentException("README line " + lineNo + ": a command that never ends");
                }
                cmd.append('\n').append(block.get(i));
            }
            Matcher heredoc = HEREDOC.matcher(cmd);
            if (heredoc.find()) { // the body runs to the line that holds only its word
                String word = heredoc.group(1);
                do {
                    if (++i >= block.size()) {
                        throw new IllegalArgumentException("README line " + lineNo + ": a here-document that never ends (no line '" + word + "')");
                    }
                    cmd.append('\n').append(block.get(i));
                } while (!block.get(i).trim().equals(word));
            }
            out.add(new Step(lineNo, cmd.toString(), null));
            expected = new StringBuilder();
        }
        close(out, expected);
        return out;
    }

    /** Records the collected output on the last step; returns null (nothing is being collected any more). */
    private static StringBuilder close(List<Step> steps, StringBuilder expected) {
        if (expected != null && expected.length() > 0) {
            Step last = steps.remove(steps.size() - 1);
            steps.add(new Step(last.line(), last.command(), expected.toString().strip()));
        }
        return null;
    }

    /** A command goes on to the next line after a trailing backslash or inside single quotes (JSON bodies). */
    private static boolean continues(String cmd) {
        if (cmd.endsWith("\\")) {
            return true;
        }
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < cmd.length(); i++) {
            char c = cmd.charAt(i);
            if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            } else if (c == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(cmd.charAt(i - 1)))) {
                // a comment to the end of this line: skip to its end
                int nl = cmd.indexOf('\n', i);
                if (nl < 0) {
                    break;
                }
                i = nl;
            }
        }
        return single || dbl;
    }

    private static JavaSnippet javaSnippet(List<String> block, int firstLine) {
        List<String> imports = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (String line : block) {
            if (line.startsWith("import ")) {
                imports.add(line);
                continue;
            }
            body.append(line).append('\n');
            Matcher m = PRINTLN.matcher(line);
            if (m.find()) {
                expected.add(m.group(1).strip());
            }
        }
        return new JavaSnippet(firstLine, imports, body.toString(), expected);
    }

    /**
     * Whether {@code actual} is what the README shows: equal once all white space is taken out of both (the README
     * wraps long JSON), where each {@code ...} of the README stands for any text.
     */
    public static boolean matches(String expected, String actual) {
        String e = expected.replaceAll("\\s+", "");
        String a = actual.replaceAll("\\s+", "");
        String[] parts = e.split("\\.\\.\\.", -1);
        if (parts.length == 1) {
            return a.equals(e);
        }
        if (!a.startsWith(parts[0])) {
            return false;
        }
        int at = parts[0].length();
        for (int i = 1; i < parts.length - 1; i++) {
            int found = a.indexOf(parts[i], at);
            if (found < 0) {
                return false;
            }
            at = found + parts[i].length();
        }
        String last = parts[parts.length - 1];
        return a.length() - last.length() >= at && a.endsWith(last);
    }
}
