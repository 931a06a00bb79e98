package io.icegate.logql.ast;

/**
 * One stage after the stream selector: a line filter, a parser, a label filter, a formatter or a
 * label selection. Stages run in the order written.
 */
public sealed interface PipelineStage
    permits LineFilter,
        PatternLineFilter,
        IpLineFilter,
        JsonParser,
        LogfmtParser,
        RegexpParser,
        PatternParser,
        UnpackParser,
        LabelFilterStage,
        LineFormat,
        LabelFormat,
        Decolorize,
        DropLabels,
        KeepLabels {}
