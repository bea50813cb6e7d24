// What `cdktf synth` runs: the app of stacks/app.ts, from its precompiled file (src/build/precompiled.ts); from
// source under tsx when source-mapped stacks are asked for (NODE_OPTIONS=--enable-source-maps).
import { diagnosticsRequested, restoreDiagnostics } from "./stacks/lib/synth-diagnostics"; // first: before any other module loads
import { resolve } from "node:path";
import { requirePrecompiled } from "./src/build/precompiled";

type AppModule = typeof import("./stacks/app");
const APP = resolve(__dirname, "stacks", "app.ts");

const app: Promise<AppModule> = diagnosticsRequested() ? Promise.resolve(require(APP) as AppModule) : requirePrecompiled<AppModule>(APP);
// An error rejects the promise and Node prints it, after the diagnostics are back: a stack is formatted when first read.
void app.then((module) => module.synthesizeApp()).finally(restoreDiagnostics);
