// The known environments, each its shared defaults merged with its own file.
import { deepMerge, type DeepPartial } from "../deep-merge";
import type { UnsizedEnvironmentInput } from "../derived-sizing";
import { sharedDefaults } from "./defaults";
import { dev } from "./dev";
import { local } from "./local";
import { prod } from "./prod";
import { staging } from "./staging";

const cloud = { dev, staging, prod } as const;
const files = { ...cloud, local } as const;

/** The cloud environments' names, in deployment order: those main.ts synthesizes and the pipelines deploy. */
export const ENVIRONMENT_NAMES: readonly string[] = Object.keys(cloud);

/** The environment `npm start` runs on this machine (src/local/): it has config, but no stacks. */
export const LOCAL_ENVIRONMENT_NAME = local.name;

/** Every environment config/ knows: the cloud ones and local. */
export const KNOWN_ENVIRONMENT_NAMES: readonly string[] = Object.keys(files);

/** The raw (not yet validated) settings of a known environment; the Spark sizing it leaves out is derived at load. */
export function environmentInput(name: string): UnsizedEnvironmentInput {
  const file = (files as Readonly<Record<string, (typeof files)[keyof typeof files]>>)[name];
  if (file === undefined) throw new Error(`Unknown environment "${name}" — allowed: ${KNOWN_ENVIRONMENT_NAMES.join(", ")}`);
  return deepMerge<UnsizedEnvironmentInput>({ ...sharedDefaults, name: file.name, uniqueSuffix: file.uniqueSuffix }, file as DeepPartial<UnsizedEnvironmentInput>);
}
