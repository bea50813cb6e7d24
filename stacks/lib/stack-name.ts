// How stacks are named: on its own so that code needing only the name does not load every stack.
import type { EnvironmentConfig } from "../../config";

/** Name of a stack of an environment: `sensors-<env>-<part>`. */
export function stackName(env: Pick<EnvironmentConfig, "namePrefix" | "name">, part: string): string {
  return `${env.namePrefix}-${env.name}-${part}`;
}
