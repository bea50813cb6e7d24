// Placeholder until the config and stacks land: synthesizes the app.
import { execFileSync } from "node:child_process";

execFileSync("npx", ["cdktf", "synth"], { stdio: "inherit" });
