// Lint rules, including the dependency rule of DESIGN.md §2 and the layers inside agents/
// (docs/decisions/021): agents/ is the pure kernel and imports nothing from app/, server/ or db/;
// app/ never reaches server-only code (type-only imports of the API's types are allowed, since
// they vanish at build time).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const serverOnly = [
  { regex: "^(#server/|(\\.\\./)+server/)", message: "app/ must not import server code (type-only imports are fine).", allowTypeImports: true },
  { regex: "^(#db/|(\\.\\./)+db/)", message: "app/ must not import the database layer.", allowTypeImports: true },
  { regex: "\\.server(\\.tsx?)?$", message: "Only route modules may import *.server files." },
];

const noEval = { selector: "CallExpression[callee.name='eval']", message: "Never eval: user code runs in the QuickJS sandbox." };

// ---------------------------------------------------------------- the kernel (agents/)
/**
 * The layers of agents/ and what each may import from the others: graph and catalog are the
 * leaves, block definitions sit on them, and compile and runtime both build on blocks without
 * knowing each other, except that the run planner applies the compiler's rules through the
 * validator ("compile/validate": that one module, nothing else of compile/). A block's runner
 * (agents/blocks/<block>/*.server.ts) belongs to the runtime layer: it may also import
 * agents/runtime/. A new folder in agents/ needs a row here.
 */
const KERNEL_LAYERS = {
  graph: [],
  catalog: [],
  blocks: ["graph", "catalog"],
  compile: ["graph", "catalog", "blocks"],
  runtime: ["graph", "catalog", "blocks", "compile/validate"],
  // Importers of other builders' files: pure functions from a file's text to a graph and a report.
  import: ["graph", "catalog", "blocks", "compile"],
};
const BLOCK_RUNNER_MAY_IMPORT = ["graph", "catalog", "blocks", "runtime"];

const outsideKernel = {
  regex: "^(#(server|db|app)/|(\\.\\./)+(server|db|app)/)",
  message: "agents/ is the pure kernel: it imports nothing from app/, server/ or db/.",
};
const nodeBuiltins = {
  regex: "^(node:|(fs|path|child_process|http|https|net)$)",
  message: "agents/ stays portable: side effects reach it through the run context.",
};

/** Libraries that only the server may load: the canvas bundles the isomorphic kernel files. */
const SERVER_LIBRARIES = "^(@langchain/|langchain(/|$)|openai(/|$)|quickjs-emscripten)";
const isomorphicOnly = [
  {
    regex: SERVER_LIBRARIES,
    allowTypeImports: true,
    message: "LangChain, openai and QuickJS load only in *.server.ts files (the browser bundles this one); `import type` is fine.",
  },
  { regex: "\\.server(\\.tsx?)?$", message: "An isomorphic kernel file must not import a *.server file: move the import into a *.server.ts file." },
];
const noDynamicServerLibrary = {
  // esquery's regex literals cannot hold a "/": \x2F stands for it.
  selector: `ImportExpression[source.value=/${SERVER_LIBRARIES.replaceAll("/", "\\x2F")}/]`,
  message: "LangChain, openai and QuickJS load only in *.server.ts files (the browser bundles this one).",
};

/** The pattern that refuses imports of the kernel layers `layer` may not use. */
function layerPattern(layer, mayImport) {
  const forbidden = Object.keys(KERNEL_LAYERS).filter((other) => other !== layer && !mayImport.includes(other));
  if (forbidden.length === 0) return [];
  const allowed = mayImport.length > 0 ? `only agents/{${mayImport.join(",")}}` : "nothing else in agents/";
  // "compile/validate" in mayImport lets that one module of a forbidden layer through.
  const modulesAllowed = (other) => mayImport.filter((m) => m.startsWith(`${other}/`)).map((m) => m.slice(other.length + 1));
  const layerRegex = (other) => {
    const modules = modulesAllowed(other);
    return modules.length === 0 ? `${other}(/|$)` : `${other}(/(?!(${modules.join("|")})$)|$)`;
  };
  return [
    {
      regex: `^(#agents/|(\\.\\./)+)(${forbidden.map(layerRegex).join("|")})`,
      message: `Kernel layers (docs/decisions/021): ${layer === "blocks" && mayImport.includes("runtime") ? "a block runner" : `agents/${layer}/`} may import ${allowed}.`,
    },
  ];
}
const runtimeKnowsNoRunner = {
  regex: "^(#agents/|(\\.\\./)+)blocks/.*\\.server$",
  message: "The runtime does not import block runners: the host hands them in (agents/blocks/index.server.ts).",
};

function kernelConfigs() {
  const restrict = (patterns) => ["error", { patterns }];
  const configs = [
    // Any file in agents/, including one in a folder KERNEL_LAYERS does not list yet.
    {
      files: ["agents/**/*.ts", "agents/**/*.tsx"],
      ignores: ["agents/**/*.server.ts"],
      rules: {
        "@typescript-eslint/no-restricted-imports": restrict([outsideKernel, nodeBuiltins, ...isomorphicOnly]),
        "no-restricted-syntax": ["error", noEval, noDynamicServerLibrary],
      },
    },
    // *.server.ts files in agents/ are the runners; they may use Node built-ins and the server libraries.
    { files: ["agents/**/*.server.ts"], rules: { "@typescript-eslint/no-restricted-imports": restrict([outsideKernel]) } },
  ];
  for (const [layer, mayImport] of Object.entries(KERNEL_LAYERS)) {
    const runtimeExtra = layer === "runtime" ? [runtimeKnowsNoRunner] : [];
    configs.push(
      {
        files: [`agents/${layer}/**/*.ts`, `agents/${layer}/**/*.tsx`],
        ignores: ["agents/**/*.server.ts"],
        rules: {
          "@typescript-eslint/no-restricted-imports": restrict([outsideKernel, nodeBuiltins, ...isomorphicOnly, ...layerPattern(layer, mayImport), ...runtimeExtra]),
        },
      },
      {
        files: [`agents/${layer}/**/*.server.ts`],
        rules: {
          "@typescript-eslint/no-restricted-imports": restrict([
            outsideKernel,
            ...(layer === "blocks" ? layerPattern(layer, BLOCK_RUNNER_MAY_IMPORT) : layerPattern(layer, mayImport)),
            ...runtimeExtra,
          ]),
        },
      },
    );
  }
  return configs;
}

export default tseslint.config(
  { ignores: ["build/**", "node_modules/**", "data/**", "db/migrations/**", "test-results/**", "playwright-report/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: "readonly", process: "readonly", Buffer: "readonly", URL: "readonly", setTimeout: "readonly",
        clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", window: "readonly",
        document: "readonly", fetch: "readonly", TextEncoder: "readonly", TextDecoder: "readonly",
        AbortController: "readonly", performance: "readonly", crypto: "readonly", navigator: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-restricted-syntax": ["error", noEval],
    },
  },
  ...kernelConfigs(),
  {
    files: ["app/**/*.ts", "app/**/*.tsx"],
    ignores: ["app/routes/**", "app/**/*.server.ts", "app/**/*.server.tsx"],
    rules: { "@typescript-eslint/no-restricted-imports": ["error", { patterns: serverOnly }] },
  },
  {
    files: ["app/routes/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": ["error", { patterns: serverOnly.slice(0, 2) }],
    },
  },
);
