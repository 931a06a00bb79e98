package io.icegate.logql.ast;

/**
 * A label filter expression: a comparison of one label, or two filters joined by {@code and}
 * ({@code and}, {@code ,} or nothing between them) or {@code or}.
 *
 * <p>Comparisons convert the label's value as their right side says: a string or regex ({@link
 * StringLabelFilter}), a number ({@link NumericLabelFilter}), a duration such as {@code 250ms}
 * ({@link DurationLabelFilter}), a size such as {@code 20MB} ({@link BytesLabelFilter}), or an IP
 * pattern ({@link IpLabelFilter}).
 */
public sealed interface LabelFilter
    permits StringLabelFilter,
        NumericLabelFilter,
        DurationLabelFilter,
        BytesLabelFilter,
        IpLabelFilter,
        BinaryLabelFilter {}
