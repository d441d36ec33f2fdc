export * from "./gpus";
export * from "./models";
export * from "./runtimes";
export * from "./select-gpu";
export * from "./providers";
