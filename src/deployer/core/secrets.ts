/**
 * The deployer's secrets, only ever from environment variables (the Kubernetes Secret in the
 * cluster, the shell on a laptop). Errors name the variable, never its value.
 */
import { CONNECTION_STRING_SHAPE, EVENTHUBS_KAFKA_USER, connectionStringSecrets, parseConnectionString } from "../../../contracts/eventhubs-connection-string";
import { DEPLOYER_SECRET_ENV } from "../../../contracts/deployer-container";
import { DeployError } from "./errors";

export interface DeploySecrets {
  gatewayUsername: string;
  gatewayPassword: string;
  /** The job's listen connection string on the input hub (EVENTHUBS_JOB_CONNECTION_STRING). */
  eventHubsConnectionString: string;
  /** The job's send connection string on the output hub (EVENTHUBS_JOB_SEND_CONNECTION_STRING). */
  eventHubsSendConnectionString: string;
  /** SAS query string for an HTTPS artifact; absent for a local directory. */
  artifactSasToken?: string;
  /** SAS of the Blob container of the live state and lock (a stateStore with auth "sas"). */
  stateStoreSasToken?: string;
}

const ENV = DEPLOYER_SECRET_ENV;
export const SECRET_VARIABLES = [ENV.gatewayUsername, ENV.gatewayPassword, ENV.jobListenConnectionString, ENV.jobSendConnectionString, ENV.artifactSasToken, ENV.stateStoreSasToken] as const;

/**
 * The secrets a mode needs: a deploy needs all of them (the SAS only for an HTTPS artifact);
 * `ensure` only the gateway's, since it restarts from what is already on HDFS.
 */
export function readSecrets(env: NodeJS.ProcessEnv, options: { needSas: boolean; needEventHubs?: boolean; needGateway?: boolean; needStateStoreSas?: boolean }): DeploySecrets {
  const missing: string[] = [];
  const get = (name: string): string => {
    const value = env[name];
    if (value === undefined || value.trim() === "") missing.push(name);
    return value ?? "";
  };
  const needEventHubs = options.needEventHubs ?? true;
  // A `livy` target without basic auth takes no credentials (clients.ts needsGatewayCredentials).
  const needGateway = options.needGateway ?? true;
  const secrets: DeploySecrets = {
    gatewayUsername: needGateway ? get(ENV.gatewayUsername) : "",
    gatewayPassword: needGateway ? get(ENV.gatewayPassword) : "",
    eventHubsConnectionString: needEventHubs ? get(ENV.jobListenConnectionString) : "",
    eventHubsSendConnectionString: needEventHubs ? get(ENV.jobSendConnectionString) : "",
  };
  if (options.needSas) secrets.artifactSasToken = get(ENV.artifactSasToken);
  if (options.needStateStoreSas) secrets.stateStoreSasToken = get(ENV.stateStoreSasToken);
  if (missing.length > 0) throw new DeployError(`missing environment variable(s): ${missing.join(", ")} (secrets are read from the environment only)`);
  if (/[/:\s]/.test(secrets.gatewayUsername)) throw new DeployError("BDC_GATEWAY_USERNAME: must be a plain user name (no '/', ':' or spaces)");
  return secrets;
}

/** Every secret value, for masking anything printed. */
export function secretValues(secrets: DeploySecrets): string[] {
  const values = [secrets.gatewayPassword, secrets.artifactSasToken ?? "", secrets.stateStoreSasToken ?? ""];
  for (const cs of [secrets.eventHubsConnectionString, secrets.eventHubsSendConnectionString]) values.push(...connectionStringSecrets(cs));
  for (const sas of [secrets.artifactSasToken, secrets.stateStoreSasToken]) {
    const sig = /(?:^|[?&])sig=([^&]+)/.exec(sas ?? "")?.[1];
    if (sig) values.push(sig, decodeURIComponent(sig));
  }
  return values.filter((v) => v.length > 0);
}

/**
 * The Kafka client JAAS line for Event Hubs' Kafka endpoint: user `$ConnectionString`, the
 * connection string as password (Microsoft's documented form). Written only to HDFS, mode 600.
 */
export function eventHubsJaasLine(connectionString: string, variable = "EVENTHUBS_JOB_CONNECTION_STRING"): string {
  const parsed = parseConnectionString(connectionString);
  if (!parsed.ok) throw new DeployError(`${variable}: not an Event Hubs connection string (${parsed.problem}); expected ${CONNECTION_STRING_SHAPE}`);
  return `org.apache.kafka.common.security.plain.PlainLoginModule required username="${EVENTHUBS_KAFKA_USER}" password="${connectionString.trim()}";`;
}

/** Whatever secret values the environment holds (even if incomplete), for masking an error message. */
export function secretsInEnvironment(env: NodeJS.ProcessEnv): string[] {
  return secretValues({
    gatewayUsername: env[ENV.gatewayUsername] ?? "",
    gatewayPassword: env[ENV.gatewayPassword] ?? "",
    eventHubsConnectionString: env[ENV.jobListenConnectionString] ?? "",
    eventHubsSendConnectionString: env[ENV.jobSendConnectionString] ?? "",
    artifactSasToken: env[ENV.artifactSasToken],
    stateStoreSasToken: env[ENV.stateStoreSasToken],
  });
}
