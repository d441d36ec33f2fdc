// Lint rules, including the dependency rule of DESIGN.md §2: agents/ is the pure kernel and
// imports nothing from app/, server/ or db/; app/ never reaches server-only code (type-only
// imports of the API's types are allowed, since they vanish at build time).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const serverOnly = [
  { regex: "^(#server/|(\\.\\./)+server/)", message: "app/ must not import server code (type-only imports are fine).", allowTypeImports: true },
  { regex: "^(#db/|(\\.\\./)+db/)", message: "app/ must not import the database layer.", allowTypeImports: true },
  { regex: "\\.server(\\.tsx?)?$", message: "Only route modules may import *.server files." },
];

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
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.name='eval']", message: "Never eval: user code runs in the QuickJS sandbox." },
      ],
    },
  },
  {
    files: ["agents/**/*.ts", "agents/**/*.tsx"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "^(#(server|db|app)/|(\\.\\./)+(server|db|app)/)", message: "agents/ is the pure kernel: it imports nothing from app/, server/ or db/." },
            { regex: "^(node:|(fs|path|child_process|http|https|net)$)", message: "agents/ stays portable: side effects reach it through the run context." },
          ],
        },
      ],
    },
  },
  {
    // *.server.ts files in agents/ are the runners; they may use Node built-ins.
    files: ["agents/**/*.server.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { patterns: [{ regex: "^(#(server|db|app)/|(\\.\\./)+(server|db|app)/)", message: "agents/ imports nothing from app/, server/ or db/." }] },
      ],
    },
  },
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
