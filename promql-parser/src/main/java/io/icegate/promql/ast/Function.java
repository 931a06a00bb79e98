package io.icegate.promql.ast;

import java.util.List;

/**
 * A PromQL function's signature; {@link Functions} holds them all.
 *
 * @param argTypes the types of the arguments; with {@code variadic} != 0 the last one repeats
 * @param variadic 0 for a fixed number of arguments; n > 0: the last argument may be left out or
 *     repeated up to n times in all; -1: it may be repeated without limit
 * @param experimental whether Prometheus enables the function only with its
 *     experimental-functions flag
 */
public record Function(
    String name, List<ValueType> argTypes, int variadic, ValueType returnType, boolean experimental) {

  public Function {
    argTypes = List.copyOf(argTypes);
  }
}
