// What a synth is for: `deploy` (the default, what `cdktf synth` / `cdktf deploy` produce) or `plan` (what
// `npm run plan` asks for: an environment that may not deploy with local state is still synthesized to be
// read and validated, but with a backend Terraform refuses, so `cdktf deploy` cannot use it).
import { ConfigError } from "./violation";

export const SYNTH_MODES = ["deploy", "plan"] as const;
export type SynthMode = (typeof SYNTH_MODES)[number];

/** The variable that selects the mode; the plan script and the pipelines' build (test-and-build) set it to plan. */
export const SYNTH_MODE_VARIABLE = "SENSORS_SYNTH_MODE";

/** The mode `variables` ask for: deploy unless SENSORS_SYNTH_MODE says plan; any other value is refused. */
export function synthMode(variables: Readonly<Record<string, string | undefined>> = process.env): SynthMode {
  const text = variables[SYNTH_MODE_VARIABLE] ?? "";
  if (text === "") return "deploy";
  if ((SYNTH_MODES as readonly string[]).includes(text)) return text as SynthMode;
  throw new ConfigError([{ env: "(every environment)", path: SYNTH_MODE_VARIABLE, value: text, allowed: `one of ${SYNTH_MODES.join(", ")} (default deploy)` }]);
}
