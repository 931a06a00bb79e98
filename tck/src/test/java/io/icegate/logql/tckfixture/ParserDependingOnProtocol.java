package io.icegate.logql.tckfixture;

import io.icegate.protocol.loki.Direction;

/**
 * A deliberate violation of the module direction, for {@code ModuleDependencyTest} to prove its
 * rules can fail. Test code only: never imported by the rules' check of the main classes.
 */
public final class ParserDependingOnProtocol {
  private Direction direction;
}
