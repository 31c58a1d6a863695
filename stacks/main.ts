import { App, LocalBackend, TerraformStack } from "cdktf";

// Placeholder app until the key plan stacks land: an empty stack with a portable (relative) backend.
const app = new App();
const stack = new TerraformStack(app, "keyplane");
new LocalBackend(stack, { path: "terraform.keyplane.tfstate" });
app.synth();
