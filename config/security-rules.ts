// Cross-field rules of the network and identity settings: digest-pinned images, and network rules
// that leave some way in.
import { DIGEST_PINNED_IMAGE } from "./schema";
import type { Violation } from "./violation";

type Raw = Record<string, unknown>;
const record = (value: unknown): Raw => (value !== null && typeof value === "object" ? (value as Raw) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export function securityViolations(env: string, input: unknown): Violation[] {
  const violations: Violation[] = [];
  const add = (path: string, value: unknown, allowed: string) => violations.push({ env, path, value, allowed });
  const root = record(input);
  const bdc = record(root.bdc);
  const hubs = record(root.eventHubs);

  if (bdc.pinImagesByDigest === false && hubs.preventDestroy === true) {
    add("bdc.pinImagesByDigest", false, "true in an environment with eventHubs.preventDestroy (production): its images must not change under the same name");
  }
  if (bdc.pinImagesByDigest !== false) {
    for (const [path, image] of [["bdc.deployerImage", bdc.deployerImage], ["bdc.simulator.image", record(bdc.simulator).image]] as const) {
      if (typeof image === "string" && !DIGEST_PINNED_IMAGE.test(image)) {
        add(path, image, "an image pinned by digest, <name>@sha256:<64 hex> (bdc.pinImagesByDigest is on)");
      }
    }
  }
  const storage = record(bdc.artifactStorage);
  if (storage.defaultAction === "Deny" && list(storage.ipRules).length === 0 && list(storage.subnetIds).length === 0 && storage.privateEndpoint === undefined) {
    add("bdc.artifactStorage", storage, "with defaultAction Deny, at least one of ipRules, subnetIds or privateEndpoint: the pipeline must upload and the BDC download");
  }
  return violations;
}
