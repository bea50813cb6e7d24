// The backend of a stack synthesized only to be read (npm run plan) for an environment that may not keep local
// state and has no remote one: a backend type Terraform does not have. `terraform init` (so `cdktf deploy`,
// with or without --skip-synth) stops at "There is no backend type named ..." before it creates or reads
// anything; `terraform init -backend=false` and `terraform validate` (the pipelines' build) skip the backend.
import { DataTerraformRemoteStateLocal, TerraformBackend, type TerraformRemoteState } from "cdktf";
import type { Construct } from "constructs";

/** The backend type of a plan-only stack: what plan-summary looks for and what terraform init names when it refuses. */
export const PLAN_ONLY_BACKEND = "plan-only-no-remote-state";

export class PlanOnlyBackend extends TerraformBackend {
  constructor(scope: Construct, private readonly reason: string) {
    super(scope, "backend", PLAN_ONLY_BACKEND);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { reason: this.reason };
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return { reason: this.reason };
  }

  /**
   * A later stack's lookup of this one. It must name a real backend type for `terraform validate`; it is never
   * read, since the later stack belongs to the same environment and has this backend too, so it cannot init.
   */
  getRemoteStateDataSource(scope: Construct, name: string, fromStack: string): TerraformRemoteState {
    return new DataTerraformRemoteStateLocal(scope, name, { path: `${PLAN_ONLY_BACKEND}/${fromStack}.tfstate` });
  }
}
