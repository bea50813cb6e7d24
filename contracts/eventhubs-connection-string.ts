/**
 * Event Hubs connection strings, the one parser: `Endpoint=sb://<namespace host>/;SharedAccessKeyName=<rule>;
 * SharedAccessKey=<key>[;EntityPath=<hub>]`. Used by the simulator, the deployer and status; pure (no I/O), and
 * nothing here puts the secret into a message. Kafka clients reach the namespace host on 9093 and sign in as
 * `$ConnectionString` with the whole string as the password.
 */

/** Event Hubs' Kafka endpoint listens on 9093 of the namespace host. */
export const EVENTHUBS_KAFKA_PORT = 9093;

/** The SASL/PLAIN user name Event Hubs' Kafka endpoint takes with a connection string as the password. */
export const EVENTHUBS_KAFKA_USER = "$ConnectionString";

/** The shape, for messages. */
export const CONNECTION_STRING_SHAPE = "Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=<rule>;SharedAccessKey=<key>[;EntityPath=<hub>]";

export interface ConnectionString {
  /** The namespace host of Endpoint=sb://<host>/ (not secret). */
  readonly host: string;
  /** A port in the Endpoint (only stand-ins have one). */
  readonly port?: number;
  readonly keyName: string;
  readonly key: string;
  /** The event hub the rule is scoped to, when it is. */
  readonly entityPath?: string;
}

/** The parsed string, or what is wrong with it (in words that never include the value). */
export type ParsedConnectionString = { readonly ok: true; readonly value: ConnectionString } | { readonly ok: false; readonly problem: string };

export function parseConnectionString(text: string): ParsedConnectionString {
  const fields = new Map<string, string>();
  for (const part of text.trim().split(";")) {
    const at = part.indexOf("=");
    if (at > 0) fields.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  const missing = ["Endpoint", "SharedAccessKeyName", "SharedAccessKey"].filter((name) => !fields.get(name.toLowerCase()));
  if (missing.length > 0) return { ok: false, problem: `it lacks ${missing.join(", ")}` };
  const endpoint = /^sb:\/\/([^/:;]+)(?::(\d+))?\/?$/i.exec(fields.get("endpoint")!);
  if (endpoint === null) return { ok: false, problem: "its Endpoint is not sb://<host>/" };
  const [, host, port] = endpoint as unknown as [string, string, string | undefined];
  // The string becomes the password inside a quoted JAAS line.
  if (text.includes('"')) return { ok: false, problem: 'it contains a double quote (")' };
  const entityPath = fields.get("entitypath");
  return {
    ok: true,
    value: { host, ...(port ? { port: Number(port) } : {}), keyName: fields.get("sharedaccesskeyname")!, key: fields.get("sharedaccesskey")!, ...(entityPath ? { entityPath } : {}) },
  };
}

/** The Kafka bootstrap of the string's namespace: `<host>:9093`. */
export function kafkaBootstrapOf(connectionString: ConnectionString): string {
  return `${connectionString.host}:${EVENTHUBS_KAFKA_PORT}`;
}

/** Every part of the text that must be masked wherever it could be printed: the whole string and its key. */
export function connectionStringSecrets(text: string): string[] {
  const key = /SharedAccessKey=([^;]+)/i.exec(text)?.[1];
  return [text, ...(key ? [key] : [])].filter((value) => value.length > 0);
}

/** A connection string from its parts (the local stack's stand-in strings). */
export function formatConnectionString(value: ConnectionString): string {
  return `Endpoint=sb://${value.host}${value.port ? `:${value.port}` : ""}/;SharedAccessKeyName=${value.keyName};SharedAccessKey=${value.key}${value.entityPath ? `;EntityPath=${value.entityPath}` : ""}`;
}
