// Network and identity rules: images pinned by digest (always in production), and an artifact
// account that denies by default but still lets the pipeline upload and the BDC download.
import { loadEnvironments } from "../../config";
import { messagesOf, variant } from "./helpers";

const TAG_ONLY = "node:20-bookworm-slim";
const PINNED = `node:20-bookworm-slim@sha256:${"a".repeat(64)}`;

describe("images", () => {
  it("are pinned by digest in every shipped environment", () => {
    for (const env of loadEnvironments(undefined, { variables: {} })) {
      expect([env.bdc.deployerImage, env.bdc.simulator.image].every((i) => /@sha256:[0-9a-f]{64}$/.test(i))).toBe(true);
    }
  });

  it("refuse a tag without a digest in prod, naming the field and the form", () => {
    expect(messagesOf(variant({ bdc: { deployerImage: TAG_ONLY } }, "prod"), "prod")).toEqual([
      `prod: bdc.deployerImage: "${TAG_ONLY}" — an image pinned by digest, <name>@sha256:<64 hex> (bdc.pinImagesByDigest is on)`,
    ]);
    expect(messagesOf(variant({ bdc: { simulator: { image: TAG_ONLY } } }, "prod"), "prod")).toEqual([expect.stringContaining("prod: bdc.simulator.image")]);
  });

  it("may be a tag where pinning is switched off, but never in an environment with preventDestroy", () => {
    expect(messagesOf(variant({ bdc: { deployerImage: TAG_ONLY, pinImagesByDigest: false } }))).toEqual([]);
    expect(messagesOf(variant({ bdc: { deployerImage: PINNED, pinImagesByDigest: false } }, "prod"), "prod")).toEqual([
      expect.stringContaining("prod: bdc.pinImagesByDigest: false — true in an environment with eventHubs.preventDestroy"),
    ]);
  });
});

describe("the artifact account's network", () => {
  it("denies by default outside dev, with the addresses that may reach it", () => {
    const envs = Object.fromEntries(loadEnvironments(undefined, { variables: {} }).map((e) => [e.name, e.bdc.artifactStorage]));
    expect(envs.dev?.defaultAction).toBe("Allow");
    for (const name of ["staging", "prod"]) {
      expect(envs[name]?.defaultAction).toBe("Deny");
      expect(envs[name]?.ipRules.length).toBeGreaterThan(0);
    }
  });

  it("refuses Deny with nothing let in", () => {
    expect(messagesOf(variant({ bdc: { artifactStorage: { ipRules: [] } } }, "prod"), "prod")).toEqual([
      expect.stringContaining("with defaultAction Deny, at least one of ipRules, subnetIds or privateEndpoint"),
    ]);
    const subnet = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/endpoints";
    expect(messagesOf(variant({ bdc: { artifactStorage: { ipRules: [], privateEndpoint: { subnetId: subnet, privateDnsZoneIds: [] } } } }, "prod"), "prod")).toEqual([]);
    expect(messagesOf(variant({ bdc: { artifactStorage: { subnetIds: ["not-a-subnet"] } } }, "prod"), "prod")).toEqual([expect.stringContaining("a subnet resource id")]);
  });
});
