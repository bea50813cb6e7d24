// The baseline for `npm run bench:synth`: a bare cdktf app with one stack and one resource, from the same provider package.
import { App, TerraformStack } from "cdktf";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";

const app = new App();
const stack = new TerraformStack(app, "bare");
new AzurermProvider(stack, "azurerm", { features: [{}] });
new ResourceGroup(stack, "resource-group", { name: "rg-bare", location: "westeurope" });
app.synth();
