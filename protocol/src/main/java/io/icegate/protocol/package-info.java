/**
 * Wire formats of IceGate's APIs: decoding what clients send and encoding what they receive, for
 * OTLP ({@link io.icegate.protocol.otlp}), the Loki API ({@link io.icegate.protocol.loki}) and the
 * Prometheus API ({@link io.icegate.protocol.prometheus}). This package holds what they share:
 * bounded decompression, Go's quoting rules, a field-by-field protobuf reader, the exceptions.
 *
 * <p>The module does no I/O and starts no threads: it turns bytes and strings into values and back,
 * so that the server and the storage layer share one definition of each format and every rule can
 * be tested without a network. Errors a client caused are {@link
 * io.icegate.protocol.ProtocolException}s whose messages can go into a response as they are.
 */
package io.icegate.protocol;
