/*
 * Parser for PromQL, written from Prometheus's documented query syntax
 * (https://prometheus.io/docs/prometheus/latest/querying/basics/ and .../operators/) and the
 * behaviour of Prometheus 3's parser.
 *
 * Precedence, from loosest to tightest: or; and unless; comparisons (and the histogram trim
 * operators </ and >/); + -; * / % atan2; unary + -; ^ (right-associative); then the postfix
 * modifiers [range], [range:step], @, offset, anchored, smoothed. So -2 ^ 2 is -(2 ^ 2) and
 * -a * b is (-a) * b, as in Prometheus, where unary operators bind like * but below ^.
 *
 * The grammar accepts a little more than PromQL where Prometheus's own grammar does, and leaves the
 * rest to AstBuilder (which reports what Prometheus reports while parsing, e.g. "ranges only
 * allowed for vector selectors") and TypeChecker (what it reports after parsing). Features that
 * Prometheus enables only by flag (experimental functions, duration expressions, fill modifiers,
 * anchored/smoothed) are in the grammar; AstBuilder rejects them unless they are enabled.
 */
parser grammar PromQLParser;

options { tokenVocab = PromQLLexer; }

query : expr? EOF ;

expr
  : expr LEFT_BRACKET rangeDuration ( COLON rangeDuration? )? RIGHT_BRACKET        # rangeExpr
  | expr AT atValue                                                                 # atExpr
  | expr OFFSET offsetValue                                                         # offsetExpr
  | expr modifier=( ANCHORED | SMOOTHED )                                           # rangeModifierExpr
  | <assoc=right> expr op=POW binModifier expr                                      # binaryExpr
  | op=( ADD | SUB ) expr                                                           # unaryExpr
  | expr op=( MUL | DIV | MOD | ATAN2 ) binModifier expr                            # binaryExpr
  | expr op=( ADD | SUB ) binModifier expr                                          # binaryExpr
  | expr op=( EQLC | NEQ | LTE | LSS | GTE | GTR | TRIM_UPPER | TRIM_LOWER )
      binModifier expr                                                              # binaryExpr
  | expr op=( LAND | LUNLESS ) binModifier expr                                     # binaryExpr
  | expr op=LOR binModifier expr                                                    # binaryExpr
  | aggregateExpr                                                                   # aggregate
  | functionCall                                                                    # call
  | vectorSelector                                                                  # selector
  | LEFT_PAREN expr RIGHT_PAREN                                                     # parenExpr
  | literal=( NUMBER | DURATION )                                                   # numberLiteral
  | STRING                                                                          # stringLiteral
  ;

// ---- Aggregations: `sum by (job) (x)` or `sum (x) by (job)`. ----
aggregateExpr
  : aggregateOp aggregateModifier functionCallBody
  | aggregateOp functionCallBody aggregateModifier?
  ;

aggregateOp
  : SUM | AVG | COUNT | MIN | MAX | GROUP | STDDEV | STDVAR | TOPK | BOTTOMK | COUNT_VALUES
  | QUANTILE | LIMITK | LIMIT_RATIO
  ;

aggregateModifier : kind=( BY | WITHOUT ) groupingLabels ;

// ---- Function calls. start, end, step, range, min_of and max_of are keywords and functions. ----
functionCall : name=( IDENTIFIER | START | END | STEP | RANGE | MIN_OF | MAX_OF ) functionCallBody ;

// A trailing comma is accepted here and reported by AstBuilder, with Prometheus's message.
functionCallBody : LEFT_PAREN ( expr ( COMMA expr )* trailingComma=COMMA? )? RIGHT_PAREN ;

// ---- Binary operator modifiers: bool, on/ignoring, group_left/group_right, fill. ----
binModifier
  : BOOL? ( onOrIgnoring ( group=( GROUP_LEFT | GROUP_RIGHT ) groupingLabels? )? )? fillModifiers?
  ;

onOrIgnoring : kind=( ON | IGNORING ) groupingLabels ;

fillModifiers
  : FILL fillValue
  | FILL_LEFT fillValue ( FILL_RIGHT fillValue )?
  | FILL_RIGHT fillValue ( FILL_LEFT fillValue )?
  ;

fillValue : LEFT_PAREN sign=( ADD | SUB )? literal=( NUMBER | DURATION ) RIGHT_PAREN ;

groupingLabels : LEFT_PAREN ( groupingLabel ( COMMA groupingLabel )* COMMA? )? RIGHT_PAREN ;

// Label names in grouping lists may be keywords, and may be quoted (UTF-8 names).
groupingLabel : labelKeyword | IDENTIFIER | METRIC_IDENTIFIER | STRING ;

labelKeyword
  : AVG | BOOL | BOTTOMK | BY | COUNT | COUNT_VALUES | GROUP | GROUP_LEFT | GROUP_RIGHT | FILL
  | FILL_LEFT | FILL_RIGHT | IGNORING | LAND | LOR | LUNLESS | MAX | MIN | OFFSET | ON | QUANTILE
  | STDDEV | STDVAR | SUM | TOPK | START | END | ATAN2 | LIMITK | LIMIT_RATIO | STEP | RANGE
  | ANCHORED | SMOOTHED | MAX_OF | MIN_OF
  ;

// ---- Vector selectors. ----
vectorSelector : metricIdentifier labelMatchers? | labelMatchers ;

// A metric name may be a keyword that cannot start anything else there.
metricIdentifier
  : IDENTIFIER | METRIC_IDENTIFIER | AVG | BOTTOMK | BY | COUNT | COUNT_VALUES | FILL | FILL_LEFT
  | FILL_RIGHT | GROUP | LAND | LOR | LUNLESS | MAX | MIN | OFFSET | QUANTILE | STDDEV | STDVAR
  | SUM | TOPK | WITHOUT | START | END | LIMITK | LIMIT_RATIO | STEP | RANGE | ANCHORED | SMOOTHED
  | MAX_OF | MIN_OF
  ;

labelMatchers : LEFT_BRACE ( labelMatcher ( COMMA labelMatcher )* COMMA? )? RIGHT_BRACE ;

// `name op "value"`, with a plain or quoted name; or a quoted metric name alone: {"my.metric"}.
labelMatcher
  : name=( IDENTIFIER | STRING ) op=( EQL | NEQ | EQL_REGEX | NEQ_REGEX ) value=STRING
  | STRING
  ;

// ---- @ and offset. ----
atValue
  : sign=( ADD | SUB )? literal=( NUMBER | DURATION )
  | preprocessor=( START | END ) LEFT_PAREN RIGHT_PAREN
  ;

// One number or duration, or one duration expression in parentheses or a call: `foo offset 5m`,
// `foo offset -(1m + 1s)`. What follows binds to the offset expression, not to the duration:
// `foo offset 1m + 2` is (foo offset 1m) + 2.
offsetValue : sign=( ADD | SUB )? durationAtom ;

// ---- Ranges and steps: a number of seconds, a duration, or (experimental) a duration expression.
rangeDuration : durationExpr ;

durationExpr
  : <assoc=right> durationExpr op=POW durationExpr                 # durationBinary
  | op=( ADD | SUB ) durationExpr                                  # durationUnary
  | durationExpr op=( MUL | DIV | MOD ) durationExpr               # durationBinary
  | durationExpr op=( ADD | SUB ) durationExpr                     # durationBinary
  | durationAtom                                                   # durationPrimary
  ;

durationAtom
  : literal=( NUMBER | DURATION )                                           # durationLiteral
  | fn=( STEP | RANGE ) LEFT_PAREN RIGHT_PAREN                              # durationFunction
  | fn=( MIN_OF | MAX_OF ) LEFT_PAREN durationExpr COMMA durationExpr RIGHT_PAREN # durationMinMax
  | LEFT_PAREN durationExpr RIGHT_PAREN                                     # durationParen
  ;
