export * from "./durations";
export * from "./key-specs";
export * from "./tags";
export * from "./wrapping";
