/**
 * OTLP over HTTP: request bodies in protobuf or OTLP/JSON decoded into the opentelemetry-proto
 * messages, and the success, partial-success and error bodies the specification prescribes, written
 * in the request's encoding.
 *
 * @see <a href="https://opentelemetry.io/docs/specs/otlp/">OTLP specification</a>
 */
package io.icegate.protocol.otlp;
