/**
 * The Prometheus side of the wire: remote-write 1.0 request bodies ({@link
 * io.icegate.protocol.prometheus.RemoteWriteDecoder} into {@link
 * io.icegate.protocol.prometheus.RemoteWriteRequest}), the staleness marker ({@link
 * io.icegate.protocol.prometheus.StaleMarker}), and the names Prometheus 3 gives OTLP metrics,
 * labels and units ({@link io.icegate.protocol.prometheus.PrometheusOtlpNames}), each following
 * Prometheus's own code so that PromQL written for Prometheus selects the same series here.
 */
package io.icegate.protocol.prometheus;
