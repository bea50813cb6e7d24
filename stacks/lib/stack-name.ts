// How stacks are named: on its own so that code needing only the name does not load every stack.
import type { EnvironmentConfig } from "../../config";

/** The parts of an environment's stacks: the Event Hubs namespace and its hubs, then what runs on the BDC. */
export const STACK_PARTS = { eventhubs: "eventhubs", bdc: "bdc" } as const;

/** Name of a stack of an environment: `sensors-<env>-<part>`. */
export function stackName(env: Pick<EnvironmentConfig, "namePrefix" | "name">, part: string): string {
  return `${env.namePrefix}-${env.name}-${part}`;
}
