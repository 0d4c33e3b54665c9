/** The v1 REST API: routes, request decoding, answer and error shapes. */
package dev.statefront.gateway.rest;
