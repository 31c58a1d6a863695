export * from "./combine";
export * from "./share-file";
export * from "./split";
