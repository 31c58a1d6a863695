/**
 * A `node --require` preload for tests: the process runs as in a default install of keyplane, where the
 * optional (AGPL-3.0-or-later) IAM policy evaluator is not installed. It refuses to resolve the evaluator's
 * packages exactly as Node does for a missing package (MODULE_NOT_FOUND); nothing else changes.
 */
const Module = require("node:module");

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveWithoutEvaluator(request, ...rest) {
  if (request.startsWith("@cloud-copilot/")) {
    const error = new Error(`Cannot find module '${request}'`);
    error.code = "MODULE_NOT_FOUND";
    throw error;
  }
  return resolveFilename.call(this, request, ...rest);
};
