/** The built-in demo: its topics, its customers and a steady trickle of orders. */
package dev.statefront.app.demo;
