package dev.statefront.processor.plan;

import java.util.List;

/**
 * A planned SQL script: its sources and views, in statement order.
 *
 * @param sources every CREATE SOURCE / CREATE TABLE
 * @param views every CREATE MATERIALIZED VIEW
 */
public record Program(List<SourceDefinition> sources, List<ViewPlan> views) {
    public Program {
        sources = List.copyOf(sources);
        views = List.copyOf(views);
    }
}
