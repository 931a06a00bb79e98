/*
 * Lexer for LogQL, written from Loki's documented query syntax
 * (https://grafana.com/docs/loki/latest/query/).
 *
 * Token names are Loki's own (OPEN_BRACE, PIPE_EXACT, NRE, ...): Loki's syntax errors name tokens,
 * and the conformance tests compare our token stream with Loki's lexer cases.
 *
 * Loki's lexer decides some tokens by looking ahead, and so does ours, in LogQLLexerBase:
 *   - a word is a keyword (`by`, `json`, `or`, ...) in any case; a function name (`rate`, `sum`,
 *     `ip`, `bytes`, ...) is a function only when `(` or `by (`/`without (` follows, and is an
 *     IDENTIFIER otherwise (so `{ip="a"}` and `| unwrap bytes` read labels called ip and bytes);
 *   - a number followed by a unit is one DURATION (`250ms`, `1h15m30.5s`) or BYTES (`20MB`) token;
 *   - `-` starts a parser flag (`--strict`), a negative DURATION (`-5m`) or is SUB.
 */
lexer grammar LogQLLexer;

options { superClass = io.icegate.logql.LogQLLexerBase; }

// Token types are numbered in the order of Loki's grammar, because a syntax error that lists the
// tokens it expected lists them in type order, and Loki's messages list them in its order
// ("expecting } or ,", "expecting = or =~ or !~ or !=", "expecting NUMBER or { or (").
tokens {
  BYTES, IDENTIFIER, STRING, NUMBER, FUNCTION_FLAG, DURATION, RANGE,
  EQ, RE, NRE, NPA, OPEN_BRACE, CLOSE_BRACE, COMMA, PIPE_MATCH, PIPE_EXACT, PIPE_PATTERN,
  OPEN_PARENTHESIS, CLOSE_PARENTHESIS, BY, WITHOUT, COUNT_OVER_TIME, RATE, RATE_COUNTER, SUM,
  SORT, SORT_DESC, AVG, MAX, MIN, COUNT, STDDEV, STDVAR, BOTTOMK, TOPK, APPROX_TOPK,
  BYTES_OVER_TIME, BYTES_RATE, BOOL, JSON, REGEXP, LOGFMT, PIPE, LINE_FMT, LABEL_FMT, UNWRAP,
  AVG_OVER_TIME, SUM_OVER_TIME, MIN_OVER_TIME, MAX_OVER_TIME, STDVAR_OVER_TIME, STDDEV_OVER_TIME,
  QUANTILE_OVER_TIME, BYTES_CONV, DURATION_CONV, DURATION_SECONDS_CONV, FIRST_OVER_TIME,
  LAST_OVER_TIME, ABSENT_OVER_TIME, VECTOR, LABEL_REPLACE, UNPACK, OFFSET, PATTERN, IP, ON,
  IGNORING, GROUP_LEFT, GROUP_RIGHT, DECOLORIZE, DROP, KEEP,
  OR, AND, UNLESS, CMP_EQ, NEQ, LT, LTE, GT, GTE, ADD, SUB, MUL, DIV, MOD, POW
}

OPEN_BRACE        : '{' ;
CLOSE_BRACE       : '}' ;
OPEN_PARENTHESIS  : '(' ;
CLOSE_PARENTHESIS : ')' ;
COMMA             : ',' ;
EQ                : '=' ;
CMP_EQ            : '==' ;
NEQ               : '!=' ;  // a matcher, a label filter, the "does not contain" line filter, an operator
RE                : '=~' ;
NRE               : '!~' ;  // a matcher operator and the "does not match" line filter, as in Loki
NPA               : '!>' ;
PIPE_EXACT        : '|=' ;
PIPE_MATCH        : '|~' ;
PIPE_PATTERN      : '|>' ;
PIPE              : '|' ;
GT                : '>' ;
GTE               : '>=' ;
LT                : '<' ;
LTE               : '<=' ;
ADD               : '+' ;
SUB               : '-' { afterMinus(); } ;
MUL               : '*' ;
DIV               : '/' ;
MOD               : '%' ;
POW               : '^' ;

// A word; LogQLLexerBase turns keywords and function names into their tokens.
IDENTIFIER : [a-zA-Z_] [a-zA-Z0-9_]* { classifyWord(); } ;

// The start of a number; LogQLLexerBase reads the rest as Go's scanner does (0x1p3, 1e6, .5, ...)
// and then a unit, if one follows, making a DURATION or BYTES token.
NUMBER : ( [0-9] | '.' [0-9] ) { afterNumberStart(); } ;

// `[5m]`: Loki reads everything up to `]` as the range, and checks it as a Prometheus duration.
RANGE : '[' ~']'* ']' ;

// A `[` without its `]`: the parser never accepts it, so the error is reported at this token.
BAD_RANGE : '[' ~']'* ;

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
