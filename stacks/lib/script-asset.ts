// A bundled script as a ConfigMap value that Terraform reads from a file at plan time: the synthesized
// JSON holds `${file("assets/…")}` instead of the script's text, so megabytes of JavaScript never go
// through cdktf's token resolution and escaping (nor need escaping for Terraform's template syntax).
// The ConfigMap's content is the same bytes.
import { Construct } from "constructs";
import { AssetType, Fn, TerraformAsset } from "cdktf";
import { bundleFile, type ScriptBundle } from "../../src/build/script-bundle";

/** `file(<asset path>)` of the bundle written as `name`, copied into the stack's assets at synth. */
export function scriptFileValue(scope: Construct, id: string, bundle: ScriptBundle, name: string): string {
  // The bundle's own digest names the asset: cdktf would otherwise read and hash the megabytes again, per stack.
  const asset = new TerraformAsset(scope, id, { path: bundleFile(bundle, name), type: AssetType.FILE, assetHash: bundle.sha256 });
  return Fn.file(asset.path);
}
