/** The processor's streaming runtime; nothing outside the processor module imports it. */
package dev.statefront.processor.internals;
