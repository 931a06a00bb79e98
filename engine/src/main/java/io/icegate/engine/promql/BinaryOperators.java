package io.icegate.engine.promql;

import io.icegate.engine.exec.PromOps;
import io.icegate.engine.exec.VectorMatchOperator;
import io.icegate.engine.exec.VectorMatchSpec;
import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.Labels;
import io.icegate.promql.ast.BinaryExpr;
import io.icegate.promql.ast.BinaryOp;
import io.icegate.promql.ast.VectorMatching;
import io.icegate.promql.ast.VectorMatching.Cardinality;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binary operators between scalars and instant vectors: arithmetic, comparisons (filtering, or
 * 0/1 with {@code bool}), vector matching with {@code on}/{@code ignoring} and
 * {@code group_left}/{@code group_right}, and the set operators.
 */
final class BinaryOperators {
  private BinaryOperators() {}

  static Value eval(Evaluator ev, BinaryExpr b, long[] times) {
    java.util.function.Consumer<String> info = msg -> ev.info(b.positionRange(), msg);
    Value.Vector composed = ComposedPlans.vectorMatch(ev, b, times);
    if (composed != null) {
      return composed;
    }
    Value l = ev.eval(b.lhs(), times);
    Value r = ev.eval(b.rhs(), times);
    BinaryOp op = b.op();
    if (l instanceof Value.Scalar ls && r instanceof Value.Scalar rs) {
      double[] out = new double[times.length];
      for (int i = 0; i < out.length; i++) {
        double x = ls.values()[i];
        double y = rs.values()[i];
        out[i] = op.isComparison() ? (compare(op, x, y) ? 1 : 0) : arithmetic(op, x, y);
      }
      return new Value.Scalar(out);
    }
    if (l instanceof Value.Vector lv && r instanceof Value.Scalar rs) {
      return vectorScalar(op, b.returnBool(), lv, rs.values(), false, times.length, info);
    }
    if (l instanceof Value.Scalar ls && r instanceof Value.Vector rv) {
      return vectorScalar(op, b.returnBool(), rv, ls.values(), true, times.length, info);
    }
    Value.Vector lv = (Value.Vector) l;
    Value.Vector rv = (Value.Vector) r;
    VectorMatching m = b.matching() != null ? b.matching() : VectorMatching.oneToOne();
    if (ev.stepPlans != null && !isTrim(op) && m.fillLhs() == null && m.fillRhs() == null
        && StepPlans.floatsOnly(lv) && StepPlans.floatsOnly(rv)) {
      Value.Vector planned = ev.stepPlans.vectorMatch(
          new VectorMatchSpec(op, b.returnBool(), m, times.length), b.lhs().toString(), lv,
          b.rhs().toString(), rv);
      if (planned != null) {
        return planned;
      }
    }
    if (op.isSetOperator()) {
      return setOperation(op, m, lv, rv, times.length);
    }
    return vectorVector(op, b.returnBool(), m, lv, rv, times.length, info);
  }

  /** {@code </} and {@code >/}: they cut native histograms and pass nothing else. */
  static boolean isTrim(BinaryOp op) {
    return op == BinaryOp.TRIM_UPPER || op == BinaryOp.TRIM_LOWER;
  }

  static double arithmetic(BinaryOp op, double x, double y) {
    return PromOps.arithmetic(op, x, y);
  }

  static boolean compare(BinaryOp op, double x, double y) {
    return PromOps.compare(op, x, y);
  }

  private static Value.Vector vectorScalar(
      BinaryOp op,
      boolean returnBool,
      Value.Vector v,
      double[] scalar,
      boolean scalarLeft,
      int n,
      java.util.function.Consumer<String> info) {
    List<StepSeries> out = new ArrayList<>();
    boolean dropName = !(op.isComparison() || isTrim(op)) || returnBool;
    for (StepSeries s : v.series()) {
      StepSeries r = new StepSeries(s.labels, n, s.dropName || dropName);
      for (int i = 0; i < n; i++) {
        if (!s.present[i]) {
          continue;
        }
        FloatHistogram h = s.histogram(i);
        if (isTrim(op)) {
          if (h != null && !scalarLeft) {
            r.setHistogram(i, HistogramTrim.trim(h, scalar[i], op == BinaryOp.TRIM_UPPER));
          }
          continue;
        }
        if (h != null) {
          // Histograms only scale: h * s, s * h, h / s. Everything else drops the sample.
          if (op == BinaryOp.MUL) {
            r.setHistogram(i, h.scale(scalar[i]));
          } else if (op == BinaryOp.DIV && !scalarLeft) {
            r.setHistogram(i, h.divide(scalar[i]));
          } else {
            info.accept("incompatible sample types encountered for binary operator \"" + op + "\": "
                + (scalarLeft ? "float " + op + " histogram" : "histogram " + op + " float"));
          }
          continue;
        }
        double x = scalarLeft ? scalar[i] : s.values[i];
        double y = scalarLeft ? s.values[i] : scalar[i];
        if (op.isComparison()) {
          boolean keep = compare(op, x, y);
          if (returnBool) {
            r.set(i, keep ? 1 : 0);
          } else if (keep) {
            r.set(i, s.values[i]);
          }
        } else {
          r.set(i, arithmetic(op, x, y));
        }
      }
      if (!r.isEmpty()) {
        out.add(r);
      }
    }
    return new Value.Vector(out);
  }

  /** The key series are matched on: the {@code on} labels, or all but {@code ignoring} and the name. */
  static Labels signature(Labels l, VectorMatching m) {
    if (m.on()) {
      return l.keep(m.matchingLabels());
    }
    List<String> drop = new ArrayList<>(m.matchingLabels());
    drop.add(Labels.METRIC_NAME);
    return l.without(drop);
  }

  private static Value.Vector setOperation(
      BinaryOp op, VectorMatching m, Value.Vector lv, Value.Vector rv, int n) {
    List<StepSeries> lhs = lv.series();
    List<StepSeries> rhs = rv.series();
    Labels[] lsig = new Labels[lhs.size()];
    for (int j = 0; j < lsig.length; j++) {
      lsig[j] = signature(lhs.get(j).labels, m);
    }
    Labels[] rsig = new Labels[rhs.size()];
    for (int j = 0; j < rsig.length; j++) {
      rsig[j] = signature(rhs.get(j).labels, m);
    }
    List<StepSeries> lout = new ArrayList<>();
    for (StepSeries s : lhs) {
      lout.add(new StepSeries(s.labels, n, s.dropName));
    }
    List<StepSeries> rout = new ArrayList<>();
    for (StepSeries s : rhs) {
      rout.add(new StepSeries(s.labels, n, s.dropName));
    }
    Set<Labels> sigs = new HashSet<>();
    for (int i = 0; i < n; i++) {
      sigs.clear();
      if (op == BinaryOp.LOR) {
        for (int j = 0; j < lhs.size(); j++) {
          if (lhs.get(j).present[i]) {
            copy(lhs.get(j), lout.get(j), i);
            sigs.add(lsig[j]);
          }
        }
        for (int j = 0; j < rhs.size(); j++) {
          if (rhs.get(j).present[i] && !sigs.contains(rsig[j])) {
            copy(rhs.get(j), rout.get(j), i);
          }
        }
        continue;
      }
      for (int j = 0; j < rhs.size(); j++) {
        if (rhs.get(j).present[i]) {
          sigs.add(rsig[j]);
        }
      }
      boolean wantMatch = op == BinaryOp.LAND;
      for (int j = 0; j < lhs.size(); j++) {
        if (lhs.get(j).present[i] && sigs.contains(lsig[j]) == wantMatch) {
          copy(lhs.get(j), lout.get(j), i);
        }
      }
    }
    List<StepSeries> out = new ArrayList<>();
    for (StepSeries s : lout) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    for (StepSeries s : rout) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return new Value.Vector(out);
  }

  private static void copy(StepSeries from, StepSeries to, int i) {
    if (from.histogram(i) != null) {
      to.setHistogram(i, from.histogram(i));
    } else {
      to.set(i, from.values[i]);
    }
  }

  private static Value.Vector vectorVector(
      BinaryOp op,
      boolean returnBool,
      VectorMatching m,
      Value.Vector lv,
      Value.Vector rv,
      int n,
      java.util.function.Consumer<String> info) {
    boolean oneToMany = m.card() == Cardinality.ONE_TO_MANY;
    // "many" is the side whose series give the result labels; "one" must be unique per match group.
    List<StepSeries> many = oneToMany ? rv.series() : lv.series();
    List<StepSeries> one = oneToMany ? lv.series() : rv.series();
    // The experimental fill modifiers: a value standing in for a missing series on one side.
    // Prometheus applies them after swapping the sides of group_right, so fill_left always
    // stands in for the "many" side and fill_right for the "one" side.
    Double fillOne = m.fillRhs();
    Double fillMany = m.fillLhs();
    Labels[] manySig = new Labels[many.size()];
    for (int j = 0; j < manySig.length; j++) {
      manySig[j] = signature(many.get(j).labels, m);
    }
    Labels[] oneSig = new Labels[one.size()];
    for (int j = 0; j < oneSig.length; j++) {
      oneSig[j] = signature(one.get(j).labels, m);
    }
    Pairing p = new Pairing(op, returnBool, m, oneToMany, n, info);
    // Each match group gets a number once; the steps then pair the sides through arrays indexed
    // by it (stamped with the step that set them) instead of hashing label sets at every step.
    Map<Labels, Integer> groupOf = new HashMap<>();
    int[] oneGroup = groups(oneSig, groupOf);
    int[] manyGroup = groups(manySig, groupOf);
    int groups = groupOf.size();
    int[] oneAt = new int[groups];
    int[] oneAtStep = new int[groups];
    int[] manyMatchedStep = new int[groups];
    Arrays.fill(oneAtStep, -1);
    Arrays.fill(manyMatchedStep, -1);
    for (int i = 0; i < n; i++) {
      p.matched.clear();
      for (int j = 0; j < one.size(); j++) {
        if (!one.get(j).present[i]) {
          continue;
        }
        int g = oneGroup[j];
        if (oneAtStep[g] == i) {
          Labels a = one.get(j).labels;
          Labels b = one.get(oneAt[g]).labels;
          if (a.compareTo(b) > 0) {
            Labels t = a;
            a = b;
            b = t;
          }
          throw new PromQLException(
              "found duplicate series for the match group "
                  + oneSig[j]
                  + " on the "
                  + (oneToMany ? "left" : "right")
                  + " hand-side of the operation: ["
                  + a
                  + ", "
                  + b
                  + "];many-to-many matching not allowed: matching labels must be unique on one side");
        }
        oneAtStep[g] = i;
        oneAt[g] = j;
      }
      for (int j = 0; j < many.size(); j++) {
        StepSeries ms = many.get(j);
        if (!ms.present[i]) {
          continue;
        }
        int g = manyGroup[j];
        if (oneAtStep[g] != i) {
          if (fillOne != null) {
            p.emit(i, manySig[j], ms.labels, Labels.EMPTY, ms.values[i], ms.histogram(i), fillOne,
                null, ms.dropName);
          }
          continue;
        }
        manyMatchedStep[g] = i;
        StepSeries os = one.get(oneAt[g]);
        p.emit(i, manySig[j], ms.labels, os.labels, ms.values[i], ms.histogram(i), os.values[i],
            os.histogram(i), ms.dropName);
      }
      if (fillMany != null) {
        for (int j = 0; j < one.size(); j++) {
          StepSeries os = one.get(j);
          if (os.present[i] && manyMatchedStep[oneGroup[j]] != i) {
            // No series on the many side: one with the match group's labels stands in.
            p.emit(i, oneSig[j], oneSig[j], os.labels, fillMany, null, os.values[i],
                os.histogram(i), false);
          }
        }
      }
    }
    return new Value.Vector(new ArrayList<>(p.out.values()));
  }

  /** The number of each signature's match group, numbering new groups in {@code groupOf}. */
  private static int[] groups(Labels[] signatures, Map<Labels, Integer> groupOf) {
    int[] out = new int[signatures.length];
    for (int j = 0; j < signatures.length; j++) {
      Integer g = groupOf.get(signatures[j]);
      if (g == null) {
        g = groupOf.size();
        groupOf.put(signatures[j], g);
      }
      out[j] = g;
    }
    return out;
  }

  /** Pairs of matched samples turned into result samples, with Prometheus's matching checks. */
  private static final class Pairing {
    final BinaryOp op;
    final boolean returnBool;
    final VectorMatching m;
    final boolean oneToMany;
    final int n;
    final boolean dropName;
    final Map<Labels, StepSeries> out = new LinkedHashMap<>();
    final Map<Labels, Set<Labels>> matched = new HashMap<>();
    final java.util.function.Consumer<String> info;

    Pairing(
        BinaryOp op,
        boolean returnBool,
        VectorMatching m,
        boolean oneToMany,
        int n,
        java.util.function.Consumer<String> info) {
      this.info = info;
      this.op = op;
      this.returnBool = returnBool;
      this.m = m;
      this.oneToMany = oneToMany;
      this.n = n;
      this.dropName = !(op.isComparison() || isTrim(op)) || returnBool;
    }

    void emit(
        int i,
        Labels sig,
        Labels manyLabels,
        Labels oneLabels,
        double manyValue,
        FloatHistogram manyHist,
        double oneValue,
        FloatHistogram oneHist,
        boolean manyDropName) {
      Set<Labels> seen = matched.get(sig);
      if (m.card() == Cardinality.ONE_TO_ONE) {
        // Checked before comparisons filter: a many-to-one match is an error even when the
        // comparison would drop the samples.
        if (seen != null) {
          throw new PromQLException(
              "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
        }
        matched.put(sig, Set.of());
      }
      double x = oneToMany ? oneValue : manyValue;
      double y = oneToMany ? manyValue : oneValue;
      FloatHistogram hx = oneToMany ? oneHist : manyHist;
      FloatHistogram hy = oneToMany ? manyHist : oneHist;
      FloatHistogram hv = null;
      double value = Double.NaN;
      if (isTrim(op)) {
        if (hx == null || hy != null) {
          return;
        }
        hv = HistogramTrim.trim(hx, y, op == BinaryOp.TRIM_UPPER);
      } else if (hx != null || hy != null) {
        boolean boolResult = false;
        if (hx != null && hy != null && (op == BinaryOp.EQLC || op == BinaryOp.NEQ)) {
          boolean keep = hx.equalTo(hy) == (op == BinaryOp.EQLC);
          if (returnBool) {
            value = keep ? 1 : 0;
            boolResult = true;
          } else if (keep) {
            hv = hx;
          } else {
            return;
          }
        } else if (hx != null && hy != null && (op == BinaryOp.ADD || op == BinaryOp.SUB)) {
          hv = hx.add(hy, op == BinaryOp.ADD ? 1 : -1);
          if (hx.customBoundsDiffer(hy)) {
            info.accept("mismatched custom buckets were reconciled during "
                + (op == BinaryOp.ADD ? "addition" : "subtraction"));
          }
        } else if (op == BinaryOp.MUL && (hx == null || hy == null)) {
          hv = hx != null ? hx.scale(y) : hy.scale(x);
        } else if (op == BinaryOp.DIV && hx != null && hy == null) {
          hv = hx.divide(y);
        }
        if (hv == null && !boolResult) {
          // No other operation is defined on histograms.
          info.accept("incompatible sample types encountered for binary operator \"" + op + "\": "
              + (hx != null ? "histogram" : "float") + " " + op + " "
              + (hy != null ? "histogram" : "float"));
          return;
        }
      } else if (op.isComparison()) {
        boolean keep = compare(op, x, y);
        if (returnBool) {
          value = keep ? 1 : 0;
        } else if (keep) {
          value = x;
        } else {
          return;
        }
      } else {
        value = arithmetic(op, x, y);
      }
      Labels result = VectorMatchOperator.resultLabels(manyLabels, oneLabels, m);
      if (m.card() != Cardinality.ONE_TO_ONE) {
        if (seen == null) {
          seen = new HashSet<>();
          matched.put(sig, seen);
        } else if (seen.contains(result)) {
          throw new PromQLException(
              "multiple matches for labels: grouping labels must ensure unique matches");
        }
        seen.add(result);
      }
      StepSeries r = out.get(result);
      if (r == null) {
        r = new StepSeries(result, n, dropName || manyDropName);
        out.put(result, r);
      } else if (r.present[i]) {
        throw new PromQLException("vector cannot contain metrics with the same labelset");
      }
      if (hv != null) {
        r.setHistogram(i, hv);
      } else {
        r.set(i, value);
      }
    }
  }
}
