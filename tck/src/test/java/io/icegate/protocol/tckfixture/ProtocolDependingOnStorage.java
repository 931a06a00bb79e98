package io.icegate.protocol.tckfixture;

import io.icegate.storage.Lake;

/**
 * A deliberate violation of the module direction, for {@code ModuleDependencyTest} to prove its
 * rules can fail. Test code only: never imported by the rules' check of the main classes.
 */
public final class ProtocolDependingOnStorage {
  private Lake lake;
}
