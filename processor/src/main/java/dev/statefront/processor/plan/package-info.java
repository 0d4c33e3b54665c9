/** Compiled view plans: what the streaming runtime executes for each source record. */
package dev.statefront.processor.plan;
