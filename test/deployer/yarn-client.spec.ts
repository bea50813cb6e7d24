/**
 * The ResourceManager client (yarn-client.ts) against the YARN ResourceManager STAND-IN
 * (test/harness/knox-standin/resourcemanager-standin.ts) on loopback, where a registered application is a
 * real child process: a kill ends it, an unknown id or a gateway without the service is "unavailable",
 * any other refusal is an error naming the request.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent } from "undici";
import { HttpStatusError } from "../../src/deployer/core/errors";
import { RESOURCEMANAGER_PREFIX, ResourceManagerClient } from "../../src/deployer/clients/yarn-client";
import { resourceManagerStandIn } from "../harness/knox-standin/resourcemanager-standin";

const rm = resourceManagerStandIn();
let server: Server;
let offersResourceManager = true;
let forbid = false;
const dispatcher = new Agent();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url!, "http://gateway").pathname;
      const answer = forbid
        ? { status: 403, body: "Forbidden" }
        : ((offersResourceManager && path.startsWith(RESOURCEMANAGER_PREFIX) ? rm.handle(req.method!, path.slice(RESOURCEMANAGER_PREFIX.length), Buffer.concat(chunks)) : undefined) ?? { status: 404, body: "Not Found" });
      res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
});
afterAll(async () => {
  await dispatcher.close();
  await new Promise<void>((r) => server.close(() => r()));
});

const client = () =>
  new ResourceManagerClient({ url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), credentials: { username: "u", password: "p" }, dispatcher });

function longRunning(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  return new Promise((resolve) => child.once("spawn", () => resolve(child)));
}

const exited = (child: ChildProcess) => new Promise<NodeJS.Signals | number | null>((r) => (child.exitCode !== null || child.signalCode !== null ? r(child.signalCode ?? child.exitCode) : child.once("exit", (code, signal) => r(signal ?? code))));

test("a kill ends the application's process; the state then reads KILLED; a repeated kill changes nothing", async () => {
  const child = await longRunning();
  rm.register("application_1700000000000_0001", child.pid!);
  expect(await client().state("application_1700000000000_0001")).toBe("RUNNING");
  expect(await client().kill("application_1700000000000_0001")).toEqual({ outcome: "accepted", state: "RUNNING" });
  expect(await exited(child)).toBe("SIGTERM");
  expect(await client().state("application_1700000000000_0001")).toBe("KILLED");
  expect(await client().kill("application_1700000000000_0001")).toEqual({ outcome: "accepted", state: "KILLED" });
});

test("an application the ResourceManager does not know, or a gateway without the service → unavailable, nothing killed", async () => {
  const child = await longRunning();
  try {
    rm.register("application_1700000000000_0002", child.pid!);
    expect(await client().kill("local-1700000000000")).toMatchObject({ outcome: "unavailable" });
    offersResourceManager = false;
    expect(await client().kill("application_1700000000000_0002")).toMatchObject({ outcome: "unavailable", why: expect.stringContaining("offers no ResourceManager API") });
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
  } finally {
    offersResourceManager = true;
    child.kill("SIGKILL");
  }
});

test("a refusal other than 404 is an error naming the request", async () => {
  forbid = true;
  try {
    const error = await client().kill("application_1700000000000_0003").catch((err: Error) => err);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).message).toMatch(/^PUT \/gateway\/default\/resourcemanager\/v1\/cluster\/apps\/application_1700000000000_0003\/state \(YARN ResourceManager\) failed with HTTP 403/);
  } finally {
    forbid = false;
  }
});
