package io.icegate.engine.logql.template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Go's text/template language, as {@code line_format} and {@code label_format} use it: text,
 * actions with pipelines ({@code {{ .foo | ToUpper }}}), fields of the label map, variables, {@code
 * if}/{@code else}/{@code range}/{@code with}, comments and the {@code {{-}}/{@code -}}} trim
 * markers. Functions come from {@link TemplateFunctions}. Error messages follow Go's ({@code
 * template: line:1:9: executing "line" at <now>: ...}), because users see them in {@code
 * __error_details__}.
 */
public final class GoTemplate {
  private final String name;
  private final String source;
  private final List<Node> root;

  private GoTemplate(String name, String source, List<Node> root) {
    this.name = name;
    this.source = source;
    this.root = root;
  }

  /** Parses {@code text}; {@code name} is the template's name in error messages. */
  public static GoTemplate parse(String name, String text) throws TemplateException {
    Parser p = new Parser(name, text);
    List<Node> nodes = p.parseList(false);
    if (p.pending != null) {
      throw p.error("unexpected " + p.pending);
    }
    return new GoTemplate(name, text, nodes);
  }

  /**
   * Renders with {@code data} as dot; {@code ctx} supplies {@code __line__}/{@code __timestamp__}.
   */
  public String execute(Map<String, String> data, TemplateFunctions.Context ctx)
      throws TemplateException {
    StringBuilder out = new StringBuilder();
    Exec e = new Exec(out, ctx);
    e.vars.add(new Object[] {"$", data});
    e.list(root, data);
    return out.toString();
  }

  // ---------------------------------------------------------------- syntax tree

  sealed interface Node permits Text, Action, If, Range, With {}

  record Text(String text) implements Node {}

  record Action(Pipe pipe) implements Node {}

  record If(Pipe cond, List<Node> then, List<Node> otherwise) implements Node {}

  record Range(Pipe over, List<Node> body, List<Node> otherwise) implements Node {}

  record With(Pipe value, List<Node> body, List<Node> otherwise) implements Node {}

  record Pipe(List<String> decls, boolean assign, List<Cmd> cmds) {}

  record Cmd(List<Arg> args, int pos, String text) {}

  sealed interface Arg permits Field, Variable, Ident, Lit, Sub, Dot, Chain {}

  /** {@code .a.b}. */
  record Field(List<String> names, int pos, String text) implements Arg {}

  /** {@code $x.a}. */
  record Variable(String name, List<String> fields, int pos, String text) implements Arg {}

  record Ident(String name, int pos) implements Arg {}

  record Lit(Object value, int pos, String text) implements Arg {}

  record Sub(Pipe pipe, int pos) implements Arg {}

  record Dot(int pos) implements Arg {}

  /** {@code (pipeline).field}. */
  record Chain(Arg base, List<String> fields, int pos, String text) implements Arg {}

  // ---------------------------------------------------------------- parser

  private static final class Parser {
    final String name;
    final String s;
    int pos;

    /** The keyword ({@code else}, {@code end}) that closed the last list. */
    String pending;

    Pipe pendingElseIf;
    boolean trimNextText;

    Parser(String name, String s) {
      this.name = name;
      this.s = s;
    }

    TemplateException error(String msg) {
      int line = 1;
      for (int i = 0; i < Math.min(pos, s.length()); i++) {
        if (s.charAt(i) == '\n') {
          line++;
        }
      }
      return new TemplateException("template: " + name + ":" + line + ": " + msg);
    }

    /** Parses until EOF or an {@code else}/{@code end} action, left in {@link #pending}. */
    List<Node> parseList(boolean inner) throws TemplateException {
      List<Node> nodes = new ArrayList<>();
      pending = null;
      while (pos < s.length()) {
        int open = s.indexOf("{{", pos);
        String text = open < 0 ? s.substring(pos) : s.substring(pos, open);
        if (trimNextText) {
          text = stripLeading(text);
          trimNextText = false;
        }
        boolean trimLeft =
            open >= 0
                && open + 3 < s.length()
                && s.charAt(open + 2) == '-'
                && isSpace(s.charAt(open + 3));
        if (trimLeft) {
          text = stripTrailing(text);
        }
        if (!text.isEmpty()) {
          nodes.add(new Text(text));
        }
        if (open < 0) {
          pos = s.length();
          break;
        }
        pos = open + (trimLeft ? 3 : 2);
        skipSpaces();
        if (s.startsWith("/*", pos)) {
          int end = s.indexOf("*/", pos);
          if (end < 0) {
            throw error("unclosed comment");
          }
          pos = end + 2;
          closeAction();
          continue;
        }
        String word = peekWord();
        switch (word) {
          case "end", "else" -> {
            if (!inner) {
              throw error("unexpected {{" + word + "}}");
            }
            pos += word.length();
            skipSpaces();
            pendingElseIf = null;
            if (word.equals("else") && s.startsWith("if", pos) && !isIdentChar(charAt(pos + 2))) {
              pos += 2;
              pendingElseIf = pipeline(false);
            }
            closeAction();
            pending = word;
            return nodes;
          }
          case "if", "range", "with" -> {
            pos += word.length();
            Pipe p = pipeline(true);
            closeAction();
            List<Node> body = parseList(true);
            List<Node> otherwise = null;
            if ("else".equals(pending)) {
              if (pendingElseIf != null && word.equals("if")) {
                Pipe cond = pendingElseIf;
                pendingElseIf = null;
                // {{else if c}} is {{else}}{{if c}}...{{end}} sharing the outer {{end}}.
                List<Node> innerThen = parseList(true);
                List<Node> innerElse = null;
                if ("else".equals(pending)) {
                  innerElse = elseChain();
                }
                otherwise = List.of(new If(cond, innerThen, innerElse));
              } else {
                otherwise = parseList(true);
              }
            }
            if (!"end".equals(pending)) {
              throw error("unexpected EOF");
            }
            pending = null;
            nodes.add(
                switch (word) {
                  case "if" -> new If(p, body, otherwise);
                  case "range" -> new Range(p, body, otherwise);
                  default -> new With(p, body, otherwise);
                });
          }
          default -> {
            Pipe p = pipeline(false);
            closeAction();
            nodes.add(new Action(p));
          }
        }
      }
      return nodes;
    }

    private List<Node> elseChain() throws TemplateException {
      if (pendingElseIf != null) {
        Pipe cond = pendingElseIf;
        pendingElseIf = null;
        List<Node> then = parseList(true);
        List<Node> otherwise = "else".equals(pending) ? elseChain() : null;
        return List.of(new If(cond, then, otherwise));
      }
      return parseList(true);
    }

    private char charAt(int i) {
      return i < s.length() ? s.charAt(i) : '\0';
    }

    private String peekWord() {
      int i = pos;
      while (i < s.length() && isIdentChar(s.charAt(i))) {
        i++;
      }
      return s.substring(pos, i);
    }

    private void closeAction() throws TemplateException {
      skipSpaces();
      if (s.startsWith("-}}", pos) && pos > 0 && isSpace(s.charAt(pos - 1))) {
        pos += 3;
        trimNextText = true;
        return;
      }
      if (!s.startsWith("}}", pos)) {
        throw error(
            pos >= s.length()
                ? "unclosed action"
                : "unexpected \"" + charAt(pos) + "\" in command");
      }
      pos += 2;
    }

    private boolean atActionEnd() {
      return s.startsWith("}}", pos) || (s.startsWith("-}}", pos) && isSpace(charAt(pos - 1)));
    }

    private void skipSpaces() {
      while (pos < s.length() && isSpace(s.charAt(pos))) {
        pos++;
      }
    }

    Pipe pipeline(boolean control) throws TemplateException {
      skipSpaces();
      List<String> decls = new ArrayList<>();
      boolean assign = false;
      int save = pos;
      if (charAt(pos) == '$') {
        List<String> vars = new ArrayList<>();
        while (charAt(pos) == '$') {
          int st = pos++;
          while (isIdentChar(charAt(pos))) {
            pos++;
          }
          vars.add(s.substring(st, pos));
          skipSpaces();
          if (charAt(pos) == ',' && control) {
            pos++;
            skipSpaces();
            continue;
          }
          break;
        }
        if (s.startsWith(":=", pos)) {
          pos += 2;
          decls = vars;
        } else if (charAt(pos) == '=' && charAt(pos + 1) != '=') {
          pos += 1;
          decls = vars;
          assign = true;
        } else {
          pos = save;
        }
      }
      List<Cmd> cmds = new ArrayList<>();
      while (true) {
        skipSpaces();
        cmds.add(command());
        skipSpaces();
        if (charAt(pos) == '|') {
          pos++;
          continue;
        }
        break;
      }
      return new Pipe(decls, assign, cmds);
    }

    private Cmd command() throws TemplateException {
      List<Arg> args = new ArrayList<>();
      int start = pos;
      while (true) {
        skipSpaces();
        if (pos >= s.length()) {
          throw error("unclosed action");
        }
        if (atActionEnd() || charAt(pos) == '|' || charAt(pos) == ')') {
          break;
        }
        args.add(operand());
      }
      if (args.isEmpty()) {
        throw error("missing value for command");
      }
      return new Cmd(args, start, s.substring(start, pos).strip());
    }

    private Arg operand() throws TemplateException {
      Arg a = term();
      if (charAt(pos) == '.' && (a instanceof Sub || a instanceof Ident)) {
        int st = pos;
        List<String> fields = fieldChain();
        return new Chain(a, fields, st, s.substring(st, pos));
      }
      return a;
    }

    private List<String> fieldChain() {
      List<String> names = new ArrayList<>();
      while (charAt(pos) == '.' && isIdentChar(charAt(pos + 1))) {
        int st = ++pos;
        while (isIdentChar(charAt(pos))) {
          pos++;
        }
        names.add(s.substring(st, pos));
      }
      return names;
    }

    private Arg term() throws TemplateException {
      int st = pos;
      char c = charAt(pos);
      if (c == '.') {
        if (!isIdentChar(charAt(pos + 1))) {
          pos++;
          return new Dot(st);
        }
        List<String> names = fieldChain();
        return new Field(names, st, s.substring(st, pos));
      }
      if (c == '$') {
        pos++;
        while (isIdentChar(charAt(pos))) {
          pos++;
        }
        String var = s.substring(st, pos);
        List<String> fields = fieldChain();
        return new Variable(var, fields, st, s.substring(st, pos));
      }
      if (c == '(') {
        pos++;
        Pipe p = pipeline(false);
        skipSpaces();
        if (charAt(pos) != ')') {
          throw error("unclosed left paren");
        }
        pos++;
        return new Sub(p, st);
      }
      if (c == '"') {
        StringBuilder sb = new StringBuilder();
        pos++;
        while (true) {
          if (pos >= s.length() || charAt(pos) == '\n') {
            throw error("unterminated quoted string");
          }
          char ch = s.charAt(pos);
          if (ch == '"') {
            pos++;
            break;
          }
          if (ch == '\\') {
            pos = unescape(sb, pos);
            continue;
          }
          sb.append(ch);
          pos++;
        }
        return new Lit(sb.toString(), st, s.substring(st, pos));
      }
      if (c == '`') {
        int end = s.indexOf('`', pos + 1);
        if (end < 0) {
          throw error("unterminated raw quoted string");
        }
        pos = end + 1;
        return new Lit(s.substring(st + 1, end), st, s.substring(st, pos));
      }
      if (c == '\'') {
        StringBuilder sb = new StringBuilder();
        pos++;
        if (charAt(pos) == '\\') {
          pos = unescape(sb, pos);
        } else {
          sb.appendCodePoint(s.codePointAt(pos));
          pos += Character.charCount(s.codePointAt(pos));
        }
        if (charAt(pos) != '\'') {
          throw error("unterminated character constant");
        }
        pos++;
        return new Lit((long) sb.codePointAt(0), st, s.substring(st, pos));
      }
      if (c == '-' || c == '+' || Character.isDigit(c)) {
        pos++;
        while (pos < s.length()
            && (Character.isLetterOrDigit(charAt(pos))
                || charAt(pos) == '.'
                || charAt(pos) == '_'
                || ((charAt(pos) == '-' || charAt(pos) == '+')
                    && "eEpP".indexOf(charAt(pos - 1)) >= 0))) {
          pos++;
        }
        String text = s.substring(st, pos);
        return new Lit(number(text), st, text);
      }
      if (isIdentChar(c)) {
        String w = peekWord();
        pos += w.length();
        return switch (w) {
          case "true" -> new Lit(Boolean.TRUE, st, w);
          case "false" -> new Lit(Boolean.FALSE, st, w);
          case "nil" -> new Lit(null, st, w);
          default -> {
            if (!TemplateFunctions.exists(w)) {
              throw error("function \"" + w + "\" not defined");
            }
            yield new Ident(w, st);
          }
        };
      }
      throw error("unexpected \"" + c + "\" in command");
    }

    private Object number(String text) throws TemplateException {
      String t = text.replace("_", "");
      try {
        if (t.matches("[+-]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]*|0[bB][01]+|[1-9][0-9]*)")) {
          boolean neg = t.startsWith("-");
          String u = t.replaceFirst("^[+-]", "");
          long v;
          if (u.startsWith("0x") || u.startsWith("0X")) {
            v = Long.parseLong(u.substring(2), 16);
          } else if (u.startsWith("0b") || u.startsWith("0B")) {
            v = Long.parseLong(u.substring(2), 2);
          } else if (u.startsWith("0o") || u.startsWith("0O")) {
            v = Long.parseLong(u.substring(2), 8);
          } else if (u.length() > 1 && u.startsWith("0")) {
            v = Long.parseLong(u.substring(1), 8);
          } else {
            v = Long.parseLong(u);
          }
          return neg ? -v : v;
        }
        return Double.parseDouble(t);
      } catch (NumberFormatException e) {
        throw error("bad number syntax: \"" + text + "\"");
      }
    }

    private int unescape(StringBuilder sb, int i) throws TemplateException {
      char e = charAt(i + 1);
      switch (e) {
        case 'n' -> sb.append('\n');
        case 't' -> sb.append('\t');
        case 'r' -> sb.append('\r');
        case 'a' -> sb.append('\u0007');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'v' -> sb.append('\u000b');
        case '\\', '"', '\'' -> sb.append(e);
        case 'x' -> {
          sb.append((char) Integer.parseInt(s.substring(i + 2, i + 4), 16));
          return i + 4;
        }
        case 'u' -> {
          sb.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
          return i + 6;
        }
        case 'U' -> {
          sb.appendCodePoint(Integer.parseInt(s.substring(i + 2, i + 10), 16));
          return i + 10;
        }
        default -> throw error("invalid syntax");
      }
      return i + 2;
    }
  }

  static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  static boolean isIdentChar(char c) {
    return c == '_' || Character.isLetterOrDigit(c);
  }

  private static String stripLeading(String t) {
    int i = 0;
    while (i < t.length() && isSpace(t.charAt(i))) {
      i++;
    }
    return t.substring(i);
  }

  private static String stripTrailing(String t) {
    int i = t.length();
    while (i > 0 && isSpace(t.charAt(i - 1))) {
      i--;
    }
    return t.substring(0, i);
  }

  // ---------------------------------------------------------------- execution

  /** No value: the result of a missing pipeline argument; Go's "missing" marker. */
  private static final Object MISSING = new Object();

  private final class Exec {
    final StringBuilder out;
    final TemplateFunctions.Context ctx;
    final List<Object[]> vars = new ArrayList<>();

    Exec(StringBuilder out, TemplateFunctions.Context ctx) {
      this.out = out;
      this.ctx = ctx;
    }

    TemplateException error(int pos, String at, String msg) {
      int line = 1;
      int lastNl = -1;
      for (int i = 0; i < Math.min(pos, source.length()); i++) {
        if (source.charAt(i) == '\n') {
          line++;
          lastNl = i;
        }
      }
      int col = lastNl < 0 ? pos : pos - lastNl - 1;
      return new TemplateException(
          "template: "
              + name
              + ":"
              + line
              + ":"
              + col
              + ": executing \""
              + name
              + "\" at <"
              + at
              + ">: "
              + msg);
    }

    void list(List<Node> nodes, Object dot) throws TemplateException {
      if (nodes == null) {
        return;
      }
      for (Node n : nodes) {
        if (n instanceof Text t) {
          out.append(t.text());
        } else if (n instanceof Action a) {
          Object v = pipe(a.pipe(), dot);
          if (a.pipe().decls().isEmpty()) {
            out.append(GoFormat.print(v));
          }
        } else if (n instanceof If f) {
          int mark = vars.size();
          boolean truth = GoFormat.truth(pipe(f.cond(), dot));
          list(truth ? f.then() : f.otherwise(), dot);
          pop(mark);
        } else if (n instanceof With w) {
          int mark = vars.size();
          Object v = pipe(w.value(), dot);
          if (GoFormat.truth(v)) {
            list(w.body(), v);
          } else {
            list(w.otherwise(), dot);
          }
          pop(mark);
        } else if (n instanceof Range r) {
          range(r, dot);
        }
      }
    }

    private void pop(int mark) {
      while (vars.size() > mark) {
        vars.remove(vars.size() - 1);
      }
    }

    private void range(Range r, Object dot) throws TemplateException {
      int mark = vars.size();
      Pipe p = r.over();
      Object v = pipe(new Pipe(List.of(), false, p.cmds()), dot);
      List<Object[]> items = new ArrayList<>();
      if (v instanceof Map<?, ?> m) {
        for (var e : new TreeMap<>(m).entrySet()) {
          items.add(new Object[] {e.getKey(), e.getValue()});
        }
      } else if (v instanceof List<?> l) {
        for (int i = 0; i < l.size(); i++) {
          items.add(new Object[] {(long) i, l.get(i)});
        }
      } else if (v instanceof Long n) {
        for (long i = 0; i < n; i++) {
          items.add(new Object[] {i, i});
        }
      } else if (v != null && v != MISSING) {
        throw error(
            p.cmds().get(0).pos(),
            p.cmds().get(0).text(),
            "range can't iterate over " + GoFormat.print(v));
      }
      if (items.isEmpty()) {
        list(r.otherwise(), dot);
      }
      for (Object[] item : items) {
        int inner = vars.size();
        if (p.decls().size() == 1) {
          vars.add(new Object[] {p.decls().get(0), item[1]});
        } else if (p.decls().size() == 2) {
          vars.add(new Object[] {p.decls().get(0), item[0]});
          vars.add(new Object[] {p.decls().get(1), item[1]});
        }
        list(r.body(), item[1]);
        pop(inner);
      }
      pop(mark);
    }

    Object pipe(Pipe p, Object dot) throws TemplateException {
      Object value = MISSING;
      for (Cmd c : p.cmds()) {
        value = command(c, dot, value);
      }
      if (!p.decls().isEmpty()) {
        if (p.assign()) {
          for (int i = vars.size() - 1; i >= 0; i--) {
            if (vars.get(i)[0].equals(p.decls().get(0))) {
              vars.get(i)[1] = value;
              return value;
            }
          }
          throw error(
              p.cmds().get(0).pos(),
              p.cmds().get(0).text(),
              "undefined variable: " + p.decls().get(0));
        }
        vars.add(new Object[] {p.decls().get(0), value});
      }
      return value;
    }

    Object command(Cmd c, Object dot, Object fin) throws TemplateException {
      Arg first = c.args().get(0);
      boolean hasArgs = c.args().size() > 1 || fin != MISSING;
      if (first instanceof Ident id) {
        List<Object> args = new ArrayList<>();
        for (int i = 1; i < c.args().size(); i++) {
          args.add(arg(c.args().get(i), dot));
        }
        if (fin != MISSING) {
          args.add(fin);
        }
        return call(id, args);
      }
      if (first instanceof Field f) {
        return field(dot, f.names(), f.pos(), f.text(), hasArgs);
      }
      if (first instanceof Chain ch) {
        Object base = arg(ch.base(), dot);
        return field(base, ch.fields(), ch.pos(), ch.text(), hasArgs);
      }
      if (first instanceof Variable v) {
        Object val = variable(v);
        return v.fields().isEmpty() ? val : field(val, v.fields(), v.pos(), v.text(), hasArgs);
      }
      if (hasArgs) {
        throw error(c.pos(), c.text(), "can't give argument to non-function " + argText(first));
      }
      return arg(first, dot);
    }

    private String argText(Arg a) {
      if (a instanceof Lit l) {
        return l.text();
      }
      return a instanceof Dot ? "." : a.toString();
    }

    Object arg(Arg a, Object dot) throws TemplateException {
      if (a instanceof Lit l) {
        return l.value();
      }
      if (a instanceof Dot) {
        return dot;
      }
      if (a instanceof Field f) {
        return field(dot, f.names(), f.pos(), f.text(), false);
      }
      if (a instanceof Variable v) {
        Object val = variable(v);
        return v.fields().isEmpty() ? val : field(val, v.fields(), v.pos(), v.text(), false);
      }
      if (a instanceof Sub s) {
        return pipe(s.pipe(), dot);
      }
      if (a instanceof Chain ch) {
        return field(arg(ch.base(), dot), ch.fields(), ch.pos(), ch.text(), false);
      }
      return call((Ident) a, new ArrayList<>());
    }

    private Object variable(Variable v) throws TemplateException {
      for (int i = vars.size() - 1; i >= 0; i--) {
        if (vars.get(i)[0].equals(v.name())) {
          return vars.get(i)[1];
        }
      }
      throw error(v.pos(), v.text(), "undefined variable: " + v.name());
    }

    private Object field(Object receiver, List<String> names, int pos, String text, boolean hasArgs)
        throws TemplateException {
      Object cur = receiver;
      for (int i = 0; i < names.size(); i++) {
        String n = names.get(i);
        if (cur instanceof Map<?, ?> m) {
          if (hasArgs && i == names.size() - 1) {
            throw error(pos, text, n + " is not a method but has arguments");
          }
          Object v = m.get(n);
          // Loki renders a missing label as the empty string.
          cur = v == null && !m.containsKey(n) ? (m instanceof HashMap<?, ?> ? null : "") : v;
        } else if (cur == null || cur == MISSING) {
          throw error(pos, text, "nil pointer evaluating interface {}." + n);
        } else {
          throw error(
              pos, text, "can't evaluate field " + n + " in type " + GoFormat.typeName(cur));
        }
      }
      return cur;
    }

    private Object call(Ident id, List<Object> args) throws TemplateException {
      try {
        return TemplateFunctions.call(id.name(), args, ctx);
      } catch (TemplateFunctions.CallException e) {
        throw error(id.pos(), id.name(), e.getMessage());
      }
    }
  }
}
