package io.icegate.server.prom;

import com.fasterxml.jackson.core.JsonGenerator;
import io.icegate.promql.ast.AggregateExpr;
import io.icegate.promql.ast.AtModifier;
import io.icegate.promql.ast.BinaryExpr;
import io.icegate.promql.ast.Call;
import io.icegate.promql.ast.DurationExpr;
import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.LabelMatcher;
import io.icegate.promql.ast.MatrixSelector;
import io.icegate.promql.ast.NumberLiteral;
import io.icegate.promql.ast.ParenExpr;
import io.icegate.promql.ast.Printer;
import io.icegate.promql.ast.StringLiteral;
import io.icegate.promql.ast.SubqueryExpr;
import io.icegate.promql.ast.UnaryExpr;
import io.icegate.promql.ast.ValueType;
import io.icegate.promql.ast.VectorMatching;
import io.icegate.promql.ast.VectorSelector;
import java.io.IOException;
import java.util.List;

/**
 * The syntax tree as {@code /api/v1/parse_query} answers it (the shape the Prometheus UI's
 * explain view reads): one object per node with a {@code type} and the node's parts; durations in
 * milliseconds; keys in sorted order, as Go writes a map.
 */
final class PromAstJson {
  private PromAstJson() {}

  static void write(JsonGenerator json, Expr expr) throws IOException {
    if (expr == null) {
      json.writeNull();
      return;
    }
    json.writeStartObject();
    if (expr instanceof VectorSelector v) {
      matchers(json, v.matchers());
      json.writeStringField("name", v.name() == null ? "" : v.name());
      json.writeNumberField("offset", v.offsetMillis());
      at(json, v.at());
      json.writeStringField("type", "vectorSelector");
    } else if (expr instanceof MatrixSelector m) {
      VectorSelector v = m.vectorSelector();
      matchers(json, v.matchers());
      json.writeStringField("name", v.name() == null ? "" : v.name());
      json.writeNumberField("offset", v.offsetMillis());
      json.writeNumberField("range", m.rangeMillis());
      at(json, v.at());
      json.writeStringField("type", "matrixSelector");
    } else if (expr instanceof SubqueryExpr s) {
      json.writeFieldName("expr");
      write(json, s.expr());
      json.writeNumberField("offset", s.offsetMillis());
      json.writeNumberField("range", s.rangeMillis());
      startOrEnd(json, s.at());
      json.writeNumberField("step", s.stepMillis());
      timestamp(json, s.at());
      json.writeStringField("type", "subquery");
    } else if (expr instanceof AggregateExpr a) {
      json.writeFieldName("expr");
      write(json, a.expr());
      strings(json, "grouping", a.grouping());
      json.writeStringField("op", a.op().toString());
      json.writeFieldName("param");
      write(json, a.param());
      json.writeStringField("type", "aggregation");
      json.writeBooleanField("without", a.without());
    } else if (expr instanceof BinaryExpr b) {
      json.writeBooleanField("bool", b.returnBool());
      json.writeFieldName("lhs");
      write(json, b.lhs());
      json.writeFieldName("matching");
      matching(json, b.matching());
      json.writeStringField("op", b.op().toString());
      json.writeFieldName("rhs");
      write(json, b.rhs());
      json.writeStringField("type", "binaryExpr");
    } else if (expr instanceof Call c) {
      json.writeArrayFieldStart("args");
      for (Expr arg : c.args()) {
        write(json, arg);
      }
      json.writeEndArray();
      json.writeObjectFieldStart("func");
      json.writeArrayFieldStart("argTypes");
      for (ValueType t : c.function().argTypes()) {
        json.writeString(t.promName());
      }
      json.writeEndArray();
      json.writeStringField("name", c.function().name());
      json.writeStringField("returnType", c.function().returnType().promName());
      json.writeNumberField("variadic", c.function().variadic());
      json.writeEndObject();
      json.writeStringField("type", "call");
    } else if (expr instanceof NumberLiteral n) {
      json.writeStringField("type", "numberLiteral");
      json.writeStringField("val", Printer.number(n.value()));
    } else if (expr instanceof StringLiteral s) {
      json.writeStringField("type", "stringLiteral");
      json.writeStringField("val", s.value());
    } else if (expr instanceof ParenExpr p) {
      json.writeFieldName("expr");
      write(json, p.expr());
      json.writeStringField("type", "parenExpr");
    } else if (expr instanceof UnaryExpr u) {
      json.writeFieldName("expr");
      write(json, u.expr());
      json.writeStringField("op", u.op().toString());
      json.writeStringField("type", "unaryExpr");
    } else if (expr instanceof DurationExpr d) {
      // Experimental duration arithmetic: its text, as the tree has no stable shape for it yet.
      json.writeStringField("expr", d.toString());
      json.writeStringField("type", "durationExpr");
    }
    json.writeEndObject();
  }

  private static void matchers(JsonGenerator json, List<LabelMatcher> matchers)
      throws IOException {
    json.writeArrayFieldStart("matchers");
    for (LabelMatcher m : matchers) {
      json.writeStartObject();
      json.writeStringField("name", m.name());
      json.writeStringField("type", m.type().toString());
      json.writeStringField("value", m.value());
      json.writeEndObject();
    }
    json.writeEndArray();
  }

  /** {@code startOrEnd} then {@code timestamp}, the order of their keys. */
  private static void at(JsonGenerator json, AtModifier at) throws IOException {
    startOrEnd(json, at);
    timestamp(json, at);
  }

  private static void startOrEnd(JsonGenerator json, AtModifier at) throws IOException {
    json.writeFieldName("startOrEnd");
    if (at == null || at.kind() == AtModifier.Kind.TIMESTAMP) {
      json.writeNull();
    } else {
      json.writeString(at.kind() == AtModifier.Kind.START ? "start" : "end");
    }
  }

  private static void timestamp(JsonGenerator json, AtModifier at) throws IOException {
    json.writeFieldName("timestamp");
    if (at == null || at.kind() != AtModifier.Kind.TIMESTAMP) {
      json.writeNull();
    } else {
      json.writeNumber(at.timestampMillis());
    }
  }

  private static void matching(JsonGenerator json, VectorMatching m) throws IOException {
    if (m == null) {
      json.writeNull();
      return;
    }
    json.writeStartObject();
    json.writeStringField(
        "card",
        switch (m.card()) {
          case ONE_TO_ONE -> "one-to-one";
          case MANY_TO_ONE -> "many-to-one";
          case ONE_TO_MANY -> "one-to-many";
          case MANY_TO_MANY -> "many-to-many";
        });
    strings(json, "include", m.include());
    strings(json, "labels", m.matchingLabels());
    json.writeBooleanField("on", m.on());
    json.writeEndObject();
  }

  private static void strings(JsonGenerator json, String field, List<String> values)
      throws IOException {
    json.writeArrayFieldStart(field);
    if (values != null) {
      for (String v : values) {
        json.writeString(v);
      }
    }
    json.writeEndArray();
  }
}
