package io.icegate.engine.tckfixture;

import io.icegate.server.IceGateServer;

/**
 * A deliberate violation of the module direction, for {@code ModuleDependencyTest} to prove its
 * rules can fail. Test code only: never imported by the rules' check of the main classes.
 */
public final class EngineDependingOnServer {
  private IceGateServer server;
}
