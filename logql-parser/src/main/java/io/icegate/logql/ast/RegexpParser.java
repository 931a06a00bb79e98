package io.icegate.logql.ast;

import java.util.Objects;

/**
 * {@code | regexp "(?P<method>\\w+) (?P<path>\\S+)"}: each named group of the RE2 regex becomes a
 * label. The parser has checked that the regex compiles and names at least one group.
 */
public record RegexpParser(String regex) implements PipelineStage {
  public RegexpParser {
    Objects.requireNonNull(regex, "regex");
  }
}
