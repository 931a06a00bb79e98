package io.icegate.logql;

import io.icegate.logql.ast.BinOpExpr;
import io.icegate.logql.ast.BinaryLabelFilter;
import io.icegate.logql.ast.IpLabelFilter;
import io.icegate.logql.ast.IpLineFilter;
import io.icegate.logql.ast.JsonParser;
import io.icegate.logql.ast.LabelExtraction;
import io.icegate.logql.ast.LabelFilter;
import io.icegate.logql.ast.LabelFilterStage;
import io.icegate.logql.ast.LabelFormat;
import io.icegate.logql.ast.LabelReplaceExpr;
import io.icegate.logql.ast.LineFilter;
import io.icegate.logql.ast.LineFormat;
import io.icegate.logql.ast.LogQLExpr;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.LogfmtParser;
import io.icegate.logql.ast.PatternLineFilter;
import io.icegate.logql.ast.PipelineStage;
import io.icegate.logql.ast.RangeAggregationExpr;
import io.icegate.logql.ast.UnpackParser;
import io.icegate.logql.ast.Unwrap;
import io.icegate.logql.ast.VectorAggregationExpr;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The checks Loki makes when it builds the stages of a pipeline, before it reads any log line:
 * regexes and patterns of line filters, {@code ip()} patterns and operators, label extraction
 * expressions of {@code json} and {@code logfmt}, and {@code label_format} targets.
 *
 * <p>Loki reports these when it runs the query, as {@code stage '<stage>' : <error>}; we report
 * them when parsing, after the other checks, with the same words. As Loki does, consecutive line
 * filters are checked as one stage, moved ahead of the parsers around them (up to the next label
 * filter, {@code line_format} or {@code unpack}), the last filter first.
 */
final class StageChecks {
  private StageChecks() {}

  /** Fails with Loki's error for the first stage of the query that Loki cannot build. */
  static void check(LogQLExpr expr) {
    firstError(expr)
        .ifPresent(
            detail -> {
              throw LogQLParseException.withoutPosition(detail);
            });
  }

  /** Loki's error for the first stage of the query it cannot build, or empty. */
  static Optional<String> firstError(LogQLExpr expr) {
    if (expr instanceof LogSelectorExpr log) {
      return firstError(log.pipeline(), Optional.empty());
    }
    if (expr instanceof RangeAggregationExpr range) {
      return firstError(range.range().selector().pipeline(), range.range().unwrap());
    }
    if (expr instanceof VectorAggregationExpr vector) {
      return firstError(vector.inner());
    }
    if (expr instanceof BinOpExpr binOp) {
      return firstError(binOp.left()).or(() -> firstError(binOp.right()));
    }
    if (expr instanceof LabelReplaceExpr replace) {
      return firstError(replace.inner());
    }
    return Optional.empty(); // literals and vector()
  }

  private static Optional<String> firstError(List<PipelineStage> pipeline, Optional<Unwrap> unwrap) {
    for (List<PipelineStage> stage : inLokisOrder(pipeline)) {
      Optional<String> error = stageError(stage);
      if (error.isPresent()) {
        return error;
      }
    }
    if (unwrap.isPresent()) {
      for (LabelFilter filter : unwrap.get().postFilters()) {
        Optional<String> error = ipLabelFilterError(filter);
        if (error.isPresent()) {
          return Optional.of(stageMessage("| " + LogQLFormatter.labelFilter(filter), error.get()));
        }
      }
    }
    return Optional.empty();
  }

  // Loki's reordering: line filters join one stage ahead of the parsers and formatters around
  // them; a label filter, line_format or unpack ends the run. Each list is one stage.
  private static List<List<PipelineStage>> inLokisOrder(List<PipelineStage> pipeline) {
    List<List<PipelineStage>> stages = new ArrayList<>();
    List<PipelineStage> filters = new ArrayList<>();
    List<PipelineStage> others = new ArrayList<>();
    for (PipelineStage stage : pipeline) {
      if (LogQLFormatter.isLineFilter(stage)) {
        filters.add(stage);
        continue;
      }
      if (stage instanceof LabelFilterStage) {
        flush(stages, filters, others);
        stages.add(List.of(stage));
        continue;
      }
      others.add(stage);
      if (stage instanceof LineFormat || stage instanceof UnpackParser) {
        flush(stages, filters, others);
      }
    }
    flush(stages, filters, others);
    return stages;
  }

  private static void flush(
      List<List<PipelineStage>> stages, List<PipelineStage> filters, List<PipelineStage> others) {
    if (!filters.isEmpty()) {
      stages.add(List.copyOf(filters));
    }
    others.forEach(other -> stages.add(List.of(other)));
    filters.clear();
    others.clear();
  }

  private static Optional<String> stageError(List<PipelineStage> stage) {
    PipelineStage built = stage.get(0);
    if (LogQLFormatter.isLineFilter(built)) {
      return lineFiltersError(stage);
    }
    Optional<String> error = Optional.empty();
    if (built instanceof JsonParser json) {
      error = extractionError(json.extractions(), ExtractionSyntax::jsonExpressionError);
    } else if (built instanceof LogfmtParser logfmt) {
      error = extractionError(logfmt.extractions(), ExtractionSyntax::logfmtExpressionError);
    } else if (built instanceof LabelFormat format) {
      error = labelFormatError(format);
    } else if (built instanceof LabelFilterStage filter) {
      error = ipLabelFilterError(filter.filter());
    }
    return error.map(e -> stageMessage(LogQLFormatter.stage(built), e));
  }

  // Loki checks a run of line filters from the last to the first; the alternatives of a positive
  // filter from the first, those of a negative one (separate filters for Loki) from the last.
  private static Optional<String> lineFiltersError(List<PipelineStage> filters) {
    List<String> text = new ArrayList<>();
    for (PipelineStage filter : filters) {
      text.addAll(LogQLFormatter.lineFilterPieces(filter));
    }
    for (int i = filters.size() - 1; i >= 0; i--) {
      Optional<String> error = lineFilterError(filters.get(i));
      if (error.isPresent()) {
        return Optional.of(stageMessage(String.join(" ", text), error.get()));
      }
    }
    return Optional.empty();
  }

  private static Optional<String> lineFilterError(PipelineStage stage) {
    List<Optional<String>> errors = new ArrayList<>();
    boolean negated;
    if (stage instanceof LineFilter filter) {
      negated = filter.op().negated();
      boolean regex =
          filter.op() == LineFilter.Op.MATCHES_REGEX
              || filter.op() == LineFilter.Op.NOT_MATCHES_REGEX;
      filter.values().forEach(v -> errors.add(regex ? Re2Syntax.error(v) : Optional.empty()));
    } else if (stage instanceof PatternLineFilter filter) {
      negated = filter.negated();
      filter.patterns().forEach(p -> errors.add(PatternSyntax.lineFilterError(p)));
    } else {
      IpLineFilter filter = (IpLineFilter) stage;
      negated = filter.op().negated();
      for (IpLineFilter.Alternative alternative : filter.alternatives()) {
        errors.add(ipAlternativeError(filter.op(), alternative));
      }
    }
    if (negated) {
      Collections.reverse(errors);
    }
    return errors.stream().flatMap(Optional::stream).findFirst();
  }

  // Loki builds each alternative as a filter of its own: ip() only with |= and !=, text as the
  // operator reads it.
  private static Optional<String> ipAlternativeError(
      IpLineFilter.Op op, IpLineFilter.Alternative alternative) {
    if (alternative instanceof IpLineFilter.IpPattern ip) {
      if (op != IpLineFilter.Op.CONTAINS && op != IpLineFilter.Op.NOT_CONTAINS) {
        return Optional.of("ip: invalid operation");
      }
      return IpPattern.isValid(ip.pattern())
          ? Optional.empty()
          : Optional.of(invalidIpPattern(ip.pattern()));
    }
    String text = ((IpLineFilter.Text) alternative).value();
    return switch (op) {
      case MATCHES_REGEX, NOT_MATCHES_REGEX -> Re2Syntax.error(text);
      case MATCHES_PATTERN, NOT_MATCHES_PATTERN -> PatternSyntax.lineFilterError(text);
      default -> Optional.empty();
    };
  }

  private static Optional<String> extractionError(
      List<LabelExtraction> extractions, Function<String, Optional<String>> syntax) {
    for (LabelExtraction extraction : extractions) {
      Optional<String> error = syntax.apply(extraction.expression());
      if (error.isPresent()) {
        return Optional.of(
            "cannot parse expression [" + extraction.expression() + "]: " + error.get());
      }
    }
    return Optional.empty();
  }

  // Renaming and formatting the same label in one stage would be ambiguous; __error__ is Loki's.
  private static Optional<String> labelFormatError(LabelFormat format) {
    Set<String> targets = new HashSet<>();
    for (LabelFormat.Operation operation : format.operations()) {
      String target = operation.target();
      if (target.equals("__error__")) {
        return Optional.of(target + " cannot be formatted");
      }
      if (!targets.add(target)) {
        return Optional.of(
            "multiple label name '" + target + "' not allowed in a single format operation");
      }
    }
    return Optional.empty();
  }

  // Loki checks the pattern only when ip() is the whole label filter; inside `and`/`or` a bad
  // pattern never matches. We refuse it everywhere: a filter that can never match is a mistake.
  private static Optional<String> ipLabelFilterError(LabelFilter filter) {
    if (filter instanceof BinaryLabelFilter binary) {
      return ipLabelFilterError(binary.left()).or(() -> ipLabelFilterError(binary.right()));
    }
    if (filter instanceof IpLabelFilter ip && !IpPattern.isValid(ip.pattern())) {
      return Optional.of(invalidIpPattern(ip.pattern()));
    }
    return Optional.empty();
  }

  static String invalidIpPattern(String pattern) {
    return "ip: invalid pattern: " + GoText.quote(pattern);
  }

  private static String stageMessage(String stage, String error) {
    return "stage '" + stage + "' : " + error;
  }
}
