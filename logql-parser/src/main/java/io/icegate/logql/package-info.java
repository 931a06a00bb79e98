/**
 * LogQL, Loki's query language, from text to syntax tree.
 *
 * <p>{@link io.icegate.logql.LogQL#parse(String)} reads a query and returns an immutable {@link
 * io.icegate.logql.ast.LogQLExpr}; the engine plans and runs that tree, and never sees the text. A
 * query that is not valid LogQL fails with {@link io.icegate.logql.LogQLParseException}, whose
 * message is worded and positioned as Loki's, so that Grafana and other Loki clients show our
 * errors as they show Loki's. {@link io.icegate.logql.LogQLFormatter} prints a tree back as Loki
 * prints queries (its {@code /format_query} API).
 *
 * <p>Loki's behaviour is the specification: its own parser test cases run as conformance tests
 * (src/test/resources/loki), and a case we do not pass yet is listed, with its reason, in
 * known-gaps.txt there.
 *
 * <p>Inside: an ANTLR grammar ({@code io.icegate.logql.parser}, generated; its lexer and parser
 * extend {@link io.icegate.logql.LogQLLexerBase} and {@link io.icegate.logql.LogQLParserBase}
 * for what Loki decides by looking ahead), a strategy that stops at the first syntax error and
 * words it as Loki does, a builder from parse tree to AST that reads literals with Go's rules and
 * applies Loki's checks in Loki's order, and the checks Loki makes when it builds pipelines.
 */
package io.icegate.logql;
