import { Testing } from "cdktf";

// Adds cdktf's matchers (toHaveResource, toBeValidTerraform, ...) to expect.
Testing.setupJest();
