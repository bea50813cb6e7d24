// The known environments, each its shared defaults merged with its own file.
import { deepMerge } from "../deep-merge";
import type { EnvironmentInput } from "../schema";
import { sharedDefaults } from "./defaults";
import { dev } from "./dev";
import { prod } from "./prod";
import { staging } from "./staging";

const files = { dev, staging, prod } as const;

/** Environment names in deployment order. */
export const ENVIRONMENT_NAMES: readonly string[] = Object.keys(files);

/** The raw (not yet validated) settings of a known environment. */
export function environmentInput(name: string): EnvironmentInput {
  const file = (files as Readonly<Record<string, (typeof files)[keyof typeof files]>>)[name];
  if (file === undefined) throw new Error(`Unknown environment "${name}" — allowed: ${ENVIRONMENT_NAMES.join(", ")}`);
  return deepMerge<EnvironmentInput>({ ...sharedDefaults, name: file.name, uniqueSuffix: file.uniqueSuffix }, file);
}
