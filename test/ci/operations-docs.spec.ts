// The operations guides stay true to the files: every repository path they name exists, every
// script in scripts/ci is used by a pipeline, and the settings they document are the ones the
// pipelines read.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { allStrings, azurePipelineFiles, parseYamlFile, REPO_ROOT, workflowFiles } from "./ci-files";
import { loadEnvironment } from "../../config";
import { computeManifest } from "../../jobs/sensor_aggregation/build/manifest";
import { createTablesRequest, maintenanceRequest } from "../../src/deployer/release/batch-requests";
import { deployPlanConfig, USER_PLACEHOLDER } from "../../src/deployer/core/plan-config";

const DOCS = path.join(REPO_ROOT, "docs", "operations");
const docText = (name: string) => readFileSync(path.join(DOCS, name), "utf8");
const pipelineText = [...workflowFiles(), ...azurePipelineFiles()].map((f) => allStrings(parseYamlFile(f)).join("\n")).join("\n");

describe("docs/operations", () => {
  const guides = ["README.md", "bootstrap.md", "add-environment.md", "roll-back.md", "gateway-user.md"];

  it.each(guides.map((g) => [g]))("%s names only paths that exist", (guide) => {
    const text = docText(guide);
    const paths = [...text.matchAll(/`((?:\.github|\.azure-pipelines|scripts|config|stacks|docs|test)\/[\w./-]*\w|azure-pipelines\.yml)`/g)].map((m) => m[1]);
    const links = [...text.matchAll(/\]\(([\w./-]+\.md)(?:#[\w-]+)?\)/g)].map((m) => path.join("docs", "operations", m[1]));
    // config/environments/<env>.ts style placeholders are patterns, not files
    const missing = [...paths, ...links].filter((p) => !p.includes("<") && !existsSync(path.join(REPO_ROOT, p)));
    expect(missing).toEqual([]);
  });

  it("documents every setting the pipelines read from variables and secrets", () => {
    const readme = docText("README.md");
    const used = new Set([...pipelineText.matchAll(/\b(?:vars|secrets)\.([A-Z_]+)/g)].map((m) => m[1]));
    for (const macro of pipelineText.matchAll(/\$\(([A-Z_]+)\)/g)) used.add(macro[1]);
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((name) => !readme.includes(name))).toEqual([]);
  });

  it("every scripts/ci entry point is used by a pipeline", () => {
    const entries = readdirSync(path.join(REPO_ROOT, "scripts", "ci")).filter((f) => /\.(ts|sh)$/.test(f));
    expect(entries.filter((f) => !pipelineText.includes(`scripts/ci/${f}`))).toEqual([]);
  });

  it("generates the bootstrap's names from config instead of keeping a second copy", () => {
    const bootstrap = docText("bootstrap.md");
    expect(bootstrap).toContain("npm run -s bootstrap:print -- --env dev");
    expect(bootstrap).toMatch(/sc:\/\/<organization>\/<project>\/sensors-<env>-<kind>/);
    for (const role of ["Contributor", "Storage Blob Data Contributor", "Storage Blob Data Reader"]) expect(bootstrap).toContain(`| ${role} |`);
    // Names appear only as the dev example of the printed output, never as a pattern to fill in by hand.
    expect(bootstrap).not.toMatch(/rg-sensors-\$env|rg-sensors-<env>|id-sensors-\$env|SUFFIX\[/);
    expect(bootstrap).toContain("Why not User Access Administrator");
  });
});

describe("docs/operations/gateway-user.md", () => {
  it("names every HDFS place the deploy plan writes and every Livy batch name", () => {
    const env = loadEnvironment("prod", { variables: {} });
    const plan = deployPlanConfig(env, computeManifest("3.1"), "https://example.invalid/a", { bootstrap: "b:9093", inputTopic: "i", outputTopic: "o" });
    const doc = docText("gateway-user.md");
    const generic = (p: string) => p.replace(USER_PLACEHOLDER, "<user>").split(`/${env.name}`).join("/<env>");
    expect(doc).toContain(plan.hdfs.jobRoot);
    expect(doc).toContain(plan.hdfs.jarsDir);
    expect(doc).toContain(path.posix.relative(plan.hdfs.jobRoot, generic(plan.hdfs.stateDir)));
    expect(doc).toContain(path.posix.relative(plan.hdfs.jobRoot, generic(plan.hdfs.configDir)));
    expect(doc).toContain(generic(path.posix.dirname(plan.hdfs.jaasPath)).replace("/.sensor-aggregation/<env>", ""));
    expect(doc).toContain(path.posix.dirname(plan.job.checkpoint_location));
    const inputs = { artifactHash: plan.artifact.hash, configPath: "/c.json", modules: [] };
    expect(doc).toContain(`\`${plan.batchName.replace(new RegExp(`-${env.name}$`), "-<env>")}\``);
    for (const request of [createTablesRequest(plan, inputs), maintenanceRequest(plan, inputs)]) {
      expect(doc).toContain(`\`…${request.name.slice(plan.batchName.length)}\``);
    }
  });
});
