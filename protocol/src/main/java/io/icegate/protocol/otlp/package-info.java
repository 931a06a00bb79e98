/**
 * OTLP over HTTP: logs, traces and metrics request bodies in protobuf or OTLP/JSON decoded into the
 * opentelemetry-proto messages, the success, partial-success and error bodies the specification
 * prescribes, written in the request's encoding, and attribute values as text ({@link
 * io.icegate.protocol.otlp.OtlpValues}).
 *
 * @see <a href="https://opentelemetry.io/docs/specs/otlp/">OTLP specification</a>
 */
package io.icegate.protocol.otlp;
