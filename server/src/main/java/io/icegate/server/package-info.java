/**
 * The server: configuration, the CLI, tenancy, the Netty listeners and the handlers that wire
 * protocol decoding, storage and the engine together. Nothing here parses, plans or stores on its
 * own; handlers only connect the layers.
 */
package io.icegate.server;
