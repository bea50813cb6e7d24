/**
 * The in-cluster deployer container's contract, between the stack that builds its pods
 * (stacks/constructs/kubernetes-deployer.ts) and the code that runs in them (src/deployer): where its files are
 * mounted and which environment variables carry its secrets (from the Kubernetes Secret). Pure data.
 */

/** Every file of the deployer is mounted in this directory. */
export const DEPLOYER_DIR = "/deployer";
/** The bundled deployer (src/deployer/cli/bundle.ts). */
export const DEPLOYER_SCRIPT = "deployer.js";
/** The bundled Kafka client deployer.js requires from its own directory (`require("./topic-offsets")`). */
export const TOPIC_OFFSETS_SCRIPT = "topic-offsets.js";
/** The deploy plan the stack writes. */
export const DEPLOYER_PLAN_FILE = "plan.json";
/** The gateway's CA bundle, when the environment names one: its key in the Secret, and where it is mounted. */
export const DEPLOYER_CA_FILE = "gateway-ca.crt";
export const DEPLOYER_CA_PATH = `${DEPLOYER_DIR}/ca/${DEPLOYER_CA_FILE}`;

/** The environment variables of the deployer's secrets; each is also its key in the Kubernetes Secret. */
export const DEPLOYER_SECRET_ENV = {
  gatewayUsername: "BDC_GATEWAY_USERNAME",
  gatewayPassword: "BDC_GATEWAY_PASSWORD",
  /** The job's listen connection string on the input hub. */
  jobListenConnectionString: "EVENTHUBS_JOB_CONNECTION_STRING",
  /** The job's send connection string on the output hub. */
  jobSendConnectionString: "EVENTHUBS_JOB_SEND_CONNECTION_STRING",
  /** Read-only SAS of the artifact container (the deploy Job only). */
  artifactSasToken: "ARTIFACT_SAS_TOKEN",
  /** A SAS of the Blob container that keeps the live state and lock (target.stateStore with auth "sas"). */
  stateStoreSasToken: "STATE_STORE_SAS_TOKEN",
  /** Where condition changes are notified. */
  notifyWebhookUrl: "NOTIFY_WEBHOOK_URL",
} as const;
