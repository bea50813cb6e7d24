/**
 * A resource typed by a provider package's own generated config interface but synthesized here, on cdktf's
 * public TerraformResource API only.
 *
 * Why not the generated classes: the larger ones are hundreds of kilobytes of JavaScript each (their nested
 * block structs), which a synth loads and compiles for one instance; the kubernetes workloads' were 5 MB each.
 * Their config interfaces are imported as types only, so they cost nothing at run time, and the generated
 * classes' sole work at synth, renaming keys to the schema's snake_case, is done by `terraformAttributes`.
 * schema-typed-resource.spec.ts synthesizes every such resource of the stacks with the generated class too
 * and requires the same JSON.
 */
import { TerraformResource, type TerraformMetaArguments, type TerraformProviderGeneratorMetadata } from "cdktf";
import type { Construct } from "constructs";

/** What the generated classes of one provider know beyond their config interfaces. */
export interface ProviderSchema {
  /** As the generated classes report it (their `terraformGeneratorMetadata`). */
  readonly generator: TerraformProviderGeneratorMetadata;
  /** Map-typed attributes, by their config name: their keys are data (labels, tags) and keep their spelling. */
  readonly mapAttributes: ReadonlySet<string>;
}

const snakeCase = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A config's attributes and blocks with the schema's names: camelCase keys in snake_case, map keys unchanged. */
export function terraformAttributes(value: unknown, mapAttributes: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => terraformAttributes(item, mapAttributes));
  // Only plain objects are blocks; tokens and resources are left for cdktf to resolve.
  if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner === undefined) continue;
    out[snakeCase(key)] = mapAttributes.has(key) ? inner : terraformAttributes(inner, mapAttributes);
  }
  return out;
}

const META_ARGUMENTS = ["connection", "count", "dependsOn", "forEach", "lifecycle", "provider", "provisioners"] as const;

export abstract class SchemaTypedResource<Config extends TerraformMetaArguments> extends TerraformResource {
  /** The config as given, meta-arguments excluded (what the generated class would take). */
  public readonly attributes: Omit<Config, keyof TerraformMetaArguments>;
  private readonly schema: ProviderSchema;

  protected constructor(scope: Construct, id: string, terraformResourceType: string, schema: ProviderSchema, config: Config) {
    const meta: Record<string, unknown> = {};
    const attributes: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config)) ((META_ARGUMENTS as readonly string[]).includes(key) ? meta : attributes)[key] = value;
    super(scope, id, { terraformResourceType, terraformGeneratorMetadata: schema.generator, ...(meta as TerraformMetaArguments) });
    this.attributes = attributes as Omit<Config, keyof TerraformMetaArguments>;
    this.schema = schema;
  }

  /** The resource's `id`, which every resource of these providers has. */
  public get id(): string {
    return this.getStringAttribute("id");
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return terraformAttributes(this.attributes, this.schema.mapAttributes) as Record<string, unknown>;
  }

  /** HCL output would need each attribute's schema type, which only the generated classes carry. */
  protected override synthesizeHclAttributes(): Record<string, unknown> {
    throw new Error(`${this.node.path}: ${this.terraformResourceType} synthesizes to JSON only (hclOutput is not supported)`);
  }
}

/** The class of one resource type: `class KubernetesJob extends schemaTyped<JobV1Config>("kubernetes_job_v1", KUBERNETES_SCHEMA) {}`. */
export function schemaTyped<Config extends TerraformMetaArguments>(terraformResourceType: string, schema: ProviderSchema) {
  return class extends SchemaTypedResource<Config> {
    public constructor(scope: Construct, id: string, config: Config) {
      super(scope, id, terraformResourceType, schema, config);
    }
  };
}
