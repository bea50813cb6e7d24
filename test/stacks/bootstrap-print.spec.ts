/**
 * `npm run bootstrap:print` names exactly what the stacks create: the resource groups it creates
 * are the synthesized ones, its role assignments are on those groups and the state container only,
 * and the printed script is valid shell (bash -n and ShellCheck).
 */
import { spawnSync } from "node:child_process";
import { Testing } from "cdktf";
import { identityNames, loadEnvironments } from "../../config";
import { addEnvironmentStacks } from "../../stacks/environment-stacks";
import { bootstrapCommands, roleAssignments } from "../../scripts/bootstrap/commands";
import { SHELLCHECK } from "../ci/ci-files";
import { remoteStateVariables } from "./remote-state";

const environments = loadEnvironments(undefined, { variables: remoteStateVariables() });

function synthesizedResourceGroups(env: (typeof environments)[number]): string[] {
  const stacks = addEnvironmentStacks(Testing.app(), env);
  return [stacks.eventhubs, stacks.bdc].flatMap((stack) => {
    const json = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, { name: string }>> };
    return Object.values(json.resource.azurerm_resource_group ?? {}).map((g) => g.name);
  });
}

describe.each(environments.map((env) => [env.name, env] as const))("bootstrap of %s", (name, env) => {
  const script = bootstrapCommands(env, { githubRepo: "acme/sensors" });
  const groups = synthesizedResourceGroups(env);

  it("creates exactly the resource groups the stacks synthesize (plus the shared state and identity groups)", () => {
    const created = [...script.matchAll(/^az group create --name (\S+)/gm)].map((m) => m[1]!).filter((g) => !g.startsWith('"$'));
    expect(created.sort()).toEqual([...groups].sort());
    expect(groups).toHaveLength(2);
  });

  it("grants roles only on those groups and this environment's state container, to this environment's identities", () => {
    const ids = identityNames(env);
    for (const a of roleAssignments(env)) {
      expect([ids.deploy, ids.plan]).toContain(a.identity);
      const group = /\/resourceGroups\/([^/]+)$/.exec(a.scope)?.[1];
      if (group !== undefined) expect(groups).toContain(group);
      else expect(a.scope).toBe("$STATE_SA_ID/blobServices/default/containers/$STATE_CONTAINER");
      expect(script).toContain(`assign ${a.identity} '${a.role}' "${a.scope}"`);
    }
    expect(script).not.toMatch(/User Access Administrator' |--role Owner|\bOwner' /);
    expect(script).toContain(`--subject "repo:$GITHUB_REPO:environment:${name}"`);
  });

  it("registers the resource providers the stacks need, as the provider itself registers none", () => {
    expect(script).toContain("az provider register --namespace Microsoft.EventHub --wait");
    expect(script).toContain("az provider register --namespace Microsoft.Storage --wait");
  });

  it("is valid shell", () => {
    expect(spawnSync("bash", ["-n"], { input: script, encoding: "utf8" }).status).toBe(0);
    const check = spawnSync(SHELLCHECK, ["--shell=bash", "-"], { input: script, encoding: "utf8" });
    expect(check.stdout).toBe("");
    expect(check.status).toBe(0);
  });
});
