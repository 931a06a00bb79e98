package io.icegate.engine.logql.template;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/** Go's reference-time layouts ({@code 2006-01-02T15:04:05Z07:00}) for formatting and parsing. */
final class GoTime {
  private GoTime() {}

  private static final String[] TOKENS = {
    "January", "Jan", "Monday", "Mon", "MST", "2006", "06", "01", "15", "1", "02", "_2", "2", "03",
    "3", "04", "4", "05", "5", "PM", "pm", "Z07:00", "Z0700", "Z07", "-07:00", "-0700", "-07", "002"
  };

  private static String tokenAt(String layout, int i) {
    if (layout.startsWith(".000", i)
        || layout.startsWith(".999", i)
        || layout.startsWith(",000", i)
        || layout.startsWith(",999", i)) {
      char d = layout.charAt(i + 1);
      int j = i + 1;
      while (j < layout.length() && layout.charAt(j) == d) {
        j++;
      }
      if (j >= layout.length() || !Character.isDigit(layout.charAt(j))) {
        return layout.substring(i, j);
      }
    }
    for (String t : TOKENS) {
      if (layout.startsWith(t, i)) {
        return t;
      }
    }
    return null;
  }

  static String format(ZonedDateTime t, String layout) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (i < layout.length()) {
      String tok = tokenAt(layout, i);
      if (tok == null) {
        sb.append(layout.charAt(i++));
        continue;
      }
      i += tok.length();
      int off = t.getOffset().getTotalSeconds();
      switch (tok) {
        case "January" -> sb.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        case "Jan" -> sb.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case "Monday" -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        case "Mon" -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case "MST" -> sb.append(zoneAbbrev(t));
        case "2006" -> sb.append(String.format("%04d", t.getYear()));
        case "06" -> sb.append(String.format("%02d", t.getYear() % 100));
        case "01" -> sb.append(String.format("%02d", t.getMonthValue()));
        case "1" -> sb.append(t.getMonthValue());
        case "02" -> sb.append(String.format("%02d", t.getDayOfMonth()));
        case "_2" -> sb.append(String.format("%2d", t.getDayOfMonth()));
        case "2" -> sb.append(t.getDayOfMonth());
        case "002" -> sb.append(String.format("%03d", t.getDayOfYear()));
        case "15" -> sb.append(String.format("%02d", t.getHour()));
        case "03" -> sb.append(String.format("%02d", hour12(t)));
        case "3" -> sb.append(hour12(t));
        case "04" -> sb.append(String.format("%02d", t.getMinute()));
        case "4" -> sb.append(t.getMinute());
        case "05" -> sb.append(String.format("%02d", t.getSecond()));
        case "5" -> sb.append(t.getSecond());
        case "PM" -> sb.append(t.getHour() >= 12 ? "PM" : "AM");
        case "pm" -> sb.append(t.getHour() >= 12 ? "pm" : "am");
        case "Z07:00", "Z0700", "Z07" -> {
          if (off == 0) {
            sb.append('Z');
          } else {
            sb.append(offset(off, tok.substring(1)));
          }
        }
        case "-07:00", "-0700", "-07" -> sb.append(offset(off, tok));
        default -> {
          // fractional seconds
          String frac = String.format("%09d", t.getNano()).substring(0, tok.length() - 1);
          if (tok.charAt(1) == '9') {
            frac = frac.replaceAll("0+$", "");
            if (!frac.isEmpty()) {
              sb.append(tok.charAt(0)).append(frac);
            }
          } else {
            sb.append(tok.charAt(0)).append(frac);
          }
        }
      }
    }
    return sb.toString();
  }

  private static int hour12(ZonedDateTime t) {
    int h = t.getHour() % 12;
    return h == 0 ? 12 : h;
  }

  private static String zoneAbbrev(ZonedDateTime t) {
    if (t.getZone() instanceof ZoneOffset o) {
      return o.getTotalSeconds() == 0 ? "UTC" : offset(o.getTotalSeconds(), "-0700");
    }
    return t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH).equals("UTC")
        ? "UTC"
        : java.time.format.DateTimeFormatter.ofPattern("zzz", Locale.ENGLISH).format(t);
  }

  private static String offset(int seconds, String style) {
    char sign = seconds < 0 ? '-' : '+';
    int a = Math.abs(seconds);
    String hh = String.format("%02d", a / 3600);
    String mm = String.format("%02d", (a / 60) % 60);
    return switch (style) {
      case "-07:00" -> sign + hh + ":" + mm;
      case "-07" -> sign + hh;
      default -> sign + hh + mm;
    };
  }

  /** Parses {@code value} with {@code layout}; a value without a zone is in {@code zone}. */
  static ZonedDateTime parse(String layout, String value, ZoneId zone) throws TemplateException {
    int year = 1;
    int month = 1;
    int day = 1;
    int hour = 0;
    int min = 0;
    int sec = 0;
    int nano = 0;
    boolean pm = false;
    boolean hasPm = false;
    ZoneOffset offset = null;
    int i = 0;
    int v = 0;
    try {
      while (i < layout.length()) {
        String tok = tokenAt(layout, i);
        if (tok == null) {
          if (v >= value.length() || value.charAt(v) != layout.charAt(i)) {
            throw bad(layout, value);
          }
          i++;
          v++;
          continue;
        }
        i += tok.length();
        switch (tok) {
          case "2006" -> {
            year = Integer.parseInt(value.substring(v, v + 4));
            v += 4;
          }
          case "06" -> {
            year = 2000 + Integer.parseInt(value.substring(v, v + 2));
            v += 2;
          }
          case "01", "02", "15", "03", "04", "05" -> {
            int n = Integer.parseInt(value.substring(v, v + 2));
            v += 2;
            switch (tok) {
              case "01" -> month = n;
              case "02" -> day = n;
              case "15", "03" -> hour = n;
              case "04" -> min = n;
              default -> sec = n;
            }
          }
          case "1", "2", "3", "4", "5", "_2" -> {
            while (tok.equals("_2") && v < value.length() && value.charAt(v) == ' ') {
              v++;
            }
            int st = v;
            while (v < value.length() && v - st < 2 && Character.isDigit(value.charAt(v))) {
              v++;
            }
            int n = Integer.parseInt(value.substring(st, v));
            switch (tok) {
              case "1" -> month = n;
              case "2", "_2" -> day = n;
              case "3" -> hour = n;
              case "4" -> min = n;
              default -> sec = n;
            }
          }
          case "Jan", "January", "Mon", "Monday" -> {
            int st = v;
            while (v < value.length() && Character.isLetter(value.charAt(v))) {
              v++;
            }
            String w = value.substring(st, v);
            if (tok.startsWith("Jan")) {
              month =
                  java.time.Month.from(
                          java.time.format.DateTimeFormatter.ofPattern(
                                  tok.equals("Jan") ? "MMM" : "MMMM", Locale.ENGLISH)
                              .parse(w))
                      .getValue();
            }
          }
          case "PM", "pm" -> {
            hasPm = true;
            pm = value.substring(v, v + 2).equalsIgnoreCase("PM");
            v += 2;
          }
          case "MST" -> {
            int st = v;
            while (v < value.length() && Character.isUpperCase(value.charAt(v))) {
              v++;
            }
            if (value.substring(st, v).equals("UTC") || value.substring(st, v).equals("GMT")) {
              offset = ZoneOffset.UTC;
            }
          }
          case "Z07:00", "Z0700", "Z07", "-07:00", "-0700", "-07" -> {
            if (tok.startsWith("Z") && v < value.length() && value.charAt(v) == 'Z') {
              offset = ZoneOffset.UTC;
              v++;
            } else {
              int len = tok.startsWith("Z") ? tok.length() : tok.length();
              String o = value.substring(v, v + len);
              offset = ZoneOffset.of(o.length() == 3 ? o + ":00" : o);
              v += len;
            }
          }
          default -> {
            // fractional seconds, in the layout or (after seconds) in the value only
            if (v < value.length() && (value.charAt(v) == '.' || value.charAt(v) == ',')) {
              int st = ++v;
              while (v < value.length() && Character.isDigit(value.charAt(v))) {
                v++;
              }
              String f = (value.substring(st, v) + "000000000").substring(0, 9);
              nano = Integer.parseInt(f);
            } else if (tok.charAt(1) == '0') {
              throw bad(layout, value);
            }
          }
        }
        if ((tok.equals("05") || tok.equals("5"))
            && v < value.length()
            && value.charAt(v) == '.'
            && (i >= layout.length() || layout.charAt(i) != '.')) {
          int st = ++v;
          while (v < value.length() && Character.isDigit(value.charAt(v))) {
            v++;
          }
          nano = Integer.parseInt((value.substring(st, v) + "000000000").substring(0, 9));
        }
      }
      if (v != value.length()) {
        throw new TemplateException(
            "parsing time " + quote(value) + ": extra text: " + quote(value.substring(v)));
      }
      if (hasPm && pm && hour < 12) {
        hour += 12;
      } else if (hasPm && !pm && hour == 12) {
        hour = 0;
      }
      LocalDateTime ldt =
          LocalDateTime.of(LocalDate.of(year, month, day), LocalTime.of(hour, min, sec, nano));
      return offset != null ? ldt.atOffset(offset).toZonedDateTime() : ldt.atZone(zone);
    } catch (RuntimeException e) {
      if (e instanceof DateTimeException
          || e instanceof IndexOutOfBoundsException
          || e instanceof NumberFormatException) {
        throw bad(layout, value);
      }
      throw e;
    }
  }

  private static TemplateException bad(String layout, String value) {
    return new TemplateException(
        "parsing time " + quote(value) + " as " + quote(layout) + ": cannot parse");
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
