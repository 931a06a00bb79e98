package io.icegate.engine.logql.template;

/** A template that does not parse, or fails while it runs; the message is Go's wording. */
public final class TemplateException extends Exception {
  public TemplateException(String message) {
    super(message, null, false, false);
  }
}
