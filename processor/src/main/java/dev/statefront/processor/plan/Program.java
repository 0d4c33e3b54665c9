package dev.statefront.processor.plan;

import java.util.List;

/**
 * A planned SQL script: its sources and views, in statement order.
 *
 * @param sources every CREATE SOURCE / CREATE TABLE
 * @param views every CREATE MATERIALIZED VIEW
 * @param sinks every CREATE SINK
 */
public record Program(List<SourceDefinition> sources, List<ViewPlan> views, List<SinkDefinition> sinks) {
    public Program {
        sources = List.copyOf(sources);
        views = List.copyOf(views);
        sinks = List.copyOf(sinks);
    }

    /** A program without sinks. */
    public Program(List<SourceDefinition> sources, List<ViewPlan> views) {
        this(sources, views, List.of());
    }
}
