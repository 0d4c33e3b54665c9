/** The {@code statefront} command: wires the embedded broker and the roles into one process. */
package dev.statefront.app;
