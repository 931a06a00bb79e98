/**
 * The Loki side of the wire: push request bodies in protobuf and JSON ({@link
 * io.icegate.protocol.loki.LokiPushDecoder}), how OTLP resources become Loki stream labels, the
 * canonical string form of a label set that storage keeps per stream, Loki's query parameter
 * syntax, and the JSON shapes of Loki API responses. Each follows Loki 3's behaviour so that
 * Grafana, promtail, Alloy, logcli and queries written for Loki work unchanged.
 */
package io.icegate.protocol.loki;
