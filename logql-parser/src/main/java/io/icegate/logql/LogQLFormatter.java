package io.icegate.logql;

import io.icegate.logql.ast.BinOpExpr;
import io.icegate.logql.ast.BinaryLabelFilter;
import io.icegate.logql.ast.BytesLabelFilter;
import io.icegate.logql.ast.Decolorize;
import io.icegate.logql.ast.DropLabels;
import io.icegate.logql.ast.DurationLabelFilter;
import io.icegate.logql.ast.Grouping;
import io.icegate.logql.ast.IpLabelFilter;
import io.icegate.logql.ast.IpLineFilter;
import io.icegate.logql.ast.JsonParser;
import io.icegate.logql.ast.KeepLabels;
import io.icegate.logql.ast.LabelExtraction;
import io.icegate.logql.ast.LabelFilter;
import io.icegate.logql.ast.LabelFilterStage;
import io.icegate.logql.ast.LabelFormat;
import io.icegate.logql.ast.LabelMatcher;
import io.icegate.logql.ast.LabelReplaceExpr;
import io.icegate.logql.ast.LineFilter;
import io.icegate.logql.ast.LineFormat;
import io.icegate.logql.ast.LiteralExpr;
import io.icegate.logql.ast.LogQLExpr;
import io.icegate.logql.ast.LogRangeExpr;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.LogfmtParser;
import io.icegate.logql.ast.NamedLabelMatcher;
import io.icegate.logql.ast.NumericLabelFilter;
import io.icegate.logql.ast.PatternLineFilter;
import io.icegate.logql.ast.PatternParser;
import io.icegate.logql.ast.PipelineStage;
import io.icegate.logql.ast.RangeAggregationExpr;
import io.icegate.logql.ast.RegexpParser;
import io.icegate.logql.ast.SampleExpr;
import io.icegate.logql.ast.StreamSelector;
import io.icegate.logql.ast.StringLabelFilter;
import io.icegate.logql.ast.UnpackParser;
import io.icegate.logql.ast.Unwrap;
import io.icegate.logql.ast.VectorAggregationExpr;
import io.icegate.logql.ast.VectorExpr;
import io.icegate.logql.ast.VectorMatching;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Prints a query as Loki does, for Loki's {@code /format_query} API and for messages:
 *
 * <ul>
 *   <li>{@link #format}: the canonical one-line form (Loki's {@code String()}): {@code
 *       sum by (app)(rate({app="api"} |= "error"[5m]))}, binary operations in parentheses,
 *       literal arithmetic folded, durations and sizes normalised.
 *   <li>{@link #prettify}: the multi-line form (Loki's {@code Prettify}): an expression longer
 *       than the line limit is split, each part indented by two spaces per level.
 * </ul>
 *
 * <p>Formatting a query and parsing the result gives the same syntax tree.
 */
public final class LogQLFormatter {
  /** Loki's line limit for {@link #prettify(LogQLExpr)}. */
  public static final int MAX_CHARS_PER_LINE = 100;

  private static final String INDENT = "  ";

  private LogQLFormatter() {}

  /** The canonical one-line form of {@code expr}, as Loki's {@code String()}. */
  public static String format(LogQLExpr expr) {
    if (expr instanceof LogSelectorExpr log) {
      return logSelector(log);
    }
    return sample((SampleExpr) expr);
  }

  /** The multi-line form of {@code expr}, as Loki's {@code Prettify} (lines up to 100 bytes). */
  public static String prettify(LogQLExpr expr) {
    return prettify(expr, MAX_CHARS_PER_LINE);
  }

  /**
   * The multi-line form of {@code expr}: expressions whose canonical form is longer than {@code
   * maxCharsPerLine} UTF-8 bytes are split over lines.
   */
  public static String prettify(LogQLExpr expr, int maxCharsPerLine) {
    Pretty pretty = new Pretty(maxCharsPerLine);
    if (expr instanceof LogSelectorExpr log) {
      return pretty.logSelector(log, 0);
    }
    return pretty.sample((SampleExpr) expr, 0);
  }

  // --- the one-line form ---

  static String logSelector(LogSelectorExpr expr) {
    String selector = selector(expr.selector());
    if (expr.pipeline().isEmpty()) {
      return selector;
    }
    return selector
        + " "
        + expr.pipeline().stream().map(LogQLFormatter::stage).collect(Collectors.joining(" "));
  }

  static String selector(StreamSelector selector) {
    return selector.matchers().stream()
        .map(LogQLFormatter::matcher)
        .collect(Collectors.joining(", ", "{", "}"));
  }

  /** Prometheus' matcher form: {@code name="value"}, the name quoted if it is not a plain name. */
  static String matcher(LabelMatcher m) {
    return labelName(m.name()) + m.type().symbol() + GoText.quote(m.value());
  }

  private static String labelName(String name) {
    boolean plain = !name.isEmpty();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letter = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (!letter && !(i > 0 && c >= '0' && c <= '9')) {
        plain = false;
      }
    }
    return plain ? name : GoText.quote(name);
  }

  /** One stage as Loki prints it: {@code | json}, {@code |= "a" or "b"}, {@code | a>5}. */
  static String stage(PipelineStage stage) {
    if (isLineFilter(stage)) {
      return String.join(" ", lineFilterPieces(stage));
    }
    if (stage instanceof JsonParser json) {
      return json.extractions().isEmpty() ? "| json" : "| json " + extractions(json.extractions());
    }
    if (stage instanceof LogfmtParser logfmt) {
      return logfmt(logfmt);
    }
    if (stage instanceof RegexpParser regexp) {
      return "| regexp " + GoText.quote(regexp.regex());
    }
    if (stage instanceof PatternParser pattern) {
      return "| pattern " + GoText.quote(pattern.pattern());
    }
    if (stage instanceof UnpackParser) {
      return "| unpack";
    }
    if (stage instanceof LabelFilterStage filter) {
      return "| " + labelFilter(filter.filter());
    }
    if (stage instanceof LineFormat format) {
      return "| line_format " + GoText.quote(format.template());
    }
    if (stage instanceof LabelFormat format) {
      return "| label_format "
          + format.operations().stream()
              .map(
                  op ->
                      op instanceof LabelFormat.Rename rename
                          ? rename.target() + "=" + rename.source()
                          : op.target()
                              + "="
                              + GoText.quote(((LabelFormat.Template) op).template()))
              .collect(Collectors.joining(","));
    }
    if (stage instanceof Decolorize) {
      return "| decolorize";
    }
    if (stage instanceof DropLabels drop) {
      return "| drop " + namedMatchers(drop.labels());
    }
    if (stage instanceof KeepLabels keep) {
      return "| keep " + namedMatchers(keep.labels());
    }
    throw new IllegalStateException("unknown stage " + stage);
  }

  static boolean isLineFilter(PipelineStage stage) {
    return stage instanceof LineFilter
        || stage instanceof PatternLineFilter
        || stage instanceof IpLineFilter;
  }

  /**
   * A line filter as the pieces Loki prints: the alternatives of a positive filter are one piece
   * ({@code |= "a" or "b"}); a negative filter passes only lines that match none, which Loki
   * prints as one filter per alternative ({@code != "a" != "b"}).
   */
  static List<String> lineFilterPieces(PipelineStage filter) {
    String symbol;
    boolean negated;
    List<String> values = new ArrayList<>();
    if (filter instanceof LineFilter f) {
      symbol = f.op().symbol();
      negated = f.op().negated();
      f.values().forEach(v -> values.add(GoText.quote(v)));
    } else if (filter instanceof PatternLineFilter f) {
      symbol = f.symbol();
      negated = f.negated();
      f.patterns().forEach(v -> values.add(GoText.quote(v)));
    } else {
      IpLineFilter f = (IpLineFilter) filter;
      symbol = f.op().symbol();
      negated = f.op().negated();
      for (IpLineFilter.Alternative alternative : f.alternatives()) {
        values.add(
            alternative instanceof IpLineFilter.IpPattern ip
                ? "ip(" + GoText.quote(ip.pattern()) + ")"
                : GoText.quote(((IpLineFilter.Text) alternative).value()));
      }
    }
    return lineFilterPieces(symbol, negated, values);
  }

  /** {@link #lineFilterPieces(PipelineStage)} from an operator and printed alternatives. */
  static List<String> lineFilterPieces(String symbol, boolean negated, List<String> values) {
    if (negated) {
      return values.stream().map(v -> symbol + " " + v).toList();
    }
    return List.of(symbol + " " + String.join(" or ", values));
  }

  private static String logfmt(LogfmtParser logfmt) {
    StringBuilder out = new StringBuilder("| logfmt");
    if (logfmt.extractions().isEmpty()) {
      if (logfmt.strict()) {
        out.append(" --strict");
      }
      if (logfmt.keepEmpty()) {
        out.append(" --keep-empty");
      }
      return out.toString();
    }
    out.append(' ');
    if (logfmt.strict()) {
      out.append("--strict ");
    }
    if (logfmt.keepEmpty()) {
      out.append("--keep-empty ");
    }
    return out.append(extractions(logfmt.extractions())).toString();
  }

  private static String extractions(List<LabelExtraction> extractions) {
    return extractions.stream()
        .map(e -> e.label() + "=" + GoText.quote(e.expression()))
        .collect(Collectors.joining(","));
  }

  private static String namedMatchers(List<NamedLabelMatcher> labels) {
    return labels.stream()
        .map(l -> l.matcher().map(LogQLFormatter::matcher).orElse(l.name()))
        .collect(Collectors.joining(","));
  }

  /** A label filter as Loki prints it: {@code ( a>5 , b="x" )}, {@code latency>250ms}. */
  static String labelFilter(LabelFilter filter) {
    if (filter instanceof BinaryLabelFilter binary) {
      String op = binary.op() == BinaryLabelFilter.Op.AND ? " , " : " or ";
      return "( " + labelFilter(binary.left()) + op + labelFilter(binary.right()) + " )";
    }
    if (filter instanceof StringLabelFilter string) {
      LabelMatcher m = string.matcher();
      // Loki runs a label regex it cannot reduce to literal tests as a regex, and prints it raw.
      if (m.type() == LabelMatcher.MatchType.RE && !RegexLiterals.simplifies(m.value())) {
        String regex =
            m.value().contains("`") ? GoText.quote(m.value()) : "`" + m.value() + "`";
        return m.name() + "=~" + regex;
      }
      return matcher(m);
    }
    if (filter instanceof NumericLabelFilter numeric) {
      return numeric.label() + numeric.op().symbol() + GoText.formatPlain(numeric.value());
    }
    if (filter instanceof DurationLabelFilter duration) {
      return duration.label() + duration.op().symbol() + GoDuration.formatGo(duration.value());
    }
    if (filter instanceof BytesLabelFilter bytes) {
      return bytes.label() + bytes.op().symbol() + ByteSize.format(bytes.bytes());
    }
    IpLabelFilter ip = (IpLabelFilter) filter;
    return ip.label() + (ip.negated() ? "!=" : "=") + "ip(" + GoText.quote(ip.pattern()) + ")";
  }

  static String sample(SampleExpr expr) {
    if (expr instanceof RangeAggregationExpr range) {
      StringBuilder out = new StringBuilder(range.op().function()).append('(');
      range.parameter().ifPresent(p -> out.append(GoText.formatPlain(p)).append(','));
      out.append(logRange(range.range())).append(')');
      range.grouping().ifPresent(g -> out.append(grouping(g)));
      return out.toString();
    }
    if (expr instanceof VectorAggregationExpr vector) {
      StringBuilder out = new StringBuilder(vector.op().function());
      if (!vector.grouping().labels().isEmpty() || vector.grouping().without()) {
        out.append(grouping(vector.grouping()));
      }
      out.append('(');
      vector.parameter().ifPresent(k -> out.append(k).append(','));
      return out.append(sample(vector.inner())).append(')').toString();
    }
    if (expr instanceof BinOpExpr binOp) {
      return "("
          + sample(binOp.left())
          + " "
          + binOpOperator(binOp)
          + " "
          + sample(binOp.right())
          + ")";
    }
    if (expr instanceof LiteralExpr literal) {
      return GoText.formatShortest(literal.value());
    }
    if (expr instanceof VectorExpr vector) {
      return "vector(" + GoText.formatSixDecimals(vector.value()) + ")";
    }
    LabelReplaceExpr replace = (LabelReplaceExpr) expr;
    return "label_replace("
        + sample(replace.inner())
        + ","
        + GoText.quote(replace.destination())
        + ","
        + GoText.quote(replace.replacement())
        + ","
        + GoText.quote(replace.source())
        + ","
        + GoText.quote(replace.regex())
        + ")";
  }

  // Loki writes `on ()` but not `ignoring ()`, and a group modifier only after one of them.
  private static String binOpOperator(BinOpExpr binOp) {
    String op = binOp.op().symbol();
    if (binOp.returnBool()) {
      op += " bool";
    }
    VectorMatching matching = binOp.matching();
    String group = group(matching);
    if (!matching.include().isEmpty()) {
      group += " (" + String.join(",", matching.include()) + ")";
    }
    // Loki also drops `ignoring () group_left`, which changes the query; we keep it.
    if (matching.on()
        || !matching.matchingLabels().isEmpty()
        || matching.cardinality() != VectorMatching.Cardinality.ONE_TO_ONE) {
      op +=
          " "
              + (matching.on() ? "on" : "ignoring")
              + " ("
              + String.join(",", matching.matchingLabels())
              + ") "
              + group;
    }
    return op;
  }

  private static String group(VectorMatching matching) {
    return switch (matching.cardinality()) {
      case ONE_TO_ONE -> "";
      case MANY_TO_ONE -> "group_left";
      case ONE_TO_MANY -> "group_right";
    };
  }

  private static String grouping(Grouping g) {
    return (g.without() ? " without " : " by ") + "(" + String.join(",", g.labels()) + ")";
  }

  static String logRange(LogRangeExpr range) {
    StringBuilder out = new StringBuilder(logSelector(range.selector()));
    range.unwrap().ifPresent(u -> out.append(unwrap(u)));
    out.append('[').append(GoDuration.formatPrometheus(range.range())).append(']');
    if (!range.offset().isZero()) {
      out.append(" offset ").append(GoDuration.formatGo(range.offset()));
    }
    return out.toString();
  }

  private static String unwrap(Unwrap unwrap) {
    StringBuilder out = new StringBuilder(" | unwrap ").append(unwrapTarget(unwrap));
    for (LabelFilter filter : unwrap.postFilters()) {
      out.append(" | ").append(labelFilter(filter));
    }
    return out.toString();
  }

  private static String unwrapTarget(Unwrap unwrap) {
    return unwrap.conversion() == Unwrap.Conversion.NONE
        ? unwrap.label()
        : unwrap.conversion().function() + "(" + unwrap.label() + ")";
  }

  // --- the multi-line form ---

  /** Loki's {@code Pretty(level)} methods. */
  private static final class Pretty {
    private final int maxCharsPerLine;

    Pretty(int maxCharsPerLine) {
      this.maxCharsPerLine = maxCharsPerLine;
    }

    // Loki measures the line in bytes.
    private boolean fits(String oneLine) {
      return oneLine.getBytes(StandardCharsets.UTF_8).length <= maxCharsPerLine;
    }

    private static String indent(int level) {
      return INDENT.repeat(level);
    }

    String logSelector(LogSelectorExpr expr, int level) {
      String oneLine = LogQLFormatter.logSelector(expr);
      if (expr.pipeline().isEmpty() || fits(oneLine)) {
        return indent(level) + oneLine;
      }
      List<String> lines = new ArrayList<>();
      lines.add(indent(level) + selector(expr.selector()));
      List<String> filterPieces = new ArrayList<>();
      for (PipelineStage stage : expr.pipeline()) {
        if (isLineFilter(stage)) {
          filterPieces.addAll(lineFilterPieces(stage));
          continue;
        }
        if (!filterPieces.isEmpty()) {
          lines.add(lineFilters(filterPieces, level + 1));
          filterPieces.clear();
        }
        lines.add(indent(level + 1) + stage(stage));
      }
      if (!filterPieces.isEmpty()) {
        lines.add(lineFilters(filterPieces, level + 1));
      }
      return String.join("\n", lines);
    }

    // Consecutive line filters are one stage for Loki: on one line if they fit, else the last
    // filter on its own line after the others, split the same way. (Loki prints only the first
    // alternative of a split `or` filter, which changes the query; we print them all.)
    private String lineFilters(List<String> pieces, int level) {
      String oneLine = String.join(" ", pieces);
      if (pieces.size() == 1 || fits(oneLine)) {
        return indent(level) + oneLine;
      }
      return lineFilters(pieces.subList(0, pieces.size() - 1), level)
          + "\n"
          + indent(level)
          + pieces.get(pieces.size() - 1);
    }

    String sample(SampleExpr expr, int level) {
      String oneLine = LogQLFormatter.sample(expr);
      if (fits(oneLine) || expr instanceof LiteralExpr || expr instanceof VectorExpr) {
        return indent(level) + oneLine;
      }
      if (expr instanceof RangeAggregationExpr range) {
        StringBuilder out = new StringBuilder(indent(level)).append(range.op().function());
        out.append("(\n");
        range
            .parameter()
            .ifPresent(
                p -> out.append(indent(level + 1)).append(GoText.formatShortest(p)).append(",\n"));
        out.append(logRange(range.range(), level + 1));
        out.append('\n').append(indent(level)).append(')');
        // For a range aggregation `by ()` (one series out) differs from no grouping (one series
        // per stream); Loki drops it here, we keep it.
        range
            .grouping()
            .ifPresent(g -> out.append(g.equals(Grouping.by()) ? " by ()" : grouping(g)));
        return out.toString();
      }
      if (expr instanceof VectorAggregationExpr vector) {
        List<String> params = new ArrayList<>();
        vector.parameter().ifPresent(k -> params.add(indent(level + 1) + k));
        params.add(sample(vector.inner(), level + 1));
        return indent(level)
            + vector.op().function()
            + grouping(vector.grouping())
            + "(\n"
            + String.join(",\n", params)
            + "\n"
            + indent(level)
            + ")";
      }
      if (expr instanceof BinOpExpr binOp) {
        return operand(binOp, binOp.left(), true, level + 1)
            + "\n"
            + indent(level)
            + binOpOperator(binOp)
            + "\n"
            + operand(binOp, binOp.right(), false, level + 1);
      }
      LabelReplaceExpr replace = (LabelReplaceExpr) expr;
      List<String> params =
          List.of(
              sample(replace.inner(), level + 1),
              indent(level + 1) + GoText.quote(replace.destination()),
              indent(level + 1) + GoText.quote(replace.replacement()),
              indent(level + 1) + GoText.quote(replace.source()),
              indent(level + 1) + GoText.quote(replace.regex()));
      return indent(level) + "label_replace(\n" + String.join(",\n", params) + "\n"
          + indent(level) + ")";
    }

    // Loki shows the operands of a split operation by indentation only, so `(a + b) / c` would
    // read back as `a + b / c`; we add the parentheses the precedence needs.
    private String operand(BinOpExpr parent, SampleExpr operand, boolean left, int level) {
      String pretty = sample(operand, level);
      if (!(operand instanceof BinOpExpr child) || !pretty.contains("\n")) {
        return pretty;
      }
      int p = precedence(parent.op());
      int c = precedence(child.op());
      boolean rightAssociative = parent.op() == BinOpExpr.Op.POW;
      boolean needed = c < p || (c == p && left == rightAssociative);
      if (!needed) {
        return pretty;
      }
      return indent(level) + "(\n" + sample(operand, level + 1) + "\n" + indent(level) + ")";
    }

    private static int precedence(BinOpExpr.Op op) {
      return switch (op) {
        case OR -> 1;
        case AND, UNLESS -> 2;
        case CMP_EQ, NEQ, GT, GTE, LT, LTE -> 3;
        case ADD, SUB -> 4;
        case MUL, DIV, MOD -> 5;
        case POW -> 6;
      };
    }

    private String logRange(LogRangeExpr range, int level) {
      StringBuilder out = new StringBuilder(logSelector(range.selector(), level));
      range
          .unwrap()
          .ifPresent(
              u -> {
                out.append('\n').append(indent(level + 1)).append("| unwrap ");
                out.append(unwrapTarget(u));
                for (LabelFilter filter : u.postFilters()) {
                  out.append('\n').append(indent(level + 1)).append("| ");
                  out.append(labelFilter(filter));
                }
              });
      out.append(" [").append(GoDuration.formatPrometheus(range.range())).append(']');
      if (!range.offset().isZero()) {
        out.append(" offset ").append(GoDuration.formatPrometheus(range.offset()));
      }
      return out.toString();
    }

    // Loki's multi-line grouping: ", " between labels, nothing for `by ()`. (Loki writes `without
    // ()` as `without` alone, which does not parse; we keep the parentheses.)
    private static String grouping(Grouping g) {
      if (g.labels().isEmpty()) {
        return g.without() ? " without ()" : "";
      }
      return (g.without() ? " without" : " by") + " (" + String.join(", ", g.labels()) + ")";
    }

    // Loki's multi-line operator: ", " between labels, and no `ignoring ()` without labels. (Loki
    // also drops `on ()` and a group modifier after `ignoring ()`, which changes the query; we keep
    // them.)
    private static String binOpOperator(BinOpExpr binOp) {
      String op = binOp.op().symbol();
      if (binOp.returnBool()) {
        op += " bool";
      }
      VectorMatching matching = binOp.matching();
      String group = LogQLFormatter.group(matching);
      if (!matching.include().isEmpty()) {
        group += " (" + String.join(", ", matching.include()) + ")";
      }
      if (matching.on()
          || !matching.matchingLabels().isEmpty()
          || matching.cardinality() != VectorMatching.Cardinality.ONE_TO_ONE) {
        op +=
            " "
                + (matching.on() ? "on" : "ignoring")
                + " ("
                + String.join(", ", matching.matchingLabels())
                + ") "
                + group;
      }
      return op;
    }
  }
}
