/** The MCP server of the gateway: views as tools and resources for AI agents, over Streamable HTTP. */
package dev.statefront.gateway.mcp;
