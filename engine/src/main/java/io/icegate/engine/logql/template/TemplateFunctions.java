package io.icegate.engine.logql.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.icegate.engine.logql.pipeline.GoValues;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The functions Loki's templates may call: Go's template builtins, Loki's own ({@code ToUpper},
 * {@code Replace}, {@code regexReplaceAll}, {@code unixEpoch}, {@code __line__}, …) and the Sprig
 * functions Loki exposes ({@code default}, {@code add}, {@code date}, {@code trunc}, …). Each
 * checks its argument count and types as Go's template engine does, with Go's messages.
 */
public final class TemplateFunctions {
  private TemplateFunctions() {}

  /** What a template sees of the entry besides its labels. */
  public record Context(String line, long timestampNanos) {}

  /** A call that failed; the message is Go's, without the template position. */
  static final class CallException extends Exception {
    CallException(String message) {
      super(message, null, false, false);
    }
  }

  @FunctionalInterface
  private interface Impl {
    Object apply(List<Object> a, Context ctx) throws CallException;
  }

  /** {@code max} -1: variadic from {@code min} on. */
  private record Fn(int min, int max, Impl impl) {}

  private static final Map<String, Fn> FUNCS = new HashMap<>();
  private static final Map<String, Pattern> REGEX_CACHE = new ConcurrentHashMap<>();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Go's time.Local; servers run in UTC, and Loki's tests expect UTC. */
  private static final ZoneId LOCAL = ZoneOffset.UTC;

  static boolean exists(String name) {
    return FUNCS.containsKey(name);
  }

  static Object call(String name, List<Object> args, Context ctx) throws CallException {
    Fn f = FUNCS.get(name);
    if (f.max() >= 0 && args.size() != f.max() || args.size() < f.min()) {
      throw new CallException(
          "wrong number of args for "
              + name
              + ": want "
              + (f.max() < 0 ? "at least " + f.min() : f.min())
              + " got "
              + args.size());
    }
    return f.impl().apply(args, ctx);
  }

  private static void def(String name, int n, Impl impl) {
    FUNCS.put(name, new Fn(n, n, impl));
  }

  private static String trimPrefix(String s, String prefix) {
    return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
  }

  private static String trimSuffix(String s, String suffix) {
    return s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
  }

  private static void variadic(String name, int min, Impl impl) {
    FUNCS.put(name, new Fn(min, -1, impl));
  }

  /** A function of one or more integers, folded left to right (Sprig's max, min). */
  private static void foldInt64(String name, java.util.function.LongBinaryOperator op) {
    variadic(
        name,
        1,
        (a, c) -> {
          long m = toInt64(a.get(0));
          for (int i = 1; i < a.size(); i++) {
            m = op.applyAsLong(m, toInt64(a.get(i)));
          }
          return m;
        });
  }

  /** A function of one or more floats, folded left to right (Sprig's maxf, minf). */
  private static void foldFloat64(String name, java.util.function.DoubleBinaryOperator op) {
    variadic(
        name,
        1,
        (a, c) -> {
          double m = toFloat64(a.get(0));
          for (int i = 1; i < a.size(); i++) {
            m = op.applyAsDouble(m, toFloat64(a.get(i)));
          }
          return m;
        });
  }

  /** A function of one or more floats folded in decimal arithmetic (Sprig's subf, mulf). */
  private static void foldDecimal(
      String name, java.util.function.BinaryOperator<BigDecimal> op) {
    variadic(
        name,
        1,
        (a, c) -> {
          BigDecimal s = BigDecimal.valueOf(toFloat64(a.get(0)));
          for (int i = 1; i < a.size(); i++) {
            s = op.apply(s, BigDecimal.valueOf(toFloat64(a.get(i))));
          }
          return s.doubleValue();
        });
  }

  // ------------------------------------------------------------ typed arguments, as Go checks them

  static String str(Object v) throws CallException {
    if (v instanceof String s) {
      return s;
    }
    throw new CallException("wrong type for value; expected string; got " + GoFormat.typeName(v));
  }

  static long intArg(Object v) throws CallException {
    if (v instanceof Long l) {
      return l;
    }
    throw new CallException("wrong type for value; expected int; got " + GoFormat.typeName(v));
  }

  static ZonedDateTime timeArg(Object v) throws CallException {
    if (v instanceof ZonedDateTime t) {
      return t;
    }
    throw new CallException(
        "wrong type for value; expected time.Time; got " + GoFormat.typeName(v));
  }

  /** Sprig's (cast library's) lenient conversion to int64. */
  static long toInt64(Object v) {
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof Double d) {
      return (long) (double) d;
    }
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    if (v instanceof String s) {
      try {
        String t = s.strip();
        if (t.startsWith("0x") || t.startsWith("0X")) {
          return Long.parseLong(t.substring(2), 16);
        }
        return Long.parseLong(t);
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return 0;
  }

  /** Sprig's (cast library's) lenient conversion to float64. */
  static double toFloat64(Object v) {
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof Double d) {
      return d;
    }
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    if (v instanceof String s) {
      try {
        return GoValues.parseFloat(s.strip());
      } catch (GoValues.ConversionException e) {
        return 0;
      }
    }
    return 0;
  }

  private static Pattern regex(String re) throws CallException {
    Pattern p = REGEX_CACHE.get(re);
    if (p == null) {
      try {
        p = Pattern.compile(re);
      } catch (PatternSyntaxException e) {
        throw new CallException("error parsing regexp: " + e.getMessage());
      }
      if (REGEX_CACHE.size() < 1000) {
        REGEX_CACHE.put(re, p);
      }
    }
    return p;
  }

  private static int[] codePoints(String s) {
    return s.codePoints().toArray();
  }

  private static String fromCodePoints(int[] cps, int from, int to) {
    return new String(cps, from, to - from);
  }

  private static String trimCutset(String s, String cutset, boolean left, boolean right) {
    int[] cps = codePoints(s);
    int a = 0;
    int b = cps.length;
    while (left && a < b && cutset.indexOf(cps[a]) >= 0) {
      a++;
    }
    while (right && b > a && cutset.indexOf(cps[b - 1]) >= 0) {
      b--;
    }
    return fromCodePoints(cps, a, b);
  }

  private static String queryEscape(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_'
          || c == '.'
          || c == '~') {
        sb.append((char) c);
      } else if (c == ' ') {
        sb.append('+');
      } else {
        sb.append('%').append(String.format("%02X", c));
      }
    }
    return sb.toString();
  }

  private static String queryUnescape(String s) throws CallException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new CallException("invalid URL escape " + GoValuesQuote.q(s.substring(i)));
        }
        try {
          out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        } catch (NumberFormatException e) {
          throw new CallException("invalid URL escape " + GoValuesQuote.q(s.substring(i, i + 3)));
        }
        i += 2;
      } else if (c == '+') {
        out.write(' ');
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Go's %q for short messages. */
  private static final class GoValuesQuote {
    static String q(String s) {
      return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
  }

  private static String title(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    boolean prevLetter = false;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      boolean letter = Character.isLetterOrDigit(cp) || cp == '_' || cp == '\'';
      sb.appendCodePoint(letter && !prevLetter ? Character.toTitleCase(cp) : cp);
      prevLetter = letter;
      i += Character.charCount(cp);
    }
    return sb.toString();
  }

  private static Object fromJsonNode(JsonNode n) {
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      var it = n.fields();
      while (it.hasNext()) {
        var e = it.next();
        m.put(e.getKey(), fromJsonNode(e.getValue()));
      }
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(x -> l.add(fromJsonNode(x)));
      return l;
    }
    if (n.isNumber()) {
      return n.asDouble();
    }
    if (n.isBoolean()) {
      return n.asBoolean();
    }
    if (n.isNull()) {
      return null;
    }
    return n.asText();
  }

  private static int compare(Object a, Object b) throws CallException {
    if (a instanceof Number x && b instanceof Number y) {
      return Double.compare(x.doubleValue(), y.doubleValue());
    }
    if (a instanceof String x && b instanceof String y) {
      return x.compareTo(y);
    }
    throw new CallException("incompatible types for comparison");
  }

  private static boolean equal(Object a, Object b) throws CallException {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof Number && b instanceof Number) {
      return compare(a, b) == 0;
    }
    if (a.getClass() != b.getClass()) {
      throw new CallException("incompatible types for comparison");
    }
    return a.equals(b);
  }

  /** Go's {@code fmt.Sprintf} for the common verbs. */
  static String sprintf(String format, List<Object> args) {
    StringBuilder sb = new StringBuilder();
    int ai = 0;
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%') {
        sb.append(c);
        continue;
      }
      int st = i++;
      while (i < format.length() && "+-# 0123456789.".indexOf(format.charAt(i)) >= 0) {
        i++;
      }
      if (i >= format.length()) {
        sb.append("%!(NOVERB)");
        break;
      }
      char verb = format.charAt(i);
      String flags = format.substring(st + 1, i);
      if (verb == '%') {
        sb.append('%');
        continue;
      }
      if (ai >= args.size()) {
        sb.append("%!").append(verb).append("(MISSING)");
        continue;
      }
      Object a = args.get(ai++);
      try {
        switch (verb) {
          case 'v', 's' -> sb.append(String.format("%" + flags + "s", GoFormat.print(a)));
          case 'q' -> sb.append(GoValuesQuote.q(GoFormat.print(a)));
          case 'd' -> sb.append(String.format("%" + flags + "d", toInt64(a)));
          case 'f', 'F', 'e', 'E' -> {}
          case 'g' -> sb.append(GoFormat.formatFloat(toFloat64(a)));
          case 'x' ->
              sb.append(
                  a instanceof String s
                      ? java.util.HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8))
                      : Long.toHexString(toInt64(a)));
          case 'X' ->
              sb.append(
                  a instanceof String s
                      ? java.util.HexFormat.of()
                          .withUpperCase()
                          .formatHex(s.getBytes(StandardCharsets.UTF_8))
                      : Long.toHexString(toInt64(a)).toUpperCase(Locale.ROOT));
          case 't' -> sb.append(GoFormat.print(a));
          default -> sb.append("%!").append(verb).append("(").append(GoFormat.print(a)).append(")");
        }
        if (verb == 'f' || verb == 'F' || verb == 'e' || verb == 'E') {
          String spec =
              "%"
                  + (flags.isEmpty() ? ".6" : flags.contains(".") ? flags : flags + ".6")
                  + (verb == 'F' ? 'f' : verb);
          sb.append(String.format(Locale.ROOT, spec, toFloat64(a)));
        }
      } catch (java.util.IllegalFormatException e) {
        sb.append("%!").append(verb).append("(BADFORMAT)");
      }
    }
    if (ai < args.size()) {
      sb.append("%!(EXTRA ");
      for (int k = ai; k < args.size(); k++) {
        if (k > ai) {
          sb.append(", ");
        }
        sb.append(GoFormat.typeName(args.get(k))).append('=').append(GoFormat.print(args.get(k)));
      }
      sb.append(')');
    }
    return sb.toString();
  }

  private static String goPrint(List<Object> args, boolean spaces) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < args.size(); i++) {
      Object a = args.get(i);
      if (i > 0 && (spaces || !(a instanceof String) && !(args.get(i - 1) instanceof String))) {
        sb.append(' ');
      }
      sb.append(a == null ? "<nil>" : GoFormat.print(a));
    }
    return sb.toString();
  }

  private static ZonedDateTime fromNanos(long nanos, ZoneId zone) {
    return Instant.ofEpochSecond(
            Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L))
        .atZone(zone);
  }

  static {
    // Go template builtins
    variadic(
        "and",
        1,
        (a, c) -> {
          for (Object o : a) {
            if (!GoFormat.truth(o)) {
              return o;
            }
          }
          return a.get(a.size() - 1);
        });
    variadic(
        "or",
        1,
        (a, c) -> {
          for (Object o : a) {
            if (GoFormat.truth(o)) {
              return o;
            }
          }
          return a.get(a.size() - 1);
        });
    def("not", 1, (a, c) -> !GoFormat.truth(a.get(0)));
    def(
        "len",
        1,
        (a, c) -> {
          Object v = a.get(0);
          if (v instanceof String s) {
            return (long) s.getBytes(StandardCharsets.UTF_8).length;
          }
          if (v instanceof Map<?, ?> m) {
            return (long) m.size();
          }
          if (v instanceof List<?> l) {
            return (long) l.size();
          }
          throw new CallException("error calling len: len of type " + GoFormat.typeName(v));
        });
    variadic(
        "index",
        1,
        (a, c) -> {
          Object v = a.get(0);
          for (int i = 1; i < a.size(); i++) {
            if (v instanceof Map<?, ?> m) {
              v = m.get(GoFormat.print(a.get(i)));
            } else if (v instanceof List<?> l) {
              long k = toInt64(a.get(i));
              if (k < 0 || k >= l.size()) {
                throw new CallException("error calling index: index out of range: " + k);
              }
              v = l.get((int) k);
            } else {
              throw new CallException(
                  "error calling index: can't index item of type " + GoFormat.typeName(v));
            }
          }
          return v;
        });
    variadic("print", 0, (a, c) -> goPrint(a, false));
    variadic("println", 0, (a, c) -> goPrint(a, true) + "\n");
    variadic("printf", 1, (a, c) -> sprintf(str(a.get(0)), a.subList(1, a.size())));
    variadic(
        "eq",
        1,
        (a, c) -> {
          for (int i = 1; i < a.size(); i++) {
            if (equal(a.get(0), a.get(i))) {
              return true;
            }
          }
          return false;
        });
    def("ne", 2, (a, c) -> !equal(a.get(0), a.get(1)));
    def("lt", 2, (a, c) -> compare(a.get(0), a.get(1)) < 0);
    def("le", 2, (a, c) -> compare(a.get(0), a.get(1)) <= 0);
    def("gt", 2, (a, c) -> compare(a.get(0), a.get(1)) > 0);
    def("ge", 2, (a, c) -> compare(a.get(0), a.get(1)) >= 0);
    variadic("urlquery", 0, (a, c) -> queryEscape(goPrint(a, false)));
    variadic(
        "html",
        0,
        (a, c) ->
            goPrint(a, false)
                .replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&#34;")
                .replace("'", "&#39;"));
    variadic(
        "js",
        0,
        (a, c) ->
            goPrint(a, false)
                .replace("\\", "\\\\")
                .replace("'", "\\'")
                .replace("\"", "\\\"")
                .replace("<", "\\u003C")
                .replace(">", "\\u003E"));

    // Loki's functions
    def("ToLower", 1, (a, c) -> str(a.get(0)).toLowerCase(Locale.ROOT));
    def("ToUpper", 1, (a, c) -> str(a.get(0)).toUpperCase(Locale.ROOT));
    def(
        "Replace",
        4,
        (a, c) -> {
          String s = str(a.get(0));
          String old = str(a.get(1));
          String neu = str(a.get(2));
          long n = intArg(a.get(3));
          if (n < 0) {
            return s.replace(old, neu);
          }
          StringBuilder sb = new StringBuilder();
          int from = 0;
          for (long k = 0; k < n; k++) {
            int at = s.indexOf(old, from);
            if (at < 0) {
              break;
            }
            sb.append(s, from, at).append(neu);
            from = at + old.length();
          }
          return sb.append(s.substring(from)).toString();
        });
    def("Trim", 2, (a, c) -> trimCutset(str(a.get(0)), str(a.get(1)), true, true));
    def("TrimLeft", 2, (a, c) -> trimCutset(str(a.get(0)), str(a.get(1)), true, false));
    def("TrimRight", 2, (a, c) -> trimCutset(str(a.get(0)), str(a.get(1)), false, true));
    // Go's strings functions take the string first; Sprig's the affix first.
    def("TrimPrefix", 2, (a, c) -> trimPrefix(str(a.get(0)), str(a.get(1))));
    def("TrimSuffix", 2, (a, c) -> trimSuffix(str(a.get(0)), str(a.get(1))));
    def("TrimSpace", 1, (a, c) -> str(a.get(0)).strip());
    def("Title", 1, (a, c) -> title(str(a.get(0))));
    def(
        "regexReplaceAll",
        3,
        (a, c) -> {
          Matcher m = regex(str(a.get(0))).matcher(str(a.get(1)));
          return m.replaceAll(str(a.get(2)).replaceAll("\\$\\{(\\w+)\\}", "\\$$1"));
        });
    def(
        "regexReplaceAllLiteral",
        3,
        (a, c) ->
            regex(str(a.get(0)))
                .matcher(str(a.get(1)))
                .replaceAll(Matcher.quoteReplacement(str(a.get(2)))));
    def(
        "count",
        2,
        (a, c) -> {
          Matcher m = regex(str(a.get(0))).matcher(str(a.get(1)));
          long n = 0;
          while (m.find()) {
            n++;
          }
          return n;
        });
    def("urlencode", 1, (a, c) -> queryEscape(str(a.get(0))));
    def("urldecode", 1, (a, c) -> queryUnescape(str(a.get(0))));
    def(
        "b64enc",
        1,
        (a, c) ->
            Base64.getEncoder().encodeToString(str(a.get(0)).getBytes(StandardCharsets.UTF_8)));
    def(
        "b64dec",
        1,
        (a, c) -> {
          String s = str(a.get(0)).replace("=", "");
          try {
            return new String(
                Base64.getDecoder().decode(s + "==".substring(0, (4 - s.length() % 4) % 4)),
                StandardCharsets.UTF_8);
          } catch (IllegalArgumentException e) {
            return "";
          }
        });
    def(
        "bytes",
        1,
        (a, c) -> {
          try {
            return (double) GoValues.parseBytes(str(a.get(0)));
          } catch (GoValues.ConversionException e) {
            throw new CallException("error calling bytes: " + e.getMessage());
          }
        });
    Impl seconds =
        (a, c) -> {
          try {
            return GoValues.parseDuration(str(a.get(0))) / 1e9;
          } catch (GoValues.ConversionException e) {
            throw new CallException("error calling duration: " + e.getMessage());
          }
        };
    def("duration", 1, seconds);
    def("duration_seconds", 1, seconds);
    def("unixEpoch", 1, (a, c) -> timeArg(a.get(0)).toEpochSecond());
    def("unixEpochMillis", 1, (a, c) -> timeArg(a.get(0)).toInstant().toEpochMilli());
    def(
        "unixEpochNanos",
        1,
        (a, c) -> {
          Instant i = timeArg(a.get(0)).toInstant();
          return i.getEpochSecond() * 1_000_000_000L + i.getNano();
        });
    def(
        "toDateInZone",
        3,
        (a, c) -> {
          ZoneId zone;
          try {
            zone = ZoneId.of(str(a.get(1)));
          } catch (java.time.DateTimeException e) {
            zone = LOCAL;
          }
          try {
            return GoTime.parse(str(a.get(0)), str(a.get(2)), zone);
          } catch (TemplateException e) {
            return ZonedDateTime.of(1, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
          }
        });
    def(
        "unixToTime",
        1,
        (a, c) -> {
          String s = str(a.get(0));
          long v;
          try {
            v = Long.parseLong(s);
          } catch (NumberFormatException e) {
            throw new CallException(
                "error calling unixToTime: strconv.ParseInt: parsing "
                    + GoValuesQuote.q(s)
                    + ": invalid syntax");
          }
          return switch (s.length()) {
            case 5 -> fromNanos(v * 86_400_000_000_000L, LOCAL);
            case 10 -> fromNanos(v * 1_000_000_000L, LOCAL);
            case 13 -> fromNanos(v * 1_000_000L, LOCAL);
            case 16 -> fromNanos(v * 1_000L, LOCAL);
            case 19 -> fromNanos(v, LOCAL);
            default ->
                throw new CallException(
                    "error calling unixToTime: unable to parse time '"
                        + s
                        + "': unrecognized unix time length");
          };
        });
    def(
        "alignLeft",
        2,
        (a, c) -> {
          long n = intArg(a.get(0));
          String s = str(a.get(1));
          int[] cps = codePoints(s);
          if (n < 0) {
            return s;
          }
          if (n <= cps.length) {
            return fromCodePoints(cps, 0, (int) n);
          }
          return s + " ".repeat((int) n - cps.length);
        });
    def(
        "alignRight",
        2,
        (a, c) -> {
          long n = intArg(a.get(0));
          String s = str(a.get(1));
          int[] cps = codePoints(s);
          if (n < 0) {
            return s;
          }
          if (n <= cps.length) {
            return fromCodePoints(cps, cps.length - (int) n, cps.length);
          }
          return " ".repeat((int) n - cps.length) + s;
        });
    def("__line__", 0, (a, c) -> c.line());
    def("__timestamp__", 0, (a, c) -> fromNanos(c.timestampNanos(), LOCAL));

    // Sprig functions that Loki keeps
    def("lower", 1, (a, c) -> str(a.get(0)).toLowerCase(Locale.ROOT));
    def("upper", 1, (a, c) -> str(a.get(0)).toUpperCase(Locale.ROOT));
    def("title", 1, (a, c) -> title(str(a.get(0))));
    def(
        "trunc",
        2,
        (a, c) -> {
          long n = intArg(a.get(0));
          String s = str(a.get(1));
          int[] cps = codePoints(s);
          if (n < 0 && -n < cps.length) {
            return fromCodePoints(cps, cps.length + (int) n, cps.length);
          }
          if (n >= 0 && n < cps.length) {
            return fromCodePoints(cps, 0, (int) n);
          }
          return s;
        });
    def(
        "substr",
        3,
        (a, c) -> {
          long start = intArg(a.get(0));
          long end = intArg(a.get(1));
          int[] cps = codePoints(str(a.get(2)));
          if (start < 0 && end < 0) {
            return "";
          }
          if (start < 0) {
            start = 0;
          }
          if (end < 0 || end > cps.length) {
            end = cps.length;
          }
          if (start > end) {
            return "";
          }
          return fromCodePoints(cps, (int) start, (int) end);
        });
    def("trim", 1, (a, c) -> str(a.get(0)).strip());
    def("trimAll", 2, (a, c) -> trimCutset(str(a.get(1)), str(a.get(0)), true, true));
    def("trimPrefix", 2, (a, c) -> trimPrefix(str(a.get(1)), str(a.get(0))));
    def("trimSuffix", 2, (a, c) -> trimSuffix(str(a.get(1)), str(a.get(0))));
    def("contains", 2, (a, c) -> str(a.get(1)).contains(str(a.get(0))));
    def("hasPrefix", 2, (a, c) -> str(a.get(1)).startsWith(str(a.get(0))));
    def("hasSuffix", 2, (a, c) -> str(a.get(1)).endsWith(str(a.get(0))));
    def(
        "indent",
        2,
        (a, c) -> {
          String pad = " ".repeat((int) intArg(a.get(0)));
          return pad + str(a.get(1)).replace("\n", "\n" + pad);
        });
    def(
        "nindent",
        2,
        (a, c) -> {
          String pad = " ".repeat((int) intArg(a.get(0)));
          return "\n" + pad + str(a.get(1)).replace("\n", "\n" + pad);
        });
    def("replace", 3, (a, c) -> str(a.get(2)).replace(str(a.get(0)), str(a.get(1))));
    def("repeat", 2, (a, c) -> str(a.get(1)).repeat((int) Math.max(0, intArg(a.get(0)))));
    def("int", 1, (a, c) -> toInt64(a.get(0)));
    def("int64", 1, (a, c) -> toInt64(a.get(0)));
    def("float64", 1, (a, c) -> toFloat64(a.get(0)));
    def("toString", 1, (a, c) -> GoFormat.print(a.get(0)));
    variadic(
        "add",
        0,
        (a, c) -> {
          long s = 0;
          for (Object o : a) {
            s += toInt64(o);
          }
          return s;
        });
    def("add1", 1, (a, c) -> toInt64(a.get(0)) + 1);
    def("sub", 2, (a, c) -> toInt64(a.get(0)) - toInt64(a.get(1)));
    variadic(
        "mul",
        1,
        (a, c) -> {
          long s = toInt64(a.get(0));
          for (int i = 1; i < a.size(); i++) {
            s *= toInt64(a.get(i));
          }
          return s;
        });
    def(
        "div",
        2,
        (a, c) -> {
          long d = toInt64(a.get(1));
          if (d == 0) {
            throw new CallException("error calling div: runtime error: integer divide by zero");
          }
          return toInt64(a.get(0)) / d;
        });
    def(
        "mod",
        2,
        (a, c) -> {
          long d = toInt64(a.get(1));
          if (d == 0) {
            throw new CallException("error calling mod: runtime error: integer divide by zero");
          }
          return toInt64(a.get(0)) % d;
        });
    foldInt64("max", Math::max);
    foldInt64("min", Math::min);
    // Sprig computes the float functions in decimal arithmetic (from each float's shortest
    // decimal form, quotients to 16 places), then converts back to float64.
    variadic(
        "addf",
        0,
        (a, c) -> {
          BigDecimal s = BigDecimal.ZERO;
          for (Object o : a) {
            s = s.add(BigDecimal.valueOf(toFloat64(o)));
          }
          return s.doubleValue();
        });
    foldDecimal("subf", BigDecimal::subtract);
    foldDecimal("mulf", BigDecimal::multiply);
    variadic(
        "divf",
        1,
        (a, c) -> {
          BigDecimal s = BigDecimal.valueOf(toFloat64(a.get(0)));
          for (int i = 1; i < a.size(); i++) {
            double d = toFloat64(a.get(i));
            if (d == 0) {
              throw new CallException("error calling divf: decimal division by 0");
            }
            s = s.divide(BigDecimal.valueOf(d), 16, RoundingMode.HALF_UP);
          }
          return s.doubleValue();
        });
    foldFloat64("maxf", Math::max);
    foldFloat64("minf", Math::min);
    def("ceil", 1, (a, c) -> Math.ceil(toFloat64(a.get(0))));
    def("floor", 1, (a, c) -> Math.floor(toFloat64(a.get(0))));
    variadic(
        "round",
        2,
        (a, c) -> {
          double v = toFloat64(a.get(0));
          double pow = Math.pow(10, toInt64(a.get(1)));
          double r = a.size() > 2 ? toFloat64(a.get(2)) : 0.5;
          double digit = pow * v;
          double frac = digit - (long) digit;
          return (frac >= r ? Math.ceil(digit) : Math.floor(digit)) / pow;
        });
    variadic(
        "default",
        1,
        (a, c) -> {
          if (a.size() < 2) {
            return a.get(0);
          }
          Object given = a.get(1);
          return GoFormat.truth(given) ? given : a.get(0);
        });
    def("now", 0, (a, c) -> ZonedDateTime.now(LOCAL));
    def(
        "date",
        2,
        (a, c) -> {
          Object d = a.get(1);
          ZonedDateTime t =
              d instanceof ZonedDateTime z
                  ? z.withZoneSameInstant(LOCAL)
                  : d instanceof Long l
                      ? fromNanos(l * 1_000_000_000L, LOCAL)
                      : ZonedDateTime.now(LOCAL);
          return GoTime.format(t, str(a.get(0)));
        });
    def(
        "toDate",
        2,
        (a, c) -> {
          try {
            return GoTime.parse(str(a.get(0)), str(a.get(1)), LOCAL);
          } catch (TemplateException e) {
            return ZonedDateTime.of(1, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
          }
        });
    def(
        "fromJson",
        1,
        (a, c) -> {
          try {
            return fromJsonNode(JSON.readTree(str(a.get(0))));
          } catch (IOException e) {
            return "";
          }
        });
  }
}
