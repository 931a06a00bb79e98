/*
 * Lexer for LogQL, written from Loki's documented query syntax
 * (https://grafana.com/docs/loki/latest/query/).
 *
 * Token names are Loki's own (OPEN_BRACE, PIPE_EXACT, NRE, ...): Loki's syntax errors name tokens,
 * and the conformance tests compare our token stream with Loki's lexer cases.
 *
 * Only what log queries with line filters need is here. Later parts of LogQL (parser stages, label
 * filters, durations, metric functions) add their tokens here; keywords go before IDENTIFIER.
 */
lexer grammar LogQLLexer;

// Token types are numbered in the order of Loki's grammar, because a syntax error that lists the
// tokens it expected lists them in type order, and Loki's messages list them in its order
// ("expecting } or ,", "expecting = or =~ or !~ or !=").
tokens {
  IDENTIFIER, STRING, EQ, RE, NRE, OPEN_BRACE, CLOSE_BRACE, COMMA, PIPE_MATCH, PIPE_EXACT, PIPE,
  OR, NEQ
}

OPEN_BRACE  : '{' ;
CLOSE_BRACE : '}' ;
COMMA       : ',' ;
EQ          : '=' ;
NEQ         : '!=' ;   // a matcher operator and the "does not contain" line filter, as in Loki
RE          : '=~' ;
NRE         : '!~' ;   // a matcher operator and the "does not match" line filter, as in Loki
PIPE_EXACT  : '|=' ;
PIPE_MATCH  : '|~' ;
PIPE        : '|' ;    // starts the stages that are not line filters; none is supported yet

// Keywords are case-insensitive in Loki and cannot be used as label names.
OR options { caseInsensitive = true; } : 'or' ;

IDENTIFIER : [a-zA-Z_] [a-zA-Z0-9_]* ;

// A double-quoted string takes Go escapes; a backtick string is raw and may span lines. The lexer
// only finds where a literal ends: GoStringLiteral checks escapes and unquotes, with Go's rules.
STRING
  : '"' ( ~["\\\n] | '\\' ~'\n' )* '"'
  | '`' ~'`'* '`'
  ;

// A string literal with no closing quote on its line (or, for a raw string, before the end). The
// parser never accepts it, so the error is reported at this token, as Loki's scanner does.
BAD_STRING
  : '"' ( ~["\\\n] | '\\' ~'\n' )* '\\'?
  | '`' ~'`'*
  ;

// Loki's scanner skips Go's white space only (space, tab, newline, carriage return).
WS : [ \t\r\n]+ -> skip ;

// Loki allows comments from '#' to the end of the line.
COMMENT : '#' ~'\n'* -> skip ;

// Any other character. The parser never accepts it; errors name it by its text.
UNEXPECTED_CHAR : . ;
