/** Statefront's settings: keys, defaults, validation, and where each value came from. */
package dev.statefront.app.config;
