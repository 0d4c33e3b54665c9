/** Test kit shared by end-to-end tests and benchmarks: seeded workload generator and independent oracles. */
package dev.statefront.testkit;
