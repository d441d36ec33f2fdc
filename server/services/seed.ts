import { eq } from "drizzle-orm";
import type { Db } from "#db/client";
import { users } from "#db/schema";
import type { GraphDoc } from "#agents/graph/index";
import { chatInputBlock } from "#agents/blocks/io-chat-input/block";
import { chatOutputBlock } from "#agents/blocks/io-chat-output/block";
import { modelOpenAiBlock } from "#agents/blocks/model-openai/block";
import { promptTemplateBlock } from "#agents/blocks/prompt-template/block";
import { signUp } from "./accounts";
import { createFlow } from "./flows";

/** The demo account on the embedded database, printed at start and written in the README. */
export const DEMO_ACCOUNT = { email: "demo@skyloom.local", password: "skyloom-demo-2026", name: "Demo" } as const;

/** Chat Input → Prompt → Chat Model → Chat Output: the smallest agent, ready to try. */
export function helloAgentGraph(): GraphDoc {
  return {
    schemaVersion: 1,
    nodes: [
      { id: "input", type: chatInputBlock.type, version: 1, config: { placeholder: "Ask anything…" }, ui: { x: 0, y: 80 } },
      {
        id: "prompt",
        type: promptTemplateBlock.type,
        version: 1,
        config: { template: "You are a friendly assistant. Answer briefly.\n\nQuestion: {input}" },
        ui: { x: 280, y: 60 },
      },
      {
        id: "model",
        type: modelOpenAiBlock.type,
        version: 1,
        config: { baseUrl: "", model: "skyloom-dev", credentialId: null, temperature: 0.7, maxTokens: 1024 },
        ui: { x: 580, y: 40 },
      },
      { id: "output", type: chatOutputBlock.type, version: 1, config: {}, ui: { x: 880, y: 80 } },
    ],
    edges: [
      { id: "e1", from: { node: "input", port: "message" }, to: { node: "prompt", port: "input" } },
      { id: "e2", from: { node: "prompt", port: "prompt" }, to: { node: "model", port: "prompt" } },
      { id: "e3", from: { node: "model", port: "text" }, to: { node: "output", port: "message" } },
    ],
  };
}

/** Creates the demo account and its first flow once; later starts find it and do nothing. */
export async function seedDemo(db: Db): Promise<boolean> {
  if (db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_ACCOUNT.email)).get()) return false;
  const { userId, teamId } = await signUp(db, DEMO_ACCOUNT);
  createFlow(db, { teamId, userId }, { name: "Hello agent", description: "A first agent to try.", graph: helloAgentGraph() });
  return true;
}
