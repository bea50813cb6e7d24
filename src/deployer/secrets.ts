/**
 * The deployer's secrets, only ever from environment variables (the Kubernetes Secret in the
 * cluster, the shell on a laptop). Errors name the variable, never its value.
 */
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
}

export const SECRET_VARIABLES = [
  "BDC_GATEWAY_USERNAME",
  "BDC_GATEWAY_PASSWORD",
  "EVENTHUBS_JOB_CONNECTION_STRING",
  "EVENTHUBS_JOB_SEND_CONNECTION_STRING",
  "ARTIFACT_SAS_TOKEN",
] as const;

/**
 * The secrets a mode needs: a deploy needs all of them (the SAS only for an HTTPS artifact);
 * `ensure` only the gateway's, since it restarts from what is already on HDFS.
 */
export function readSecrets(env: NodeJS.ProcessEnv, options: { needSas: boolean; needEventHubs?: boolean }): DeploySecrets {
  const missing: string[] = [];
  const get = (name: string): string => {
    const value = env[name];
    if (value === undefined || value.trim() === "") missing.push(name);
    return value ?? "";
  };
  const needEventHubs = options.needEventHubs ?? true;
  const secrets: DeploySecrets = {
    gatewayUsername: get("BDC_GATEWAY_USERNAME"),
    gatewayPassword: get("BDC_GATEWAY_PASSWORD"),
    eventHubsConnectionString: needEventHubs ? get("EVENTHUBS_JOB_CONNECTION_STRING") : "",
    eventHubsSendConnectionString: needEventHubs ? get("EVENTHUBS_JOB_SEND_CONNECTION_STRING") : "",
  };
  if (options.needSas) secrets.artifactSasToken = get("ARTIFACT_SAS_TOKEN");
  if (missing.length > 0) throw new DeployError(`missing environment variable(s): ${missing.join(", ")} (secrets are read from the environment only)`);
  if (/[/:\s]/.test(secrets.gatewayUsername)) throw new DeployError("BDC_GATEWAY_USERNAME: must be a plain user name (no '/', ':' or spaces)");
  return secrets;
}

/** Every secret value, for masking anything printed. */
export function secretValues(secrets: DeploySecrets): string[] {
  const values = [secrets.gatewayPassword, secrets.eventHubsConnectionString, secrets.eventHubsSendConnectionString, secrets.artifactSasToken ?? ""];
  for (const cs of [secrets.eventHubsConnectionString, secrets.eventHubsSendConnectionString]) {
    const key = /SharedAccessKey=([^;]+)/.exec(cs)?.[1];
    if (key) values.push(key);
  }
  const sig = /(?:^|[?&])sig=([^&]+)/.exec(secrets.artifactSasToken ?? "")?.[1];
  if (sig) values.push(sig, decodeURIComponent(sig));
  return values.filter((v) => v.length > 0);
}

/**
 * The Kafka client JAAS line for Event Hubs' Kafka endpoint: user `$ConnectionString`, the
 * connection string as password (Microsoft's documented form). Written only to HDFS, mode 600.
 */
export function eventHubsJaasLine(connectionString: string, variable = "EVENTHUBS_JOB_CONNECTION_STRING"): string {
  const cs = connectionString.trim();
  const ok = /^Endpoint=sb:\/\/[^;]+;SharedAccessKeyName=[^;]+;SharedAccessKey=[^;]+(;EntityPath=[^;]+)?;?$/.test(cs);
  if (!ok) {
    throw new DeployError(
      `${variable}: not an Event Hubs connection string; expected ` +
        "Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=<rule>;SharedAccessKey=<key>[;EntityPath=<hub>]",
    );
  }
  if (cs.includes('"')) throw new DeployError(`${variable}: must not contain a double quote (")`);
  return `org.apache.kafka.common.security.plain.PlainLoginModule required username="$ConnectionString" password="${cs}";`;
}

/** Whatever secret values the environment holds (even if incomplete), for masking an error message. */
export function secretsInEnvironment(env: NodeJS.ProcessEnv): string[] {
  return secretValues({
    gatewayUsername: env.BDC_GATEWAY_USERNAME ?? "",
    gatewayPassword: env.BDC_GATEWAY_PASSWORD ?? "",
    eventHubsConnectionString: env.EVENTHUBS_JOB_CONNECTION_STRING ?? "",
    eventHubsSendConnectionString: env.EVENTHUBS_JOB_SEND_CONNECTION_STRING ?? "",
    artifactSasToken: env.ARTIFACT_SAS_TOKEN,
  });
}
