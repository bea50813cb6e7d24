import { Testing, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { bundleFile } from "../../src/build/script-bundle";
import { KubernetesDeployer, teardownCommand, type KubernetesDeployerProps } from "./kubernetes-deployer";
import { parseTerraformTemplate } from "../../test/stacks/terraform-template";

type Block = Record<string, unknown>;
type Json = { resource: Record<string, Record<string, Block>> };

// Like real bundles, the code holds JavaScript template literals, which Terraform must not evaluate.
const script = (code: string, sha: string) => ({ code, sha256: sha.repeat(64) });
const bundleOf = (main: string, kafka = "module.exports = {}") => ({ main: script(main, "d"), topicOffsets: script(kafka, "c"), sha256: createHash("sha256").update(main + kafka).digest("hex") });
const bundle = bundleOf("console.log(`deployer ${process.argv[2]}`)");

function secretVars(scope: Construct) {
  const v = (name: string) => new TerraformVariable(scope, name, { type: "string", sensitive: true }).stringValue;
  return {
    gatewayUsername: v("user"),
    gatewayPassword: v("password"),
    eventhubsJobConnectionString: v("job_cs"),
    artifactSasToken: v("sas"),
  };
}

function synth(
  overrides: Partial<KubernetesDeployerProps> = {},
  before?: (scope: Construct) => void,
  extraSecrets?: (scope: Construct) => Partial<KubernetesDeployerProps["secrets"]>,
) {
  let deployer: KubernetesDeployer | undefined;
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      before?.(scope);
      const bootstrap = new TerraformVariable(scope, "bootstrap", { type: "string" }).stringValue;
      deployer = new KubernetesDeployer(scope, "deployer", {
        namespace: "mssql-cluster",
        image: "registry.example/node:20",
        bundle,
        plan: { artifactHash: "a".repeat(64), bootstrap, spark: { executors: 2 } },
        artifactHash: "a".repeat(64),
        secrets: { ...secretVars(scope), ...extraSecrets?.(scope) },
        ensureSchedule: "*/10 * * * *",
        deployDeadlineSeconds: 3000,
        egress: { gatewayCidrs: ["10.20.0.0/16"], gatewayPort: 30443, storageCidrs: ["0.0.0.0/0"], eventHubsCidrs: ["20.0.0.0/8"] },
        ...overrides,
      });
    }),
  ) as Json;
  return { json, deployer: deployer! };
}

const one = (json: Json, type: string): Block => {
  const all = Object.values(json.resource[type] ?? {});
  expect(all).toHaveLength(1);
  return all[0];
};

type Pod = Block & { container: (Block & { command: string[]; volume_mount: Block[] })[] };
const jobPod = (json: Json): Pod => (one(json, "kubernetes_job_v1") as { spec: { template: { spec: Pod } } }).spec.template.spec;

describe("KubernetesDeployer", () => {
  it("names the Job after the artifact hash and a key over code and plan", () => {
    const { json, deployer } = synth();
    expect(deployer.jobName).toMatch(/^sensor-aggregation-deploy-aaaaaaaaaaaa-[0-9a-f]{8}$/);
    expect(deployer.jobName.length).toBeLessThanOrEqual(63);
    expect(one(json, "kubernetes_job_v1")).toMatchObject({
      metadata: { name: deployer.jobName, namespace: "mssql-cluster" },
      wait_for_completion: true,
    });
  });

  it("gives a new Job name when the artifact, the deployer code or the plan changes, and only then", () => {
    const base = synth().deployer.jobName;
    // Same inputs built after other tokens: token numbering differs, the name must not.
    const again = synth({}, (scope) => new TerraformVariable(scope, "unrelated", { type: "string" })).deployer.jobName;
    expect(again).toBe(base);
    expect(synth({ artifactHash: "b".repeat(64) }).deployer.jobName).not.toBe(base);
    expect(synth({ bundle: bundleOf("x") }).deployer.jobName).not.toBe(base);
    expect(synth({ bundle: bundleOf(bundle.main.code, "other kafka client") }).deployer.jobName).not.toBe(base);
    expect(synth({ plan: { artifactHash: "a".repeat(64), spark: { executors: 3 } } }).deployer.jobName).not.toBe(base);
  });

  it("runs `deploy` in the Job and `ensure` in a Forbid-concurrency CronJob, both from the ConfigMap", () => {
    const { json } = synth();
    const job = one(json, "kubernetes_job_v1") as { spec: { template: { spec: Pod }; backoff_limit: number; ttl_seconds_after_finished: string } };
    const pod = job.spec.template.spec;
    expect(pod.container[0].command).toEqual(["node", "/deployer/deployer.js", "deploy", "--plan", "/deployer/plan.json"]);
    expect(job.spec.backoff_limit).toBe(1);
    // Terraform owns the deploy Job: a TTL would make it plan the deleted Job again.
    expect(job.spec).not.toHaveProperty("ttl_seconds_after_finished");
    const cron = one(json, "kubernetes_cron_job_v1") as {
      spec: { schedule: string; concurrency_policy: string; job_template: { spec: { ttl_seconds_after_finished: string; template: { spec: Pod } } } };
    };
    expect(cron.spec).toMatchObject({ schedule: "*/10 * * * *", concurrency_policy: "Forbid" });
    expect(cron.spec.job_template.spec.ttl_seconds_after_finished).toBe("86400");
    expect(cron.spec.job_template.spec.template.spec.container[0].command).toEqual([
      "node", "/deployer/deployer.js", "ensure", "--plan", "/deployer/plan.json",
    ]);
  });

  it("runs hardened: non-root, read-only root fs, no escalation, no capabilities, no service account token, with resources", () => {
    const { json } = synth();
    const pod = jobPod(json);
    expect(pod).toMatchObject({ automount_service_account_token: false, security_context: { run_as_non_root: true } });
    const container = pod.container[0];
    expect(container.security_context).toEqual(
      expect.objectContaining({ read_only_root_filesystem: true, allow_privilege_escalation: false, capabilities: { drop: ["ALL"] } }),
    );
    expect(container.resources).toEqual(expect.objectContaining({ limits: expect.objectContaining({ memory: "256Mi" }) }));
  });

  it("passes secrets only as Secret references, and the SAS from a Secret renamed with each deploy", () => {
    const { json, deployer } = synth();
    const env = jobPod(json).container[0].env as Block[];
    expect(env.map((e) => e.name).sort()).toEqual([
      "ARTIFACT_SAS_TOKEN", "BDC_GATEWAY_PASSWORD", "BDC_GATEWAY_USERNAME", "EVENTHUBS_JOB_CONNECTION_STRING",
    ]);
    for (const e of env) {
      expect(e.value).toBeUndefined();
      expect(e.value_from).toEqual({ secret_key_ref: expect.objectContaining({ key: e.name }) });
    }
    const secrets = Object.values(json.resource.kubernetes_secret_v1) as { metadata: Block; lifecycle?: Block }[];
    const sas = secrets.find((s) => String(s.metadata.name).includes("artifact-sas"))!;
    expect(sas.metadata.name).toBe(`sensor-aggregation-artifact-sas-${deployer.deployKey.slice(0, 16)}`);
    // No drift from the per-plan SAS; renewed whenever the Job re-runs (same triggers as the Job).
    const job = one(json, "kubernetes_job_v1") as { lifecycle: { replace_triggered_by: string[] } };
    expect(sas.lifecycle).toEqual({ ignore_changes: ["data"], replace_triggered_by: job.lifecycle.replace_triggered_by });
    expect(job.lifecycle.replace_triggered_by).toEqual([
      expect.stringMatching(/^\$\{kubernetes_config_map_v1\.deployer_code_\w+\}$/),
      expect.stringMatching(/^\$\{kubernetes_config_map_v1\.deployer_kafka-client_\w+\}$/),
      expect.stringMatching(/^\$\{kubernetes_secret_v1\.deployer_credentials_\w+\}$/),
    ]);
  });

  it("gives the ensure CronJob no artifact access (it restarts from HDFS) and the deploy Job a hard deadline", () => {
    const { json } = synth();
    const cron = one(json, "kubernetes_cron_job_v1") as { spec: { job_template: { spec: { template: { spec: Pod } } } } };
    const env = cron.spec.job_template.spec.template.spec.container[0].env as { name: string }[];
    expect(env.map((e) => e.name)).not.toContain("ARTIFACT_SAS_TOKEN");
    const sasSecret = json.resource["kubernetes_secret_v1"] as unknown as Record<string, { data: Record<string, string>; metadata: { name: string } }>;
    const artifactAccess = Object.values(sasSecret).find((s) => String(s.metadata.name).includes("artifact-sas"))!;
    expect(Object.keys(artifactAccess.data)).toEqual(["ARTIFACT_SAS_TOKEN"]);
    const job = one(json, "kubernetes_job_v1") as { spec: { active_deadline_seconds: number }; timeouts: { create: string } };
    expect(job.spec.active_deadline_seconds).toBe(3000);
    expect(job.timeouts.create).toBe("55m");
  });

  it("adds the job's send connection string only when given", () => {
    const names = (json: Json) => (jobPod(json).container[0].env as Block[]).map((e) => e.name);
    expect(names(synth().json)).not.toContain("EVENTHUBS_JOB_SEND_CONNECTION_STRING");
    const json = synth({}, undefined, (scope) => ({
      eventhubsJobSendConnectionString: new TerraformVariable(scope, "send_cs", { type: "string", sensitive: true }).stringValue,
    })).json;
    expect(names(json)).toContain("EVENTHUBS_JOB_SEND_CONNECTION_STRING");
  });

  it("ships the code as files Terraform reads (the stack's assets) and plan.json verbatim", () => {
    const { json } = synth();
    const maps = Object.values(json.resource.kubernetes_config_map_v1!).map((m) => m.data as Record<string, string>);
    const data = maps.find((d) => "plan.json" in d)!;
    const kafka = maps.find((d) => "topic-offsets.js" in d)!;
    expect(Object.keys(data).sort()).toEqual(["deployer.js", "plan.json"]);
    for (const [value, name, script] of [[data["deployer.js"]!, "deployer.js", bundle.main], [kafka["topic-offsets.js"]!, "topic-offsets.js", bundle.topicOffsets]] as const) {
      const parsed = parseTerraformTemplate(value);
      expect(parsed.references).toEqual([]);
      // Named by the bundle's own digest, so a changed script is a changed path.
      expect(parsed.evaluated).toEqual([expect.stringMatching(new RegExp(`^file\\("assets/[\\w-]+/${script.sha256}/${name.replace(".", "\\.")}"\\)$`))]);
    }
    // What cdktf copies into those assets: the bundles, byte for byte.
    expect(readFileSync(bundleFile(bundle.main, "deployer.js"), "utf8")).toBe(bundle.main.code);
    expect(readFileSync(bundleFile(bundle.topicOffsets, "topic-offsets.js"), "utf8")).toBe(bundle.topicOffsets.code);
    const plan = parseTerraformTemplate(data["plan.json"]!);
    expect(plan.references).toEqual(["var.bootstrap"]);
    expect(plan.evaluated).toEqual([]);
    expect(JSON.parse(plan.rendered)).toEqual({ artifactHash: "a".repeat(64), bootstrap: "<var.bootstrap>", spark: { executors: 2 } });
  });

  it("keeps one ConfigMap to code and plan and one to the Kafka client, mounts both beside each other, and the CA bundle only when given", () => {
    const without = synth().json;
    const maps = Object.values(without.resource.kubernetes_config_map_v1!).map((m) => Object.keys(m.data as Block).sort());
    expect(maps.sort()).toEqual([["deployer.js", "plan.json"], ["topic-offsets.js"]]);
    const mounts = jobPod(without).container[0].volume_mount as Block[];
    expect(mounts).toContainEqual(expect.objectContaining({ mount_path: "/deployer/deployer.js", sub_path: "deployer.js", name: "script" }));
    expect(mounts).toContainEqual(expect.objectContaining({ mount_path: "/deployer/topic-offsets.js", sub_path: "topic-offsets.js", name: "script-1" }));
    expect(jobPod(without).volume).toContainEqual({ name: "script-1", config_map: { name: expect.stringMatching(/^\$\{kubernetes_config_map_v1\.deployer_kafka-client_\w+\.metadata\[0\]\.name\}$/), default_mode: "0444" } });
    const withCa = synth({ gatewayCaBundle: "-----BEGIN CERTIFICATE-----" }).json;
    expect(jobPod(withCa).container[0].volume_mount).toContainEqual(
      expect.objectContaining({ mount_path: "/deployer/ca/gateway-ca.crt", sub_path: "gateway-ca.crt" }),
    );
    expect(JSON.stringify(jobPod(without))).not.toContain("gateway-ca.crt");
  });

  it("runs every pod under its own ServiceAccount, which nothing binds a role to and whose token is never mounted", () => {
    const { json } = synth();
    const [account] = Object.values((json.resource.kubernetes_service_account_v1 ?? {}) as Record<string, Block>);
    expect(account).toMatchObject({ metadata: { name: "sensor-aggregation-deployer", namespace: "mssql-cluster" }, automount_service_account_token: false });
    expect(json.resource.kubernetes_role_binding_v1 ?? json.resource.kubernetes_cluster_role_binding_v1).toBeUndefined();
    const text = JSON.stringify([json.resource.kubernetes_job_v1, json.resource.kubernetes_cron_job_v1]);
    expect(text.match(/"service_account_name":"\$\{kubernetes_service_account_v1\.[^}]+\.metadata\[0\]\.name\}"/g)).toHaveLength(2);
    expect(text.match(/"automount_service_account_token":false/g)).toHaveLength(2);
  });

  it("lets the deployer pods reach only DNS, the gateway on its port and the storage on 443, and nothing reach them", () => {
    const [policy] = Object.values((synth().json.resource.kubernetes_network_policy_v1 ?? {}) as Record<string, Block>);
    expect(policy).toMatchObject({
      spec: {
        pod_selector: { match_labels: { "app.kubernetes.io/name": "sensor-aggregation", "app.kubernetes.io/component": "deployer" } },
        policy_types: ["Ingress", "Egress"],
        egress: [
          { to: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "kube-system" } } }], ports: [{ protocol: "UDP", port: "53" }, { protocol: "TCP", port: "53" }] },
          { to: [{ ip_block: { cidr: "10.20.0.0/16" } }], ports: [{ protocol: "TCP", port: "30443" }] },
          { to: [{ ip_block: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: "443" }] },
          { to: [{ ip_block: { cidr: "20.0.0.0/8" } }], ports: [{ protocol: "TCP", port: "9093" }] },
        ],
      },
    });
    expect((policy as { spec: Block }).spec.ingress).toBeUndefined();
  });

  it("ships a suspended teardown CronJob that cdktf destroy starts through a destroy-time provisioner", () => {
    const { json } = synth({ teardownOnDestroy: { kubeconfigPath: "/home/ci/kube config", kubeContext: "bdc-dev" } });
    const teardown = Object.values(json.resource.kubernetes_cron_job_v1 as Record<string, Block>).find((c) => (c.metadata as Block).name === "sensor-aggregation-teardown") as Block;
    expect(teardown).toMatchObject({ spec: { suspend: true } });
    expect(JSON.stringify(teardown.spec)).toContain('"command":["node","/deployer/deployer.js","teardown","--plan","/deployer/plan.json"]');
    const [provisioner] = teardown.provisioner as { "local-exec": { when: string; command: string; interpreter: string[] } }[];
    expect(provisioner!["local-exec"]).toMatchObject({ when: "destroy", interpreter: ["bash", "-c"] });
    expect(provisioner!["local-exec"].command).toContain(`--kubeconfig '/home/ci/kube config' --context 'bdc-dev'`);
    expect(provisioner!["local-exec"].command).toContain('create job "$job" --from="cronjob/${self.metadata[0].name}"');
    expect(Object.values(synth().json.resource.kubernetes_cron_job_v1 as Record<string, Block>)).toHaveLength(1);
  });

  it.each([
    ["1/", 0],
    ["/1", 1],
  ])("the destroy-time command waits for the teardown Job (status %s), prints its log, removes it and exits %d", (status, code) => {
    const dir = mkdtempSync(join(tmpdir(), "fake-kubectl-"));
    // A stand-in kubectl that records its arguments and answers `get job` with the Job's status.
    writeFileSync(join(dir, "kubectl"), `#!/usr/bin/env bash\necho "$*" >> "${dir}/calls"\ncase "$*" in *" get job "*) printf '%s' "${status}" ;; *" logs "*) echo "deployer: now: nothing runs" ;; esac\n`, { mode: 0o755 });
    const command = teardownCommand("/k/config", "ctx", 30).split("${self.metadata[0].name}").join("sensor-aggregation-teardown").split("${self.metadata[0].namespace}").join("ns");
    const run = spawnSync("bash", ["-c", command], { encoding: "utf8", env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
    const calls = readFileSync(join(dir, "calls"), "utf8").split("\n").filter(Boolean);
    rmSync(dir, { recursive: true, force: true });
    expect(run.status).toBe(code);
    expect(calls[0]).toMatch(/^--kubeconfig \/k\/config --context ctx -n ns create job sensor-aggregation-teardown-\d+ --from=cronjob\/sensor-aggregation-teardown$/);
    expect(calls.slice(-2).map((c) => c.split(" ").slice(6, 7)[0])).toEqual(["logs", "delete"]);
    expect(run.stdout).toContain(`teardown: sensor-aggregation-teardown-`);
    expect(run.stdout).toContain(code === 0 ? "succeeded" : "failed");
  });

  it("sets a TTL on the deploy Job only when asked", () => {
    const job = one(synth({ ttlSecondsAfterFinished: 3600 }).json, "kubernetes_job_v1") as { spec: Block };
    expect(job.spec.ttl_seconds_after_finished).toBe("3600");
  });

  it("refuses a literal secret, naming the field", () => {
    expect(() =>
      Testing.synthScope((scope) => {
        new KubernetesDeployer(scope, "d", {
          namespace: "ns", image: "node:20", bundle, plan: {}, artifactHash: "a".repeat(64), ensureSchedule: "* * * * *", deployDeadlineSeconds: 600,
          egress: { gatewayCidrs: ["10.0.0.0/8"], gatewayPort: 443, storageCidrs: ["0.0.0.0/0"] },
          secrets: { ...secretVars(scope), gatewayPassword: "hunter2" },
        });
      }),
    ).toThrow(/secrets\.gatewayPassword: a literal string — allowed: a Terraform variable or reference/);
  });

  it("refuses a base name that would make object names too long for Kubernetes", () => {
    expect(() => synth({ baseName: "sensor-aggregation-environment-x" })).toThrow(/baseName "sensor-aggregation-environment-x" — allowed: 1–30/);
    const { deployer } = synth({ baseName: "a".repeat(30) });
    expect(deployer.jobName.length).toBeLessThanOrEqual(63);
  });

  it("refuses a bundle too large for a ConfigMap", () => {
    expect(() => synth({ bundle: bundleOf("x".repeat(1024 * 1024)) })).toThrow(/deployer bundle deployer.js is 1048576 bytes — allowed: at most/);
    expect(() => synth({ bundle: bundleOf("x", "k".repeat(1024 * 1024)) })).toThrow(/deployer bundle topic-offsets.js is 1048576 bytes — allowed: at most/);
  });
});
