/**
 * TraceQL parser: the ANTLR 4 grammar of TraceQL and its immutable AST. The grammar arrives with the
 * TraceQL issue; this module exists so the dependency direction (engine → parsers) is fixed from
 * the start.
 */
package io.icegate.traceql;
