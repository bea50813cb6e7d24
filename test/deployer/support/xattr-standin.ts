/**
 * A small in-memory stand-in for the WebHDFS xattr calls the lock store makes, with the NameNode's
 * semantics (CREATE fails when present, REPLACE when absent, each call atomic) and a seeded random delay
 * before each call applies, so concurrent runs interleave differently per seed. `loseNextAnswer` applies
 * the next matching call and then fails it like a reset connection (the answer is lost).
 */
import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from "pure-rand";
import type { WebHdfsClient } from "../../../src/deployer/clients/webhdfs-client";

export class XAttrStandIn {
  readonly attrs = new Map<string, string>();
  private readonly rng: RandomGenerator;
  private lose: ((op: string) => boolean) | undefined;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
  }

  loseNextAnswer(which: (op: string) => boolean): void {
    this.lose = which;
  }

  client(): WebHdfsClient {
    const call = async <T>(op: string, apply: () => T): Promise<T> => {
      for (let i = unsafeUniformIntDistribution(0, 6, this.rng); i > 0; i--) await new Promise((r) => setImmediate(r));
      const result = apply();
      if (this.lose?.(op)) {
        this.lose = undefined;
        throw new Error(`${op}: ECONNRESET (stand-in: applied, answer lost)`);
      }
      return result;
    };
    const stub = {
      listXAttrs: () => call("LIST", () => new Map(this.attrs)),
      getXAttr: (_p: string, name: string) => call("GET", () => this.attrs.get(name)),
      createXAttr: (_p: string, name: string, value: string) => call(`CREATE ${name}`, () => !this.attrs.has(name) && this.attrs.set(name, value) !== undefined),
      replaceXAttr: (_p: string, name: string, value: string) => call(`REPLACE ${name}`, () => this.attrs.has(name) && this.attrs.set(name, value) !== undefined),
      removeXAttr: (_p: string, name: string) => call(`REMOVE ${name}`, () => this.attrs.delete(name)),
      setXAttr: (_p: string, name: string, value: string) => call(`SET ${name}`, () => void this.attrs.set(name, value)),
      mkdirs: () => call("MKDIRS", () => undefined),
      serverDate: () => call("DATE", () => undefined), // a server that sends no Date header: the tests move the clock
    };
    return stub as unknown as WebHdfsClient;
  }
}
