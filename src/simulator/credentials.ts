/**
 * The Event Hubs connection string: read from an environment variable or a file, never from a
 * command-line argument (arguments show in `ps`, shell history and CI logs). Nothing here puts
 * the secret in an error message.
 */
import { readFileSync } from "node:fs";
import { CONNECTION_STRING_SHAPE, parseConnectionString } from "../../contracts/eventhubs-connection-string";

export const DEFAULT_CONNECTION_STRING_ENV = "EVENTHUBS_CONNECTION_STRING";

export class CredentialsError extends Error {
  override name = "CredentialsError";
}

const SECRET_FLAGS = ["--connection-string", "--password", "--sasl-password", "--sas-key", "--shared-access-key"];

/**
 * Names the arguments that carry a secret, so the CLI can refuse them before parsing.
 * Returns descriptions only (never the secret itself).
 */
export function findSecretArguments(argv: readonly string[]): string[] {
  const found: string[] = [];
  for (const arg of argv) {
    const flag = arg.split("=", 1)[0];
    if (SECRET_FLAGS.includes(flag)) found.push(flag);
    else if (/SharedAccessKey=|Endpoint=sb:\/\//i.test(arg)) found.push("an argument that contains a connection string");
  }
  return found;
}

export interface ConnectionStringSource {
  /** Environment variable to read. @default EVENTHUBS_CONNECTION_STRING */
  readonly envVar?: string;
  /** File holding the connection string (takes precedence over the variable). */
  readonly file?: string;
}

/** Reads and checks the connection string; throws CredentialsError naming where it looked. */
export function loadConnectionString(source: ConnectionStringSource, env: NodeJS.ProcessEnv = process.env): string {
  const envVar = source.envVar ?? DEFAULT_CONNECTION_STRING_ENV;
  let value: string | undefined;
  let origin: string;
  if (source.file !== undefined) {
    origin = `file ${source.file}`;
    try {
      value = readFileSync(source.file, "utf8");
    } catch (error) {
      throw new CredentialsError(`cannot read the connection string ${origin}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  } else {
    origin = `environment variable ${envVar}`;
    value = env[envVar];
  }
  value = value?.trim();
  if (!value) {
    throw new CredentialsError(
      `SASL_SSL needs an Event Hubs connection string: set the ${origin} (or name another with --connection-string-env, or use --connection-string-file)`,
    );
  }
  checkConnectionString(value, origin);
  return value;
}

/** Throws unless the value is an Event Hubs connection string (contracts/eventhubs-connection-string.ts). */
export function checkConnectionString(value: string, origin: string): void {
  const parsed = parseConnectionString(value);
  if (!parsed.ok) throw new CredentialsError(`the connection string from ${origin}: ${parsed.problem}; expected ${CONNECTION_STRING_SHAPE}`);
}
