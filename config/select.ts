// Which environments the app synthesizes: all by default, or those named by cdktf context `env` or SENSORS_ENV.
import type { IConstruct } from "constructs";
import { ENVIRONMENT_NAMES, LOCAL_ENVIRONMENT_NAME } from "./environments";
import { ConfigError } from "./violation";

/**
 * Names from the cdktf context `env` (cdktf.json `context`, or CDKTF_CONTEXT_JSON) first, else SENSORS_ENV, else all.
 * Several names may be given comma-separated; `all` means every environment.
 */
export function selectedEnvironmentNames(app?: IConstruct, variables: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const fromContext: unknown = app?.node.tryGetContext("env");
  const source = typeof fromContext === "string" && fromContext !== "" ? "context env" : "SENSORS_ENV";
  const raw = source === "context env" ? (fromContext as string) : (variables.SENSORS_ENV ?? "");
  const names = raw.split(",").map((name) => name.trim()).filter((name) => name.length > 0);
  if (names.length === 0 || names.includes("all")) return [...ENVIRONMENT_NAMES];
  const unknown = names.filter((name) => !ENVIRONMENT_NAMES.includes(name));
  if (unknown.length > 0) {
    const allowed = `one of ${ENVIRONMENT_NAMES.join(", ")} or all`;
    throw new ConfigError(
      unknown.map((name) => ({ env: name, path: source, value: name, allowed: name === LOCAL_ENVIRONMENT_NAME ? `${allowed} (local has no stacks: npm start runs it)` : allowed })),
    );
  }
  return [...new Set(names)];
}
