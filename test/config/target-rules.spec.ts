// An environment's target (issue 25): absent keeps a BDC environment's plan byte for byte; `livy` validates
// into a plan the deployer reads; the combinations the job or the deployer cannot serve are refused at synth,
// one message per problem. Generated targets (fast-check) check that validation and the plan agree.
import fc from "fast-check";
import { validateEnvironment } from "../../config";
import { computeManifest } from "../../jobs/sensor_aggregation/build/manifest";
import { deployPlanConfig, parseDeployPlan } from "../../src/deployer/core/plan-config";
import { needsGatewayCredentials, platformUser } from "../../src/deployer/clients/clients";
import { PLATFORM_SPARK_VERSIONS } from "../../config/schema";
import { errorOf, messagesOf, variant } from "./helpers";

const TOPICS = { bootstrap: "ns.servicebus.windows.net:9093", inputTopic: "sensor-readings", outputTopic: "sensor-stats" };
const livy = { kind: "livy", sparkVersion: "3.1", livyUrl: "http://livy.internal:8998", webhdfsUrl: "http://namenode.internal:9870", user: "etl", auth: "none" };

const planOf = (input: ReturnType<typeof variant>) => {
  const config = validateEnvironment("dev", input);
  return { config, plan: deployPlanConfig(config, computeManifest(config.sparkLine), "https://artifacts.example/", TOPICS) };
};

test("no target, or target bdc, gives the plan a BDC environment had before targets existed", () => {
  const before = planOf(variant({}));
  const bdc = planOf(variant({ target: { kind: "bdc" } }));
  expect(JSON.stringify(bdc.plan)).toBe(JSON.stringify(before.plan));
  expect(before.plan.target).toBeUndefined();
  expect(before.plan.gatewayUrl).toBe("https://bdc-dev.example.internal:30443");
  expect(before.config.sparkLine).toBe("3.1"); // dev's CU13
});

test("a livy target plans its own endpoints, no gateway, its Spark line, and takes no gateway credentials with auth none", () => {
  const { config, plan } = planOf(variant({ target: { ...livy, sparkVersion: "2.4" } }));
  expect(config.sparkLine).toBe("2.4");
  expect(plan.gatewayUrl).toBeUndefined();
  expect(plan.target).toEqual({ kind: "livy", livyUrl: livy.livyUrl, webhdfsUrl: livy.webhdfsUrl, user: "etl", auth: "none" });
  const reread = parseDeployPlan(JSON.stringify(plan), "plan.json");
  expect(needsGatewayCredentials(reread.target)).toBe(false);
  expect(platformUser(reread, "gateway-user")).toBe("etl");
  expect(needsGatewayCredentials(planOf(variant({})).plan.target)).toBe(true);
  // The CLI asks before it plans, with the environment's target.
  expect(needsGatewayCredentials(config.target)).toBe(false);
  expect(needsGatewayCredentials(planOf(variant({ target: { ...livy, sparkVersion: "3.1", auth: "basic", livyUrl: "https://livy.example:8998" } })).config.target)).toBe(true);
  expect(needsGatewayCredentials({ kind: "bdc" })).toBe(true);
});

test("a plan with both a gateway and a target, or neither, is refused where the deployer reads it", () => {
  const { plan } = planOf(variant({ target: livy }));
  expect(() => parseDeployPlan(JSON.stringify({ ...plan, gatewayUrl: "https://bdc.example:30443" }), "plan.json")).toThrow(/either gatewayUrl .* or target/);
  const { target: _t, ...neither } = plan;
  expect(() => parseDeployPlan(JSON.stringify(neither), "plan.json")).toThrow(/either gatewayUrl .* or target/);
  expect(() => parseDeployPlan(JSON.stringify({ ...plan, target: { ...plan.target, livyUrl: "http://livy:8998", auth: "basic" } }), "plan.json")).toThrow(/https:\/\/ livyUrl/);
});

test("refused at synth, one message per problem: an undeployable platform, a Spark version no jar line covers, basic auth in clear", () => {
  const synapse = messagesOf(variant({ target: { kind: "synapse", workspace: "sensors-ws", pool: "stream01", sparkVersion: "3.4", storage: "abfss://jobs@sensorsdata.dfs.core.windows.net" } }));
  expect(synapse).toEqual([
    expect.stringMatching(/^dev: target.kind: "synapse" — one of bdc, livy for now: .*Blob file store/),
    expect.stringMatching(/^dev: target.sparkVersion: "3.4" — a Spark line the job's connector jars cover: 2.4, 3.1 .*synapse Spark 3.4/),
  ]);
  const hdinsight = messagesOf(variant({ target: { kind: "hdinsight", cluster: "sensors-hdi", sparkVersion: "3.1", storage: "wasbs://jobs@sensorsdata.blob.core.windows.net" } }));
  expect(hdinsight).toEqual([expect.stringMatching(/^dev: target.kind: "hdinsight"/)]);
  expect(messagesOf(variant({ target: { ...livy, auth: "basic" } }))).toEqual([expect.stringMatching(/^dev: target.livyUrl: "http:\/\/livy.internal:8998" — an https:\/\/ URL/)]);
  expect(messagesOf(variant({ target: { ...livy, user: "a/b", livyUrl: "ftp://x" } }))).toHaveLength(2);
  expect(errorOf(variant({ target: { ...livy, sparkVersion: "3.5" } })).message).toMatch(/1 problem/);
});

test("generated livy targets: validation accepts exactly the covered Spark lines and clear-text-safe auth, and every accepted one plans and re-reads", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...PLATFORM_SPARK_VERSIONS),
      fc.constantFrom("none", "basic"),
      fc.constantFrom("http", "https"),
      fc.constantFrom("http", "https"),
      (sparkVersion, auth, livyScheme, hdfsScheme) => {
        const target = { ...livy, sparkVersion, auth, livyUrl: `${livyScheme}://livy.internal:8998`, webhdfsUrl: `${hdfsScheme}://nn.internal:9871` };
        const problems = messagesOf(variant({ target }));
        const expected = Number(!["2.4", "3.1"].includes(sparkVersion)) + Number(auth === "basic" && livyScheme === "http");
        expect(problems).toHaveLength(expected);
        if (expected === 0) {
          const { plan } = planOf(variant({ target }));
          expect(parseDeployPlan(JSON.stringify(plan), "plan.json").target).toMatchObject({ auth, livyUrl: target.livyUrl });
        }
      },
    ),
  );
});

test("a livy target's Blob state store: planned as written; its container URL is https://, or http:// on loopback only (generated hosts)", () => {
  const store = { kind: "blob", containerUrl: "https://sensorsstate.blob.core.windows.net/deployments", auth: "entra" };
  const { plan } = planOf(variant({ target: { ...livy, stateStore: store } }));
  expect(parseDeployPlan(JSON.stringify(plan), "plan.json").target?.stateStore).toEqual(store);
  const at = (containerUrl: string) => messagesOf(variant({ target: { ...livy, stateStore: { ...store, containerUrl } } }));
  expect(at("http://sensorsstate.example.com/deployments")).toEqual([expect.stringMatching(/stateStore.*never sent in clear/)]);
  expect(at("http://127.0.0.1:10000/devstoreaccount1/deployments")).toEqual([]);
  let judged = 0;
  const host = fc.oneof(fc.constantFrom("127.0.0.1", "localhost", "[::1]"), fc.domain());
  fc.assert(
    fc.property(host, fc.constantFrom("http", "https"), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), (name, scheme, port) => {
      const containerUrl = `${scheme}://${name}${port === undefined ? "" : `:${port}`}/deployments`;
      const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(name);
      const errors = messagesOf(variant({ target: { ...livy, stateStore: { ...store, containerUrl } } }));
      // The plan's own schema says the same as synth (a hand-edited plan.json is refused where the deployer reads it).
      const planRefuses = (() => {
        try {
          parseDeployPlan(JSON.stringify({ ...plan, target: { ...plan.target, stateStore: { ...store, containerUrl } } }), "plan.json");
          return false;
        } catch {
          return true;
        }
      })();
      const allowed = scheme === "https" || loopback;
      // fast-check's domains can be IPv6-less names the URL regex refuses for other reasons: only http vs https is judged here.
      if (errors.some((e) => !/token is never sent in clear/.test(e))) return true;
      judged++;
      return allowed === (errors.length === 0) && planRefuses === !allowed;
    }),
  );
  expect(judged).toBeGreaterThan(50);
});
