/**
 * The {@code llm-rotate-server} command line ({@link dev.llmrotate.server.cli.ServerCli}, the main class of the
 * server's {@code -all} jar): it loads a configuration, opens a read-only view of the state store it names and serves
 * the control server on it until stopped. Every failure to start is one line on stderr and an exit code telling its
 * kind, so that scripts and service managers can act on it.
 */
package dev.llmrotate.server.cli;
