package io.dih.server.transform;

import static java.util.Objects.requireNonNull;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.CelVarDecl;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.extensions.CelStringExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.common.values.CelByteString;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelEvaluationListener;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelVariableResolver;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The expression language of transforms: CEL with its standard library, the standard macros ({@code has}, {@code all},
 * {@code exists}, {@code exists_one}, {@code map}, {@code filter}), the string extensions except {@code replace}
 * (which can grow a string quadratically per call) and the math extensions. No message types, no host functions: an
 * expression can read the row's columns and compute, nothing else (no class access, reflection or I/O).
 * Limits: {@value #MAX_LENGTH} code points, parse depth {@value #MAX_DEPTH}, {@value #MAX_NODES} nodes, and
 * {@value #MAX_ITERATIONS} comprehension iterations per evaluation; an evaluation whose intermediate results add up to
 * more than {@value #MAX_RESULT_SIZE} characters/bytes/elements, or that evaluates more than {@value #MAX_STEPS} nodes,
 * fails (so memory and time stay bounded however expression and input combine).
 */
final class Expressions {
    static final int MAX_LENGTH = 4096;
    static final int MAX_DEPTH = 64;
    static final int MAX_NODES = 2048;
    static final int MAX_ITERATIONS = 10_000;
    static final long MAX_RESULT_SIZE = 64L << 20;
    static final long MAX_STEPS = 1_000_000;

    private static final Pattern UNDECLARED = Pattern.compile("undeclared reference to '([^']+)'");

    private static final CelOptions OPTIONS = CelOptions.current()
            .maxExpressionCodePointSize(MAX_LENGTH)
            .maxParseRecursionDepth(MAX_DEPTH)
            .maxParseExpressionNodeCount(MAX_NODES)
            .comprehensionMaxIterations(MAX_ITERATIONS)
            .maxRegexProgramSize(1000)
            .enableHeterogeneousNumericComparisons(true)
            .errorOnIntWrap(true)
            .enableTimestampOverflowCheck(true)
            .build();

    private static final CelStringExtensions STRINGS = CelExtensions.strings(
            CelStringExtensions.Function.CHAR_AT, CelStringExtensions.Function.INDEX_OF,
            CelStringExtensions.Function.JOIN, CelStringExtensions.Function.LAST_INDEX_OF,
            CelStringExtensions.Function.LOWER_ASCII, CelStringExtensions.Function.QUOTE,
            CelStringExtensions.Function.REVERSE, CelStringExtensions.Function.SPLIT,
            CelStringExtensions.Function.SUBSTRING, CelStringExtensions.Function.TRIM,
            CelStringExtensions.Function.UPPER_ASCII);

    private static final Cel BASE = CelFactory.standardCelBuilder()
            .setOptions(OPTIONS)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addCompilerLibraries(STRINGS, CelExtensions.math(OPTIONS))
            .addRuntimeLibraries(STRINGS, CelExtensions.math(OPTIONS))
            .build();

    private Expressions() {
    }

    /** An expression that does not parse or type-check; the message says where and why. */
    static final class InvalidExpression extends Exception {
        InvalidExpression(String message) {
            super(message, null, false, false);
        }
    }

    /** A checked expression, ready to evaluate against rows; thread-safe. */
    record Compiled(String source, CelType resultType, CelRuntime.Program program) {
        Compiled {
            requireNonNull(program, "program is null");
        }

        /**
         * Evaluates against variables read from the resolver; the result is a CEL value. The evaluation stops with
         * an {@link IllegalStateException} once its intermediate results add up past {@value #MAX_RESULT_SIZE}
         * characters, bytes and elements, or past {@value #MAX_STEPS} evaluated nodes.
         */
        Object eval(CelVariableResolver variables) throws CelEvaluationException {
            return program.trace(variables, new Budget());
        }
    }

    /**
     * Parses and checks {@code source} with the given variables. With {@code dynamicUnknowns}, every identifier that
     * is not a declared variable is declared {@code dyn} (schemaless rows); otherwise it is an unknown column.
     */
    static Compiled compile(String source, Map<String, CelType> variables, boolean dynamicUnknowns)
            throws InvalidExpression {
        if (source == null || source.isBlank()) {
            throw new InvalidExpression("the expression is empty");
        }
        if (source.codePointCount(0, source.length()) > MAX_LENGTH) {
            throw new InvalidExpression("the expression is longer than " + MAX_LENGTH + " characters");
        }
        CelAbstractSyntaxTree parsed = ast(BASE.parse(source), source);
        Map<String, CelType> declared = new LinkedHashMap<>(variables);
        if (dynamicUnknowns) {
            for (String name : identifiers(parsed)) {
                declared.putIfAbsent(name, SimpleType.DYN);
            }
        }
        Cel cel = BASE.toCelBuilder().addVarDeclarations(declared.entrySet().stream()
                .map(e -> CelVarDecl.newVarDeclaration(e.getKey(), e.getValue()))
                .collect(Collectors.toList())).build();
        CelAbstractSyntaxTree checked = ast(cel.check(parsed), source);
        try {
            return new Compiled(source, checked.getResultType(), cel.createProgram(checked));
        } catch (CelEvaluationException e) {
            throw new InvalidExpression(e.getMessage());
        }
    }

    /** The identifiers an expression names (comprehension variables included; declaring those is harmless). */
    private static Set<String> identifiers(CelAbstractSyntaxTree ast) {
        return CelNavigableAst.fromAst(ast).getRoot().allNodes()
                .filter(n -> n.getKind() == CelExpr.ExprKind.Kind.IDENT)
                .map(n -> n.expr().ident().name())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** Counts what one evaluation produces; see {@link Compiled#eval}. */
    private static final class Budget implements CelEvaluationListener {
        private long size;
        private long steps;

        @Override
        public void callback(CelExpr expr, Object result) {
            if (++steps > MAX_STEPS) {
                throw new IllegalStateException("the expression evaluated more than " + MAX_STEPS + " steps");
            }
            long n = result instanceof String s ? s.length()
                    : result instanceof Collection<?> c ? c.size()
                    : result instanceof Map<?, ?> m ? m.size()
                    : result instanceof CelByteString b ? b.size()
                    : 0;
            size += n;
            if (size > MAX_RESULT_SIZE) {
                throw new IllegalStateException("the expression's intermediate results exceed " + MAX_RESULT_SIZE
                        + " characters, bytes or elements");
            }
        }
    }

    private static CelAbstractSyntaxTree ast(CelValidationResult result, String source) throws InvalidExpression {
        if (result.hasError()) {
            throw new InvalidExpression(describe(result, source));
        }
        try {
            return result.getAst();
        } catch (CelValidationException e) {
            throw new InvalidExpression(e.getMessage());
        }
    }

    private static String describe(CelValidationResult result, String source) {
        Function<CelIssue, String> one = issue -> {
            Matcher m = UNDECLARED.matcher(issue.getMessage());
            String what = m.find() ? "unknown column or name '" + m.group(1) + "'" : issue.getMessage();
            int column = issue.getSourceLocation().getColumn();
            return column >= 0 ? what + " (at character " + (column + 1) + ")" : what;
        };
        return result.getErrors().stream().map(one).distinct().collect(Collectors.joining("; "));
    }
}
