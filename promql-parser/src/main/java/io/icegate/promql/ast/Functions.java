package io.icegate.promql.ast;

import static io.icegate.promql.ast.ValueType.MATRIX;
import static io.icegate.promql.ast.ValueType.SCALAR;
import static io.icegate.promql.ast.ValueType.STRING;
import static io.icegate.promql.ast.ValueType.VECTOR;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every PromQL function with its signature, as Prometheus 3 defines them (argument types,
 * optional or repeated last arguments, result type). The parser checks calls against this table;
 * the engine looks implementations up by the same names.
 *
 * <p>Functions marked experimental are those Prometheus accepts only with
 * {@code --enable-feature=promql-experimental-functions}. {@code start}, {@code end},
 * {@code step}, {@code range}, {@code min_of} and {@code max_of} are experimental functions too
 * (the last four also serve in experimental duration expressions).
 */
public final class Functions {
  private Functions() {}

  private static final Map<String, Function> BY_NAME = byName(
      List.of(
          f("abs", List.of(VECTOR), 0, VECTOR, false),
          f("absent", List.of(VECTOR), 0, VECTOR, false),
          f("absent_over_time", List.of(MATRIX), 0, VECTOR, false),
          f("acos", List.of(VECTOR), 0, VECTOR, false),
          f("acosh", List.of(VECTOR), 0, VECTOR, false),
          f("asin", List.of(VECTOR), 0, VECTOR, false),
          f("asinh", List.of(VECTOR), 0, VECTOR, false),
          f("atan", List.of(VECTOR), 0, VECTOR, false),
          f("atanh", List.of(VECTOR), 0, VECTOR, false),
          f("avg_over_time", List.of(MATRIX), 0, VECTOR, false),
          f("ceil", List.of(VECTOR), 0, VECTOR, false),
          f("changes", List.of(MATRIX), 0, VECTOR, false),
          f("clamp", List.of(VECTOR, SCALAR, SCALAR), 0, VECTOR, false),
          f("clamp_max", List.of(VECTOR, SCALAR), 0, VECTOR, false),
          f("clamp_min", List.of(VECTOR, SCALAR), 0, VECTOR, false),
          f("cos", List.of(VECTOR), 0, VECTOR, false),
          f("cosh", List.of(VECTOR), 0, VECTOR, false),
          f("count_over_time", List.of(MATRIX), 0, VECTOR, false),
          f("days_in_month", List.of(VECTOR), 1, VECTOR, false),
          f("day_of_month", List.of(VECTOR), 1, VECTOR, false),
          f("day_of_week", List.of(VECTOR), 1, VECTOR, false),
          f("day_of_year", List.of(VECTOR), 1, VECTOR, false),
          f("deg", List.of(VECTOR), 0, VECTOR, false),
          f("delta", List.of(MATRIX), 0, VECTOR, false),
          f("deriv", List.of(MATRIX), 0, VECTOR, false),
          f("double_exponential_smoothing", List.of(MATRIX, SCALAR, SCALAR), 0, VECTOR, true),
          f("end", List.of(), 0, SCALAR, true),
          f("exp", List.of(VECTOR), 0, VECTOR, false),
          f("first_over_time", List.of(MATRIX), 0, VECTOR, false),
          f("floor", List.of(VECTOR), 0, VECTOR, false),
          f("histogram_avg", List.of(VECTOR), 0, VECTOR, false),
          f("histogram_count", List.of(VECTOR), 0, VECTOR, false),
          f("histogram_fraction", List.of(SCALAR, SCALAR, VECTOR), 0, VECTOR, false),
          f("histogram_quantile", List.of(SCALAR, VECTOR), 0, VECTOR, false),
          f("histogram_quantiles", List.of(VECTOR, STRING, SCALAR, SCALAR), 9, VECTOR, true),
          f("histogram_stddev", List.of(VECTOR), 0, VECTOR, false),
          f("histogram_stdvar", List.of(VECTOR), 0, VECTOR, false),
          f("histogram_sum", List.of(VECTOR), 0, VECTOR, false),
          f("hour", List.of(VECTOR), 1, VECTOR, false),
          f("idelta", List.of(MATRIX), 0, VECTOR, false),
          f("increase", List.of(MATRIX), 0, VECTOR, false),
          f("info", List.of(VECTOR, VECTOR), 1, VECTOR, true),
          f("irate", List.of(MATRIX), 0, VECTOR, false),
          f("label_join", List.of(VECTOR, STRING, STRING, STRING), -1, VECTOR, false),
          f("label_replace", List.of(VECTOR, STRING, STRING, STRING, STRING), 0, VECTOR, false),
          f("last_over_time", List.of(MATRIX), 0, VECTOR, false),
          f("ln", List.of(VECTOR), 0, VECTOR, false),
          f("log10", List.of(VECTOR), 0, VECTOR, false),
          f("log2", List.of(VECTOR), 0, VECTOR, false),
          f("mad_over_time", List.of(MATRIX), 0, VECTOR, true),
          f("max_of", List.of(SCALAR, SCALAR), 0, SCALAR, true),
          f("max_over_time", List.of(MATRIX), 0, VECTOR, false),
          f("min_of", List.of(SCALAR, SCALAR), 0, SCALAR, true),
          f("min_over_time", List.of(MATRIX), 0, VECTOR, false),
          f("minute", List.of(VECTOR), 1, VECTOR, false),
          f("month", List.of(VECTOR), 1, VECTOR, false),
          f("pi", List.of(), 0, SCALAR, false),
          f("predict_linear", List.of(MATRIX, SCALAR), 0, VECTOR, false),
          f("present_over_time", List.of(MATRIX), 0, VECTOR, false),
          f("quantile_over_time", List.of(SCALAR, MATRIX), 0, VECTOR, false),
          f("rad", List.of(VECTOR), 0, VECTOR, false),
          f("range", List.of(), 0, SCALAR, true),
          f("rate", List.of(MATRIX), 0, VECTOR, false),
          f("resets", List.of(MATRIX), 0, VECTOR, false),
          f("round", List.of(VECTOR, SCALAR), 1, VECTOR, false),
          f("scalar", List.of(VECTOR), 0, SCALAR, false),
          f("sgn", List.of(VECTOR), 0, VECTOR, false),
          f("sin", List.of(VECTOR), 0, VECTOR, false),
          f("sinh", List.of(VECTOR), 0, VECTOR, false),
          f("sort", List.of(VECTOR), 0, VECTOR, false),
          f("sort_by_label", List.of(VECTOR, STRING), -1, VECTOR, true),
          f("sort_by_label_desc", List.of(VECTOR, STRING), -1, VECTOR, true),
          f("sort_desc", List.of(VECTOR), 0, VECTOR, false),
          f("sqrt", List.of(VECTOR), 0, VECTOR, false),
          f("start", List.of(), 0, SCALAR, true),
          f("start_timestamp", List.of(VECTOR), 0, VECTOR, true),
          f("step", List.of(), 0, SCALAR, true),
          f("stddev_over_time", List.of(MATRIX), 0, VECTOR, false),
          f("stdvar_over_time", List.of(MATRIX), 0, VECTOR, false),
          f("sum_over_time", List.of(MATRIX), 0, VECTOR, false),
          f("tan", List.of(VECTOR), 0, VECTOR, false),
          f("tanh", List.of(VECTOR), 0, VECTOR, false),
          f("time", List.of(), 0, SCALAR, false),
          f("timestamp", List.of(VECTOR), 0, VECTOR, false),
          f("ts_of_first_over_time", List.of(MATRIX), 0, VECTOR, true),
          f("ts_of_last_over_time", List.of(MATRIX), 0, VECTOR, true),
          f("ts_of_max_over_time", List.of(MATRIX), 0, VECTOR, true),
          f("ts_of_min_over_time", List.of(MATRIX), 0, VECTOR, true),
          f("vector", List.of(SCALAR), 0, VECTOR, false),
          f("year", List.of(VECTOR), 1, VECTOR, false)));

  /** The function called {@code name}, if PromQL has one. Names are case-sensitive. */
  public static Optional<Function> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** All functions, by name in alphabetical order. */
  public static Map<String, Function> all() {
    return BY_NAME;
  }

  private static Function f(
      String name, List<ValueType> args, int variadic, ValueType result, boolean experimental) {
    return new Function(name, args, variadic, result, experimental);
  }

  private static Map<String, Function> byName(List<Function> functions) {
    Map<String, Function> map = new LinkedHashMap<>();
    for (Function f : functions) {
      map.put(f.name(), f);
    }
    return Collections.unmodifiableMap(map);
  }
}
