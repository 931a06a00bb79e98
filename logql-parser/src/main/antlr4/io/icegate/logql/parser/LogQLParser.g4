/*
 * Parser for LogQL, written from Loki's documented query syntax
 * (https://grafana.com/docs/loki/latest/query/) and checked against Loki's own parser tests.
 *
 * A query is a log query (a stream selector and a pipeline of stages) or a metric query (range
 * aggregations over log queries, vector aggregations, binary operations, literals, ...).
 *
 * The grammar reads what Loki's grammar reads, with one liberty: binary operations accept log
 * queries as operands and vector aggregations and label_replace accept them as arguments; the
 * AST builder rejects them with Loki's messages ("unexpected type for left leg of binary operation
 * ...", "syntax error: unexpected )").
 */
parser grammar LogQLParser;

options {
  tokenVocab = LogQLLexer;
  superClass = io.icegate.logql.LogQLParserBase;
}

query : expr EOF ;

// Binary operators from the tightest to the loosest, as in Loki (and Prometheus): `^` (right
// associative), then `* / %`, `+ -`, comparisons, `and unless`, and `or`. An `or` right after a
// line filter or a label filter belongs to the filter, as in Loki's parser.
expr
  : <assoc=right> left=expr op=POW binOpModifier right=expr                        # binOpExpr
  | left=expr op=(MUL | DIV | MOD) binOpModifier right=expr                         # binOpExpr
  | left=expr op=(ADD | SUB) binOpModifier right=expr                               # binOpExpr
  | left=expr op=(CMP_EQ | NEQ | GT | GTE | LT | LTE) binOpModifier right=expr      # binOpExpr
  | left=expr op=(AND | UNLESS) binOpModifier right=expr                            # binOpExpr
  | left=expr { !orContinuesFilter() }? op=OR binOpModifier right=expr              # binOpExpr
  | rangeAggregation                                                                 # rangeAggregationExpr
  | vectorAggregation                                                                # vectorAggregationExpr
  | labelReplace                                                                     # labelReplaceExpr
  | vector                                                                           # vectorExpr
  | literal                                                                          # literalExpr
  | logExpr                                                                          # logQueryExpr
  | OPEN_PARENTHESIS expr CLOSE_PARENTHESIS                                          # parenthesizedExpr
  ;

// `bool`, then `on (...)`/`ignoring (...)`, then `group_left (...)`/`group_right (...)`.
binOpModifier : BOOL? ( matching=(ON | IGNORING) OPEN_PARENTHESIS on=labelList? CLOSE_PARENTHESIS
                        ( group=(GROUP_LEFT | GROUP_RIGHT)
                          ( OPEN_PARENTHESIS include=labelList? CLOSE_PARENTHESIS )? )? )? ;

// --- Metric queries ---

rangeAggregation
  : rangeOp OPEN_PARENTHESIS ( parameter=NUMBER COMMA )? logRangeExpr CLOSE_PARENTHESIS grouping? ;

rangeOp
  : COUNT_OVER_TIME | RATE | RATE_COUNTER | BYTES_OVER_TIME | BYTES_RATE | AVG_OVER_TIME
  | SUM_OVER_TIME | MIN_OVER_TIME | MAX_OVER_TIME | STDVAR_OVER_TIME | STDDEV_OVER_TIME
  | QUANTILE_OVER_TIME | FIRST_OVER_TIME | LAST_OVER_TIME | ABSENT_OVER_TIME
  ;

// A log query over a range: `{...} | stages | unwrap x [5m] offset 1h`. Loki also reads the range
// right after the selector (`{...}[5m] | stages`) and a parenthesised log query before it.
logRangeExpr
  : OPEN_PARENTHESIS logRangeExpr CLOSE_PARENTHESIS                                  # parenthesizedRange
  | OPEN_PARENTHESIS selector CLOSE_PARENTHESIS RANGE offsetExpr? unwrapExpr?        # logRange
  | OPEN_PARENTHESIS selector ( pipelineStage+ unwrapExpr? | unwrapExpr )
    CLOSE_PARENTHESIS RANGE offsetExpr?                                              # logRange
  | selector RANGE offsetExpr? ( pipelineStage+ unwrapExpr? | unwrapExpr )           # logRange
  | selector pipelineStage* unwrapExpr? RANGE offsetExpr?                            # logRange
  ;

offsetExpr : OFFSET DURATION ;

unwrapExpr
  : PIPE UNWRAP ( IDENTIFIER
                | conversion=(BYTES_CONV | DURATION_CONV | DURATION_SECONDS_CONV)
                  OPEN_PARENTHESIS IDENTIFIER CLOSE_PARENTHESIS )
    ( PIPE labelFilter )*
  ;

vectorAggregation
  : vectorOp grouping OPEN_PARENTHESIS ( parameter=NUMBER COMMA )? expr CLOSE_PARENTHESIS
  | vectorOp OPEN_PARENTHESIS ( parameter=NUMBER COMMA )? expr CLOSE_PARENTHESIS grouping?
  ;

vectorOp
  : SUM | AVG | COUNT | MAX | MIN | STDDEV | STDVAR | BOTTOMK | TOPK | SORT | SORT_DESC
  | APPROX_TOPK
  ;

grouping : ( BY | WITHOUT ) OPEN_PARENTHESIS labelList? CLOSE_PARENTHESIS ;

labelList : IDENTIFIER ( COMMA IDENTIFIER )* ;

labelReplace
  : LABEL_REPLACE OPEN_PARENTHESIS expr COMMA destination=STRING COMMA replacement=STRING
    COMMA source=STRING COMMA regex=STRING CLOSE_PARENTHESIS
  ;

vector : VECTOR OPEN_PARENTHESIS NUMBER CLOSE_PARENTHESIS ;

literal : sign=( ADD | SUB )? NUMBER ;

// --- Log queries ---

logExpr : selector pipelineStage* ;

// Loki accepts `{}` as syntax and rejects it when validating, like any selector whose matchers
// all match the empty string.
selector : OPEN_BRACE ( matcher ( COMMA matcher )* )? CLOSE_BRACE ;

matcher : IDENTIFIER op=( EQ | NEQ | RE | NRE ) STRING ;

pipelineStage
  : lineFilter                                                                    # lineFilterStage
  | PIPE LOGFMT FUNCTION_FLAG* labelExtractions?                                  # logfmtStage
  | PIPE JSON labelExtractions?                                                   # jsonStage
  | PIPE REGEXP STRING                                                            # regexpStage
  | PIPE PATTERN STRING                                                           # patternStage
  | PIPE UNPACK                                                                   # unpackStage
  | PIPE labelFilter                                                              # labelFilterStage
  | PIPE LINE_FMT STRING                                                          # lineFormatStage
  | PIPE DECOLORIZE                                                               # decolorizeStage
  | PIPE LABEL_FMT labelFormatOperation ( COMMA labelFormatOperation )*          # labelFormatStage
  | PIPE DROP namedMatcher ( COMMA namedMatcher )*                                # dropStage
  | PIPE KEEP namedMatcher ( COMMA namedMatcher )*                                # keepStage
  ;

// `|= "a" or ip("10.0.0.0/8")`: the alternatives share the operator.
lineFilter
  : op=( PIPE_EXACT | NEQ | PIPE_MATCH | NRE | PIPE_PATTERN | NPA ) lineFilterValue
    ( OR lineFilterValue )*
  ;

lineFilterValue : STRING | IP OPEN_PARENTHESIS STRING CLOSE_PARENTHESIS ;

labelExtractions : labelExtraction ( COMMA labelExtraction )* ;

// `a="b.c"`, or `a` for `a="a"`.
labelExtraction : IDENTIFIER ( EQ STRING )? ;

// `a="{{.b}}"` sets a label from a template, `a=b` renames label b to a.
labelFormatOperation : target=IDENTIFIER EQ ( source=IDENTIFIER | template=STRING ) ;

// `drop a, b="x"`: a label name, or a matcher on the label's value.
namedMatcher : IDENTIFIER ( op=( EQ | NEQ | RE | NRE ) STRING )? ;

// Label filters joined by `and`, `or`, `,` or nothing (and). Loki's grammar leaves `,` and
// juxtaposition without precedence; the AST builder groups the chain as Loki's parser does.
labelFilter : labelFilterPrimary labelFilterContinuation* ;

labelFilterContinuation : op=( AND | OR | COMMA )? labelFilterPrimary ;

labelFilterPrimary
  : OPEN_PARENTHESIS labelFilter CLOSE_PARENTHESIS                                # nestedLabelFilter
  | IDENTIFIER op=( EQ | NEQ | RE | NRE ) STRING                                  # stringLabelFilter
  | IDENTIFIER op=( EQ | NEQ ) IP OPEN_PARENTHESIS STRING CLOSE_PARENTHESIS        # ipLabelFilter
  | IDENTIFIER op=( EQ | CMP_EQ | NEQ | GT | GTE | LT | LTE ) DURATION             # durationLabelFilter
  | IDENTIFIER op=( EQ | CMP_EQ | NEQ | GT | GTE | LT | LTE ) BYTES                # bytesLabelFilter
  | IDENTIFIER op=( EQ | CMP_EQ | NEQ | GT | GTE | LT | LTE ) literal              # numberLabelFilter
  ;
