import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * The guardrails of eslint.config.js (docs/decisions/021), run on snippets as if they were the
 * named files: each case is an import someone could add tomorrow, and the lint must name it.
 */
const root = fileURLToPath(new URL("../..", import.meta.url));
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

/** The messages of the import rules for `code` linted as `filePath`. */
async function importProblems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === "@typescript-eslint/no-restricted-imports" || m.ruleId === "no-restricted-syntax" || m.fatal)
    .map((m) => m.message);
}

describe("isomorphic kernel files load no server library", () => {
  it("refuses LangChain's chat model in the compiler (the canvas bundles it)", async () => {
    const problems = await importProblems(
      "agents/compile/quote.ts",
      'import { ChatOpenAI } from "@langchain/openai";\nexport const model = new ChatOpenAI({});\n',
    );
    expect(problems).toEqual([expect.stringContaining("LangChain, openai and QuickJS load only in *.server.ts files")]);
  });

  it.each([
    ["agents/graph/doc.ts", 'import OpenAI from "openai";\nexport const client = new OpenAI();\n'],
    ["agents/blocks/tool-code/block.ts", 'import { newQuickJSWASMModule } from "quickjs-emscripten";\nexport const q = newQuickJSWASMModule;\n'],
    ["agents/runtime/executor.ts", 'import { createAgent } from "langchain";\nexport const a = createAgent;\n'],
    ["agents/runtime/plan.ts", 'export const load = () => import("@langchain/core/messages");\n'],
  ])("refuses it in %s", async (filePath, code) => {
    expect(await importProblems(filePath, code)).toEqual([expect.stringContaining("load only in *.server.ts files")]);
  });

  it("allows type-only imports, which vanish from the bundle", async () => {
    const code = 'import type { ChatOpenAI } from "@langchain/openai";\nexport type Model = ChatOpenAI;\n';
    expect(await importProblems("agents/runtime/context.ts", code)).toEqual([]);
  });

  it("allows them in *.server.ts files", async () => {
    const code = 'import { ChatOpenAI } from "@langchain/openai";\nexport const model = new ChatOpenAI({});\n';
    expect(await importProblems("agents/runtime/llm.server.ts", code)).toEqual([]);
  });

  it("refuses a *.server file imported by an isomorphic one", async () => {
    const code = 'import { evaluateToolCode } from "./sandbox.server";\nexport const run = evaluateToolCode;\n';
    expect(await importProblems("agents/blocks/tool-code/block.ts", code)).toEqual([expect.stringContaining("must not import a *.server file")]);
  });
});

describe("the layers inside agents/", () => {
  it.each([
    ["agents/graph/doc.ts", "../compile/plan", "agents/graph/ may import nothing else in agents/"],
    ["agents/graph/ports.ts", "#agents/blocks/registry", "agents/graph/ may import nothing else in agents/"],
    ["agents/catalog/gpus.ts", "../graph/doc", "agents/catalog/ may import nothing else in agents/"],
    ["agents/blocks/define-block.ts", "../compile/plan", "agents/blocks/ may import only agents/{graph,catalog}"],
    ["agents/blocks/prompt-template/block.ts", "../../runtime/context", "agents/blocks/ may import only agents/{graph,catalog}"],
    ["agents/compile/plan.ts", "../runtime/executor", "agents/compile/ may import only agents/{graph,catalog,blocks}"],
    ["agents/compile/targets/kubernetes/index.ts", "../../../runtime/plan", "agents/compile/ may import only agents/{graph,catalog,blocks}"],
    ["agents/runtime/plan.ts", "#agents/compile/plan", "agents/runtime/ may import only agents/{graph,catalog,blocks,compile/validate}"],
    ["agents/runtime/executor.ts", "../compile/parse-nodes", "agents/runtime/ may import only agents/{graph,catalog,blocks,compile/validate}"],
    ["agents/blocks/tool-http/run.server.ts", "../../compile/plan", "a block runner may import only agents/{graph,catalog,blocks,runtime}"],
    ["agents/runtime/llm.server.ts", "../blocks/model-openai/run.server", "The runtime does not import block runners"],
  ])("%s may not import %s", async (filePath, from, message) => {
    const code = `import * as other from "${from}";\nexport const o = other;\n`;
    expect(await importProblems(filePath, code)).toEqual([expect.stringContaining(message)]);
  });

  it.each([
    ["agents/blocks/define-block.ts", "../graph/ports"],
    ["agents/blocks/model-endpoint/block.ts", "../../catalog/gpus"],
    ["agents/compile/validate.ts", "../blocks/registry"],
    ["agents/compile/targets/akash-sdl/index.ts", "../../../catalog/gpus"],
    ["agents/runtime/plan.ts", "#agents/blocks/define-block"],
    // The run planner applies the compiler's rules through the validator, and only through it.
    ["agents/runtime/plan.ts", "../compile/validate"],
    ["agents/blocks/tool-http/run.server.ts", "../../runtime/implement"],
  ])("%s may import %s", async (filePath, from) => {
    const code = `import * as other from "${from}";\nexport const o = other;\n`;
    expect(await importProblems(filePath, code)).toEqual([]);
  });
});
