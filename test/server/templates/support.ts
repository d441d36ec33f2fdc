import { agentToolsBlock } from "#agents/blocks/agent-tools/block";
import { chatInputBlock } from "#agents/blocks/io-chat-input/block";
import { chatOutputBlock } from "#agents/blocks/io-chat-output/block";
import { knowledgeRetrieverBlock } from "#agents/blocks/knowledge-retriever/block";
import { modelEndpointBlock } from "#agents/blocks/model-endpoint/block";
import { modelOpenAiBlock } from "#agents/blocks/model-openai/block";
import { toolHttpBlock } from "#agents/blocks/tool-http/block";
import type { GraphDoc } from "#agents/graph/index";

/**
 * A valid agent flow full of things a template must never carry: a chat model and an HTTP tool
 * with the team's credential, an Authorization header and a key in the URL, a retriever on the
 * team's knowledge base, and an endpoint with a plain HF_TOKEN and a credential reference.
 */
export function secretFlowGraph(ids: { credentialId: string; knowledgeBaseId: string }): GraphDoc {
  const node = (id: string, block: { type: string; version: number }, config: unknown, x: number) => ({ id, type: block.type, version: block.version, config, ui: { x, y: 0 } });
  return {
    schemaVersion: 1,
    nodes: [
      node("input", chatInputBlock, {}, 0),
      node("model", modelOpenAiBlock, { baseUrl: "", credentialId: ids.credentialId, model: "gpt-4o-mini", temperature: 0.2, maxTokens: 512 }, 100),
      node(
        "http",
        toolHttpBlock,
        {
          name: "search",
          description: "Searches.",
          method: "GET",
          url: "https://api.example.com/search?q={query}&api_key=q-key-999",
          headers: { Authorization: "Bearer abc.def", Accept: "application/json" },
          body: "",
          credentialId: ids.credentialId,
        },
        200,
      ),
      node("retriever", knowledgeRetrieverBlock, { knowledgeBaseId: ids.knowledgeBaseId }, 300),
      node(
        "endpoint",
        modelEndpointBlock,
        { name: "llama", model: "meta-llama/Llama-3.1-8B-Instruct", env: { HF_TOKEN: "hf_plain_token_value", API_KEY: { credential: ids.credentialId }, LOG_LEVEL: "info" } },
        400,
      ),
      node("agent", agentToolsBlock, {}, 500),
      node("output", chatOutputBlock, {}, 600),
    ],
    edges: [
      { id: "e1", from: { node: "input", port: "message" }, to: { node: "agent", port: "prompt" } },
      { id: "e2", from: { node: "model", port: "model" }, to: { node: "agent", port: "model" } },
      { id: "e3", from: { node: "http", port: "tool" }, to: { node: "agent", port: "tools" } },
      { id: "e4", from: { node: "retriever", port: "tool" }, to: { node: "agent", port: "tools" } },
      { id: "e5", from: { node: "agent", port: "text" }, to: { node: "output", port: "message" } },
    ],
  };
}
