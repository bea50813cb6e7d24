// Synth tests of `sensors-<env>-bdc` for every environment: what it creates, where, that the deploy
// Job's name follows the artifact, the Spark line per BDC release, and that no secret is synthesized.
import { App, Testing } from "cdktf";
import { loadEnvironments, type EnvironmentConfig } from "../../config";
import { computeManifest, manifestHash, type ArtifactManifest } from "../../jobs/sensor_aggregation/build/manifest";
import { bundleDeployerSync } from "../../src/deployer/cli/bundle";
import { BdcStack, type BdcStackProps } from "../../stacks/bdc-stack";
import type { DeployPlanConfig } from "../../src/deployer/core/plan-config";
import { EventHubsStack } from "../../stacks/eventhubs-stack";
import { bundleScriptSync } from "../../src/build/script-bundle";
import { SIMULATOR_ENTRY } from "../../src/simulator/in-cluster";
import { resolve } from "node:path";
import { parseTerraformTemplate, terraformFileText, unparsableStrings } from "./terraform-template";
import { sparkLineForRelease } from "../../jobs/sensor_aggregation/jars/spark-lines";

type Block = Record<string, unknown>;
type TfJson = {
  resource: Record<string, Record<string, Block>>;
  data: Record<string, Record<string, Block>>;
  provider: Record<string, Block[]>;
  variable: Record<string, Block>;
  output: Record<string, { value: unknown }>;
};

const environments = loadEnvironments(undefined, { variables: {} });
// Real bundles, built once for the whole file (each synth would otherwise rebuild them).
const bundles = {
  deployerBundle: bundleDeployerSync(),
  simulatorBundle: bundleScriptSync(SIMULATOR_ENTRY),
};

// Tests about something else synthesize faster with stand-in code of a few bytes.
const smallBundles = {
  deployerBundle: { main: { code: "/* deployer */", sha256: "1".repeat(64) }, topicOffsets: { code: "/* kafka */", sha256: "3".repeat(64) }, sha256: "4".repeat(64) },
  simulatorBundle: { code: "/* simulator */", sha256: "2".repeat(64) },
};

function synthBdc(env: EnvironmentConfig, props: Partial<BdcStackProps> = {}, code = smallBundles): { app: App; stack: BdcStack; json: TfJson } {
  const app = Testing.app();
  const eventhubs = new EventHubsStack(app, `sensors-${env.name}-eventhubs`, { env });
  const stack = new BdcStack(app, `sensors-${env.name}-bdc`, { env, eventhubs, ...code, ...props });
  return { app, stack, json: JSON.parse(Testing.synth(stack)) as TfJson };
}

const resources = (json: TfJson, type: string): Block[] => Object.values(json.resource[type] ?? {});
// The Spark line is derived from the release by config (load.ts); a changed release changes it as loading would.
const withBdc = (env: EnvironmentConfig, bdc: Partial<EnvironmentConfig["bdc"]>): EnvironmentConfig => ({
  ...env,
  bdc: { ...env.bdc, ...bdc },
  sparkLine: bdc.release === undefined ? env.sparkLine : sparkLineForRelease(bdc.release),
});
/** plan.json as Terraform renders it: resource attribute references stay visible as `<reference>`; nothing else may be evaluated. */
const renderWithReferences = (text: string): string => {
  const parsed = parseTerraformTemplate(text);
  expect(parsed.evaluated).toEqual([]);
  for (const ref of parsed.references) expect(ref).toMatch(/^azurerm_[a-z_]+\.[\w-]+\.[a-z_]+$/);
  return parsed.rendered;
};
const configMapData = (json: TfJson, key: string): string =>
  (resources(json, "kubernetes_config_map_v1").find((c) => key in (c.data as Block))!.data as Record<string, string>)[key]!;
const planOf = (json: TfJson): { spark: unknown; artifact: { baseUrl: string; hash: string; manifest: ArtifactManifest }; batchName: string; gatewayCaBundlePath?: string } =>
  JSON.parse(renderWithReferences(configMapData(json, "plan.json")));

describe.each(environments.map((env) => [env.name, env] as const))("sensors-%s-bdc", (name, env) => {
  const { app, stack, json } = synthBdc(env, {}, bundles);
  const k8sTypes = ["kubernetes_secret_v1", "kubernetes_config_map_v1", "kubernetes_job_v1", "kubernetes_cron_job_v1", "kubernetes_deployment_v1"];

  it("has the deployer's Secret, ConfigMap, Job and CronJobs (ensure, maintain, the suspended teardown), all in the BDC's namespace", () => {
    expect(resources(json, "kubernetes_secret_v1").length).toBeGreaterThanOrEqual(2);
    expect(resources(json, "kubernetes_config_map_v1").length).toBeGreaterThanOrEqual(1);
    expect(resources(json, "kubernetes_job_v1")).toHaveLength(1);
    expect(resources(json, "kubernetes_cron_job_v1").map((c) => (c.metadata as Block).name)).toEqual([
      `sensor-aggregation-${name}-ensure`,
      `sensor-aggregation-${name}-maintain`,
      `sensor-aggregation-${name}-teardown`,
    ]);
    for (const type of k8sTypes) {
      for (const r of resources(json, type)) expect((r.metadata as Block).namespace).toBe(env.bdc.namespace);
    }
  });

  it("locks the artifact account's network down as config says, with a private endpoint only where config gives a subnet", () => {
    const [account] = resources(json, "azurerm_storage_account");
    expect(account).toMatchObject({
      network_rules: { default_action: env.bdc.artifactStorage.defaultAction, ip_rules: env.bdc.artifactStorage.ipRules, bypass: ["AzureServices"] },
    });
    expect(resources(json, "azurerm_private_endpoint")).toHaveLength(env.bdc.artifactStorage.privateEndpoint ? 1 : 0);
  });

  it("runs the deployer pods under their own ServiceAccount, behind a NetworkPolicy, from digest-pinned images", () => {
    expect(resources(json, "kubernetes_service_account_v1")).toEqual([expect.objectContaining({ automount_service_account_token: false })]);
    const [policy] = resources(json, "kubernetes_network_policy_v1");
    expect(JSON.stringify(policy)).toContain(`"port":"${new URL(env.bdc.gatewayUrl).port}"`);
    const images = JSON.stringify(json.resource).match(/"image":"[^"]+"/g) ?? [];
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image).toMatch(/@sha256:[0-9a-f]{64}"$/);
  });

  it("gives the deployer pods the notification webhook from the sensitive variable only where config asks", () => {
    const secretData = JSON.stringify(resources(json, "kubernetes_secret_v1").map((s) => s.data));
    const pods = JSON.stringify([resources(json, "kubernetes_job_v1"), resources(json, "kubernetes_cron_job_v1")]);
    if (env.bdc.notifyWebhook) {
      expect(secretData).toContain('"NOTIFY_WEBHOOK_URL":"${var.alert_webhook_url}"');
      expect(pods.match(/"name":"NOTIFY_WEBHOOK_URL"/g)?.length).toBe(4);
    } else {
      expect(secretData + pods).not.toContain("NOTIFY_WEBHOOK_URL");
    }
  });

  it("configures azurerm as the eventhubs stack does (same helper)", () => {
    expect(json.provider.azurerm).toEqual([{ features: [{}], resource_provider_registrations: "none" }]);
  });

  it("configures the kubernetes provider from config", () => {
    expect(json.provider.kubernetes).toEqual([expect.objectContaining({ config_path: env.bdc.kubeconfigPath, config_context: env.bdc.kubeContext })]);
  });

  it("waits for the deploy Job, named after the artifact, and schedules ensure with Forbid", () => {
    const [job] = resources(json, "kubernetes_job_v1");
    expect(job).toMatchObject({ wait_for_completion: true, metadata: { name: stack.deployer.jobName } });
    expect(stack.deployer.jobName).toMatch(new RegExp(`^sensor-aggregation-${name}-deploy-${stack.manifest.hash.slice(0, 12)}-[0-9a-f]{8}$`));
    const [cron, maintain] = resources(json, "kubernetes_cron_job_v1");
    expect(cron).toMatchObject({ spec: { schedule: env.bdc.ensureSchedule, concurrency_policy: "Forbid" } });
    // maintain runs on its own schedule, holds the lock meanwhile, and is cut off after the lock wait, its batch's limit and a stop.
    const plan = JSON.parse(renderWithReferences(configMapData(json, "plan.json"))) as DeployPlanConfig;
    expect(maintain).toMatchObject({
      spec: {
        schedule: env.bdc.maintenance.schedule,
        concurrency_policy: "Forbid",
        job_template: { spec: { active_deadline_seconds: plan.lock.waitSeconds + plan.maintenance.timeoutSeconds + plan.timing.startTimeoutSeconds + 60 } },
      },
    });
    expect(JSON.stringify(maintain)).toContain('"command":["node","/deployer/deployer.js","maintain","--plan","/deployer/plan.json"]');
    expect(JSON.stringify(maintain)).not.toContain("ARTIFACT_SAS_TOKEN");
    expect(plan.maintenance.retentionDays).toEqual(env.bdc.maintenance.retentionDays);
    const image = (job as { spec: { template: { spec: { container: Block[] } } } }).spec.template.spec.container[0]!.image;
    expect(image).toBe(env.bdc.deployerImage);
    expect(json.output.artifact_hash?.value).toBe(stack.manifest.hash);
  });

  it("keeps artifacts in a private container of a locked-down account", () => {
    expect(resources(json, "azurerm_storage_container")).toEqual([expect.objectContaining({ container_access_type: "private" })]);
    expect(resources(json, "azurerm_storage_account")).toEqual([
      expect.objectContaining({ min_tls_version: "TLS1_2", https_traffic_only_enabled: true, allow_nested_items_to_be_public: false }),
    ]);
    const blobNames = resources(json, "azurerm_storage_blob").map((b) => b.name).sort();
    expect(blobNames).toEqual(stack.manifest.files.map((f) => `sensor-aggregation/${stack.manifest.hash}/${f.path}`).sort());
  });

  it("starts the deploy Job only after every blob is uploaded", () => {
    const [job] = resources(json, "kubernetes_job_v1");
    const blobRefs = Object.keys(json.resource.azurerm_storage_blob ?? {}).map((id) => `azurerm_storage_blob.${id}`);
    expect(blobRefs.length).toBe(stack.manifest.files.length);
    expect([...(job!.depends_on as string[])].sort()).toEqual(blobRefs.sort());
  });

  it("puts the environment's Spark sizing and the artifact into plan.json", () => {
    const plan = planOf(json);
    expect(plan.spark).toEqual(env.bdc.spark);
    expect(plan.artifact.hash).toBe(stack.manifest.hash);
    expect(plan.artifact.manifest).toEqual(stack.manifest);
    expect(plan.batchName).toBe(`sensor-aggregation-${name}`);
  });

  it("ships the bundled code verbatim: Terraform reads the ConfigMaps' scripts from the stack's assets, exactly the bundles", () => {
    app.synth(); // writes the assets, as cdktf synth does
    const stackDir = resolve(app.outdir, app.manifest.forStack(stack).workingDirectory);
    expect(terraformFileText(configMapData(json, "deployer.js"), stackDir)).toBe(bundles.deployerBundle.main.code);
    expect(terraformFileText(configMapData(json, "topic-offsets.js"), stackDir)).toBe(bundles.deployerBundle.topicOffsets.code);
    if (env.bdc.simulator.enabled) expect(terraformFileText(configMapData(json, "simulator.js"), stackDir)).toBe(bundles.simulatorBundle.code);
    expect(planOf(json).artifact.baseUrl).toMatch(/^<azurerm_storage_account\.[\w-]+\.primary_blob_endpoint><azurerm_storage_container\.[\w-]+\.name>\/sensor-aggregation\/[0-9a-f]{64}$/);
  });

  it("holds only strings that Terraform's template parser accepts", () => {
    const check = unparsableStrings(JSON.stringify(json));
    expect(check.strings).toBeGreaterThan(100);
    expect(check.errors).toEqual([]);
  });

  it("runs the simulator Deployment exactly when the environment enables it", () => {
    expect(resources(json, "kubernetes_deployment_v1")).toHaveLength(env.bdc.simulator.enabled ? 1 : 0);
  });

  it("takes gateway credentials from sensitive variables without defaults", () => {
    for (const id of ["bdc_gateway_username", "bdc_gateway_password"]) {
      expect(json.variable[id]).toMatchObject({ sensitive: true, type: "string" });
      expect(json.variable[id]).not.toHaveProperty("default");
    }
  });
});

describe("the Spark line follows the BDC release", () => {
  const base = environments[0]!;
  it.each([
    [9, "2.4.7", "2.11", ["jars/kafka-clients-2.7.0.jar", "jars/spark-sql-kafka-0-10_2.11-2.4.7.jar"]],
    [12, "2.4.7", "2.11", ["jars/kafka-clients-2.7.0.jar", "jars/spark-sql-kafka-0-10_2.11-2.4.7.jar"]],
    [13, "3.1.2", "2.12", ["jars/kafka-clients-2.6.0.jar", "jars/spark-sql-kafka-0-10_2.12-3.1.2.jar", "jars/spark-token-provider-kafka-0-10_2.12-3.1.2.jar"]],
  ] as const)("CU%i → Spark %s / Scala %s jars", (release, spark, scala, jars) => {
    const { stack, json } = synthBdc(withBdc(base, { release }));
    expect(stack.manifest).toMatchObject({ sparkVersion: spark, scalaVersion: scala });
    const blobs = resources(json, "azurerm_storage_blob").map((b) => String(b.name));
    for (const jar of jars) expect(blobs).toContain(`sensor-aggregation/${stack.manifest.hash}/${jar}`);
    expect(blobs.filter((b) => b.includes(scala === "2.11" ? "_2.12" : "_2.11"))).toEqual([]);
  });

  it("refuses an artifact built for the other line, naming the environment", () => {
    expect(() => synthBdc(withBdc(base, { release: 17 }), { manifest: computeManifest("2.4") })).toThrow(
      new RegExp(`${base.name}: artifact built for Spark 2.4.7 — allowed: Spark 3.1.x`),
    );
  });
});

describe("the deploy Job's name", () => {
  const env = environments[0]!;
  const line = env.bdc.release >= 13 ? "3.1" : "2.4";
  const original = computeManifest(line);
  // The same artifact with job.py changed: a new manifest hash, as `npm run build:job` would give.
  const files = original.files.map((f) => (f.path === "job.py" ? { ...f, sha256: "0".repeat(64) } : f));
  const changed: ArtifactManifest = { ...original, files, hash: manifestHash(files) };

  it("stays the same for the same artifact and config, across separate synths", () => {
    expect(synthBdc(env, { manifest: original }).stack.deployer.jobName).toBe(synthBdc(env, { manifest: original }).stack.deployer.jobName);
  });

  it("changes when the artifact changes, and so do the blob names and the SAS Secret", () => {
    const a = synthBdc(env, { manifest: original });
    const b = synthBdc(env, { manifest: changed });
    expect(b.stack.deployer.jobName).not.toBe(a.stack.deployer.jobName);
    expect(b.stack.deployer.jobName).toContain(changed.hash.slice(0, 12));
    const blobNames = (j: TfJson) => new Set(resources(j, "azurerm_storage_blob").map((x) => x.name));
    const shared = [...blobNames(b.json)].filter((n) => blobNames(a.json).has(n));
    expect(shared).toEqual([]);
    const sasName = (j: TfJson) => resources(j, "kubernetes_secret_v1").map((s) => (s.metadata as Block).name).find((n) => String(n).includes("artifact-sas"));
    expect(sasName(b.json)).not.toBe(sasName(a.json));
  });
});

describe("environments sharing one BDC namespace", () => {
  it("name their Kubernetes objects apart", () => {
    const names = (env: EnvironmentConfig) => {
      const { json } = synthBdc(withBdc(env, { namespace: "mssql-cluster", simulator: { ...env.bdc.simulator, enabled: true } }));
      return ["kubernetes_secret_v1", "kubernetes_config_map_v1", "kubernetes_job_v1", "kubernetes_cron_job_v1", "kubernetes_deployment_v1"].flatMap((type) =>
        resources(json, type).map((r) => `${type}/${String((r.metadata as Block).name)}`),
      );
    };
    const [first, second] = environments;
    const a = names(first!);
    const b = new Set(names(second!));
    expect(a.length).toBeGreaterThanOrEqual(7);
    expect(a.filter((n) => b.has(n))).toEqual([]);
  });
});

describe("the simulator Deployment", () => {
  const env = environments[0]!;
  it.each([true, false])("exists only when simulator.enabled is %p", (enabled) => {
    const { json } = synthBdc(withBdc(env, { simulator: { ...env.bdc.simulator, enabled } }));
    const deployments = resources(json, "kubernetes_deployment_v1");
    expect(deployments).toHaveLength(enabled ? 1 : 0);
    if (enabled) {
      const container = (deployments[0] as { spec: { template: { spec: { container: Block[] } } } }).spec.template.spec.container[0]!;
      expect(container.command).toEqual(expect.arrayContaining(["--topic", "sensor-readings", "--rate", String(env.bdc.simulator.eventsPerSecond)]));
      expect(container.image).toBe(env.bdc.simulator.image);
    }
  });
});

describe("the gateway CA bundle", () => {
  const env = environments[0]!;
  it("goes into the Secret (read by Terraform from the file) and its in-cluster path into plan.json, when configured", () => {
    const { stack, json } = synthBdc(withBdc(env, { gatewayCaBundlePath: "certs/gateway-ca.pem" }));
    const credentials = resources(json, "kubernetes_secret_v1").find((s) => "BDC_GATEWAY_PASSWORD" in (s.data as Block))!;
    const read = /^\$\{file\("([^"]+)"\)\}$/.exec((credentials.data as Record<string, string>)["gateway-ca.crt"] ?? "");
    // A path relative to the directory Terraform runs in (the synthesized stack's), naming the configured file.
    const app = App.of(stack);
    expect(read?.[1]).not.toMatch(/^\//);
    expect(resolve(app.outdir, app.manifest.forStack(stack).workingDirectory, read![1]!)).toBe(resolve("certs/gateway-ca.pem"));
    expect(planOf(json).gatewayCaBundlePath).toBe("/deployer/ca/gateway-ca.crt");
  });
});

describe("the maintenance CronJob", () => {
  const env = environments[0]!;
  it('is not shipped with maintenance.schedule "off"', () => {
    const { json } = synthBdc(withBdc(env, { maintenance: { ...env.bdc.maintenance, schedule: "off" } }));
    expect(resources(json, "kubernetes_cron_job_v1").map((c) => (c.metadata as Block).name)).toEqual([`sensor-aggregation-${env.name}-ensure`, `sensor-aggregation-${env.name}-teardown`]);
  });
});

describe("private endpoints", () => {
  const env = environments.find((e) => e.name === "prod")!;
  const subnetId = "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/endpoints";
  const zone = "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net";
  it("give the artifact account's blob service an endpoint in the configured subnet, registered in the zone", () => {
    const { json } = synthBdc(withBdc(env, { artifactStorage: { ...env.bdc.artifactStorage, privateEndpoint: { subnetId, privateDnsZoneIds: [zone] } } }));
    expect(resources(json, "azurerm_private_endpoint")).toEqual([
      expect.objectContaining({
        subnet_id: subnetId,
        private_service_connection: expect.objectContaining({ subresource_names: ["blob"], is_manual_connection: false }),
        private_dns_zone_group: { name: "default", private_dns_zone_ids: [zone] },
      }),
    ]);
  });
});

describe("Terraform addresses", () => {
  // The addresses of sensors-dev-bdc before its job deployment was grouped in one construct: a changed address
  // would destroy and re-create the resource (the artifact storage account, the deploy Job) on the next apply.
  it("stay as they were before the job deployment's resources were grouped in one construct", () => {
    const { json } = synthBdc(environments.find((env) => env.name === "dev")!);
    expect(Object.keys(json.resource.azurerm_storage_account ?? {})).toEqual(["artifacts_account_E100BFAB"]);
    expect(Object.keys(json.resource.kubernetes_job_v1 ?? {})).toEqual(["deployer_deploy_7CD8C8EF"]);
    expect(Object.keys(json.resource.kubernetes_cron_job_v1 ?? {})).toContain("deployer_ensure_60F0B4BB");
    expect(Object.keys(json.resource.kubernetes_network_policy_v1 ?? {})).toEqual(["deployer_network-policy_25C38B85"]);
    expect(Object.keys(json.data.azurerm_storage_account_blob_container_sas ?? {})).toEqual(["artifacts_deploy-read-sas_19F4BFD8"]);
  });
});
