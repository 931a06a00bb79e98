/**
 * The query engine: language ASTs become Calcite relational plans ({@code logql}), named rule
 * phases turn them into plans of our own Arrow convention ({@code plan}, {@code rel}), and those
 * run as operators over Arrow batches ({@code exec}, {@code expr}) — never row by row through
 * Calcite's Enumerable interpreter.
 */
package io.icegate.engine;
