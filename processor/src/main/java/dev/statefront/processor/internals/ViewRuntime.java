package dev.statefront.processor.internals;

import dev.statefront.core.ChangeEventCodec;
import dev.statefront.core.Topics;
import dev.statefront.processor.plan.ViewPlan;

/**
 * A view's plan with the topics and codecs the runtime needs for it.
 *
 * @param plan the compiled view
 * @param sourceTopic the topic of the view's source
 * @param sourcePartitions partition count of the source topic
 * @param partitions partition count of the view (= of its change, changelog and repartition topics)
 * @param changeTopic the view change topic
 * @param changelogTopic the compacted topic holding each group's working state, for restore
 * @param repartitionTopic the re-keying topic, or null when the view is co-partitioned with its source
 * @param codec the change envelope codec
 */
record ViewRuntime(ViewPlan plan, String sourceTopic, int sourcePartitions, int partitions, String changeTopic,
                   String changelogTopic, String repartitionTopic, ChangeEventCodec codec) {

    static ViewRuntime of(String appId, ViewPlan plan, int sourcePartitions) {
        return of(appId, plan, sourcePartitions, false);
    }

    static ViewRuntime of(String appId, ViewPlan plan, int sourcePartitions, boolean changeSchemas) {
        String name = plan.name();
        return new ViewRuntime(plan, plan.source().topic(), sourcePartitions, sourcePartitions,
                Topics.viewChanges(appId, name), changelogTopic(appId, name),
                plan.isCopartitioned() ? null : Topics.repartition(appId, name),
                new ChangeEventCodec(appId, plan.schema(), name, changeSchemas));
    }

    static String changelogTopic(String appId, String view) {
        return appId + "-changelog-" + view;
    }

    String name() {
        return plan.name();
    }

    boolean copartitioned() {
        return repartitionTopic == null;
    }
}
