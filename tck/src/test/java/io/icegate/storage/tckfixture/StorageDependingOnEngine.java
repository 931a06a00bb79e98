package io.icegate.storage.tckfixture;

import io.icegate.engine.logql.LogQueryEngine;

/**
 * A deliberate violation of the module direction, for {@code ModuleDependencyTest} to prove its
 * rules can fail. Test code only: never imported by the rules' check of the main classes.
 */
public final class StorageDependingOnEngine {
  private LogQueryEngine engine;
}
