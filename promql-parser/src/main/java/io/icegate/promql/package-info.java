/**
 * PromQL parser: {@link io.icegate.promql.PromQL#parse(String)} reads a PromQL expression into
 * the immutable AST of {@code io.icegate.promql.ast}, with Prometheus 3's syntax, operator
 * precedence, type checks and error wording.
 */
package io.icegate.promql;
