package io.icegate.promql.ast;

import java.util.List;
import java.util.stream.Collectors;

/** A function call: {@code rate(x[5m])}, {@code label_replace(x, "a", "$1", "b", "(.*)")}. */
public record Call(Function function, List<Expr> args, PositionRange positionRange)
    implements Expr {

  public Call {
    args = List.copyOf(args);
  }

  @Override
  public ValueType type() {
    return function.returnType();
  }

  @Override
  public String toString() {
    return function.name()
        + args.stream().map(Expr::toString).collect(Collectors.joining(", ", "(", ")"));
  }
}
