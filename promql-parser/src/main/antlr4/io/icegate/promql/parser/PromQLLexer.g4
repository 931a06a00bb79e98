/*
 * Lexer for PromQL, written from Prometheus's documented query syntax
 * (https://prometheus.io/docs/prometheus/latest/querying/basics/) and the behaviour of its parser.
 *
 * Token names are Prometheus's own (LEFT_BRACE, EQL_REGEX, METRIC_IDENTIFIER, ...): its error
 * messages describe tokens by kind, and we word ours the same way.
 *
 * This grammar only cuts the input into raw tokens. Prometheus's scanner is a state machine whose
 * errors depend on what came before (a colon is fine once inside brackets, "step" is a keyword
 * only inside brackets, a number that fails may still be a duration). Those rules live in
 * io.icegate.promql.TokenScanner, which reads these raw tokens, turns NUMERIC into NUMBER or
 * DURATION, checks string escapes, and stops at the first lexical error as Prometheus does. The
 * tokens the parser never accepts (BAD_*, UNEXPECTED_CHAR, ...) are the raw material of those
 * errors.
 *
 * Three modes: the top level, inside braces (label matchers: keywords are plain identifiers), and
 * inside brackets (ranges and subquery steps: a colon separates, words are duration keywords).
 */
lexer grammar PromQLLexer;

tokens { NUMBER, DURATION, ERROR, COLON }

// ---- Keywords: matched without regard to case, as in Prometheus. Listed before IDENTIFIER. ----
// Operators.
LAND    options { caseInsensitive = true; } : 'and' ;
LOR     options { caseInsensitive = true; } : 'or' ;
LUNLESS options { caseInsensitive = true; } : 'unless' ;
ATAN2   options { caseInsensitive = true; } : 'atan2' ;
// Aggregation operators.
SUM          options { caseInsensitive = true; } : 'sum' ;
AVG          options { caseInsensitive = true; } : 'avg' ;
COUNT        options { caseInsensitive = true; } : 'count' ;
MIN          options { caseInsensitive = true; } : 'min' ;
MAX          options { caseInsensitive = true; } : 'max' ;
GROUP        options { caseInsensitive = true; } : 'group' ;
STDDEV       options { caseInsensitive = true; } : 'stddev' ;
STDVAR       options { caseInsensitive = true; } : 'stdvar' ;
TOPK         options { caseInsensitive = true; } : 'topk' ;
BOTTOMK      options { caseInsensitive = true; } : 'bottomk' ;
COUNT_VALUES options { caseInsensitive = true; } : 'count_values' ;
QUANTILE     options { caseInsensitive = true; } : 'quantile' ;
LIMITK       options { caseInsensitive = true; } : 'limitk' ;
LIMIT_RATIO  options { caseInsensitive = true; } : 'limit_ratio' ;
// Modifiers. fill, fill_left and fill_right are keywords only before "(" (TokenScanner decides).
OFFSET      options { caseInsensitive = true; } : 'offset' ;
SMOOTHED    options { caseInsensitive = true; } : 'smoothed' ;
ANCHORED    options { caseInsensitive = true; } : 'anchored' ;
BY          options { caseInsensitive = true; } : 'by' ;
WITHOUT     options { caseInsensitive = true; } : 'without' ;
ON          options { caseInsensitive = true; } : 'on' ;
IGNORING    options { caseInsensitive = true; } : 'ignoring' ;
GROUP_LEFT  options { caseInsensitive = true; } : 'group_left' ;
GROUP_RIGHT options { caseInsensitive = true; } : 'group_right' ;
FILL        options { caseInsensitive = true; } : 'fill' ;
FILL_LEFT   options { caseInsensitive = true; } : 'fill_left' ;
FILL_RIGHT  options { caseInsensitive = true; } : 'fill_right' ;
BOOL        options { caseInsensitive = true; } : 'bool' ;
// Words for @ start() / end() and for duration expressions; also names of functions.
START  options { caseInsensitive = true; } : 'start' ;
END    options { caseInsensitive = true; } : 'end' ;
STEP   options { caseInsensitive = true; } : 'step' ;
RANGE  options { caseInsensitive = true; } : 'range' ;
MAX_OF options { caseInsensitive = true; } : 'max_of' ;
MIN_OF options { caseInsensitive = true; } : 'min_of' ;
// Inf and NaN are numbers.
INF_OR_NAN options { caseInsensitive = true; } : ( 'inf' | 'nan' ) -> type(NUMBER) ;

// A name with a colon can only be a metric name (recording rules use them).
IDENTIFIER        : [a-zA-Z_] [a-zA-Z0-9_]* ;
METRIC_IDENTIFIER : [a-zA-Z_:] [a-zA-Z0-9_:]* ;

// ---- Punctuation and operators. ----
LEFT_PAREN    : '(' ;
RIGHT_PAREN   : ')' ;
LEFT_BRACE    : '{' -> pushMode(BRACES) ;
LEFT_BRACKET  : '[' -> pushMode(BRACKETS) ;
COMMA         : ',' ;
AT            : '@' ;
ADD           : '+' ;
SUB           : '-' ;
MUL           : '*' ;
DIV           : '/' ;
MOD           : '%' ;
POW           : '^' ;
EQLC          : '==' ;
NEQ           : '!=' ;
LTE           : '<=' ;
TRIM_UPPER    : '</' ;
LSS           : '<' ;
GTE           : '>=' ;
TRIM_LOWER    : '>/' ;
GTR           : '>' ;
EQL           : '=' ;
// "=~" and "!" alone are not operators outside braces.
BAD_EQL_REGEX : '=~' ;
BAD_BANG      : '!' ;
// A right brace or bracket that closes nothing.
BAD_RIGHT_BRACE   : '}' ;
BAD_RIGHT_BRACKET : ']' ;

// A run that starts like a number. Whether it is a number, a duration or an error (and where it
// ends) follows Prometheus's scanner, in TokenScanner; this only has to take at least as much.
NUMERIC : NUMERIC_RUN ;

STRING     : STRING_BODY ;
BAD_STRING : BAD_STRING_BODY ;

WS      : [ \t\r\n]+ -> skip ;
// Kept (hidden) rather than skipped: inside brackets, before a duration, '#' is an error.
COMMENT : '#' ~[\r\n]* -> channel(HIDDEN) ;

UNEXPECTED_CHAR : . ;

// ---- Inside braces: label matchers. ----
mode BRACES;
B_IDENTIFIER  : [a-zA-Z_] [a-zA-Z0-9_]* -> type(IDENTIFIER) ;
B_COMMA       : ',' -> type(COMMA) ;
EQL_REGEX     : '=~' ;
NEQ_REGEX     : '!~' ;
B_NEQ         : '!=' -> type(NEQ) ;
B_EQL         : '=' -> type(EQL) ;
RIGHT_BRACE   : '}' -> popMode ;
BAD_LEFT_BRACE : '{' ;
B_BAD_BANG    : '!' -> type(BAD_BANG) ;
B_STRING      : STRING_BODY -> type(STRING) ;
B_BAD_STRING  : BAD_STRING_BODY -> type(BAD_STRING) ;
B_WS          : [ \t\r\n]+ -> skip ;
B_COMMENT     : '#' ~[\r\n]* -> channel(HIDDEN), type(COMMENT) ;
B_UNEXPECTED_CHAR : . -> type(UNEXPECTED_CHAR) ;

// ---- Inside brackets: a range, or a subquery's range and step. ----
mode BRACKETS;
RIGHT_BRACKET     : ']' -> popMode ;
BAD_LEFT_BRACKET  : '[' ;
K_COLON           : ':' -> type(COLON) ;
// Letters (Prometheus reads only letters and '_' here): step, range, min_of, max_of or an error.
WORD              : [a-zA-Z_]+ ;
K_LEFT_BRACE      : '{' -> type(LEFT_BRACE), pushMode(BRACES) ;
K_LEFT_PAREN      : '(' -> type(LEFT_PAREN) ;
K_RIGHT_PAREN     : ')' -> type(RIGHT_PAREN) ;
K_COMMA           : ',' -> type(COMMA) ;
K_AT              : '@' -> type(AT) ;
K_ADD             : '+' -> type(ADD) ;
K_SUB             : '-' -> type(SUB) ;
K_MUL             : '*' -> type(MUL) ;
K_DIV             : '/' -> type(DIV) ;
K_MOD             : '%' -> type(MOD) ;
K_POW             : '^' -> type(POW) ;
K_EQLC            : '==' -> type(EQLC) ;
K_NEQ             : '!=' -> type(NEQ) ;
K_LTE             : '<=' -> type(LTE) ;
K_TRIM_UPPER      : '</' -> type(TRIM_UPPER) ;
K_LSS             : '<' -> type(LSS) ;
K_GTE             : '>=' -> type(GTE) ;
K_TRIM_LOWER      : '>/' -> type(TRIM_LOWER) ;
K_GTR             : '>' -> type(GTR) ;
K_EQL             : '=' -> type(EQL) ;
K_BAD_EQL_REGEX   : '=~' -> type(BAD_EQL_REGEX) ;
K_BAD_BANG        : '!' -> type(BAD_BANG) ;
K_BAD_RIGHT_BRACE : '}' -> type(BAD_RIGHT_BRACE) ;
K_NUMERIC         : NUMERIC_RUN -> type(NUMERIC) ;
K_STRING          : STRING_BODY -> type(STRING) ;
K_BAD_STRING      : BAD_STRING_BODY -> type(BAD_STRING) ;
K_WS              : [ \t\r\n]+ -> skip ;
K_COMMENT         : '#' ~[\r\n]* -> channel(HIDDEN), type(COMMENT) ;
K_UNEXPECTED_CHAR : . -> type(UNEXPECTED_CHAR) ;

// Digits, letters, '_' and '.', and a sign right after an exponent letter: "1e-3", "0x1F", "5m".
fragment NUMERIC_RUN : ( [0-9] | '.' [0-9] ) ( [0-9a-zA-Z_.] | [eE] [+-] )* ;

// Double- or single-quoted with escapes (checked later), or raw in backticks.
fragment STRING_BODY
  : '"' ( ~["\\\n] | '\\' . )* '"'
  | '\'' ( ~['\\\n] | '\\' . )* '\''
  | '`' ~'`'* '`'
  ;

// The same without the closing quote: what Prometheus reports as unterminated.
fragment BAD_STRING_BODY
  : '"' ( ~["\\\n] | '\\' . )* '\\'?
  | '\'' ( ~['\\\n] | '\\' . )* '\\'?
  | '`' ~'`'*
  ;
