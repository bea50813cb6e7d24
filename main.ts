import { App } from "cdktf";

const app = new App();
app.synth();
