export * from "./aes-key-wrap";
export * from "./public-key";
export * from "./wrap-for-import";
