/**
 * PromQL parser: the ANTLR 4 grammar of PromQL and its immutable AST, with Prometheus's operator
 * precedence and error wording. The grammar arrives with the PromQL issue; this module exists so
 * the dependency direction (engine → parsers) is fixed from the start.
 */
package io.icegate.promql;
