/*
 * Parser for LogQL, written from Loki's documented query syntax
 * (https://grafana.com/docs/loki/latest/query/).
 *
 * Scope today: log queries, that is a stream selector followed by line filters. The rules are laid
 * out as in the LogQL documentation so that the rest of the language slots in: metric queries
 * become more alternatives of `expr`, and parser, formatter and label-filter stages become more
 * alternatives of `pipelineStage` (each starting with PIPE).
 */
parser grammar LogQLParser;

options { tokenVocab = LogQLLexer; }

query : expr EOF ;

expr
  : logExpr
  ;

logExpr : selector pipelineStage* ;

// Loki accepts `{}` as syntax and rejects it when validating, like any selector whose matchers
// all match the empty string.
selector : OPEN_BRACE ( matcher ( COMMA matcher )* )? CLOSE_BRACE ;

matcher : IDENTIFIER op=( EQ | NEQ | RE | NRE ) STRING ;

pipelineStage
  : lineFilter                                     # lineFilterStage
  ;

// `|= "a" or "b"`: the alternatives share the operator.
lineFilter : op=( PIPE_EXACT | NEQ | PIPE_MATCH | NRE ) STRING ( OR STRING )* ;
