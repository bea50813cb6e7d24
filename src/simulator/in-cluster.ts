/**
 * How the simulator runs in the cluster (the bdc stack's Deployment): its entry point to bundle, the variable
 * its connection string arrives in, and its arguments. Owned here, beside the CLI they must match.
 */
import { resolve } from "node:path";
import { DEFAULT_CONNECTION_STRING_ENV } from "./credentials";

/** The CLI's entry point, bundled for the Deployment. */
export const SIMULATOR_ENTRY = resolve(__dirname, "cli.ts");

/** The variable the pod gets its send-only connection string in (the CLI's default --connection-string-env). */
export const SIMULATOR_CONNECTION_STRING_ENV = DEFAULT_CONNECTION_STRING_ENV;

/**
 * The readings topic at the configured rate, with no count or duration (runs until the pod stops), over
 * SASL_SSL, gzip; the bootstrap comes from the connection string.
 */
export function inClusterSimulatorArgs(topic: string, eventsPerSecond: number): string[] {
  return [
    "--topic", topic,
    "--security-protocol", "SASL_SSL",
    "--connection-string-env", SIMULATOR_CONNECTION_STRING_ENV,
    "--rate", String(eventsPerSecond),
    "--compression", "gzip",
  ];
}
