/** Implementation of the state server (apply logic, Kafka consumer loop); nothing outside this module imports it. */
package dev.statefront.state.internals;
