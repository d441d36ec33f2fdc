import { describe, expectTypeOf, it } from "vitest";
import { agentToolsBlock } from "#agents/blocks/agent-tools/block";
import { modelOpenAiBlock } from "#agents/blocks/model-openai/block";
import { memoryConversationBlock } from "#agents/blocks/memory-conversation/block";
import { defineBlock } from "#agents/blocks/define-block";
import { implement, type BlockInputs, type BlockOutputs } from "#agents/runtime/implement";
import type { ChatModelValue, EndpointValue, MemoryValue, PortValueOf, ToolValue } from "#agents/runtime/values";
import { z } from "zod";

/*
 * Type-level tests: `npm run typecheck` checks this file, so each `@ts-expect-error` line
 * fails the typecheck the day the mistake under it stops being one. The `it` bodies run too,
 * but only the types matter.
 */

describe("port values", () => {
  it("each port data type has exactly one runtime value type", () => {
    expectTypeOf<PortValueOf<"chat-model">>().toEqualTypeOf<ChatModelValue>();
    expectTypeOf<PortValueOf<"memory">>().toEqualTypeOf<MemoryValue>();
    expectTypeOf<PortValueOf<"tool">>().toEqualTypeOf<ToolValue>();
    expectTypeOf<PortValueOf<"endpoint">>().toEqualTypeOf<EndpointValue>();
    expectTypeOf<PortValueOf<"text">>().toEqualTypeOf<string>();
  });
});

describe("a runner's inputs are typed by its block's input ports", () => {
  it("types each declared port; optional ones may be undefined, multiple ones are arrays", () => {
    type ModelInputs = BlockInputs<typeof modelOpenAiBlock>;
    expectTypeOf<ModelInputs["memory"]>().toEqualTypeOf<MemoryValue | undefined>();
    expectTypeOf<ModelInputs["prompt"]>().toEqualTypeOf<string | undefined>();

    type AgentInputs = BlockInputs<typeof agentToolsBlock>;
    expectTypeOf<AgentInputs["model"]>().toEqualTypeOf<ChatModelValue>();
    expectTypeOf<AgentInputs["prompt"]>().toEqualTypeOf<string>();
    expectTypeOf<AgentInputs["tools"]>().toEqualTypeOf<readonly ToolValue[]>();
  });

  it("a typo in a port id does not compile", () => {
    implement(modelOpenAiBlock, async ({ inputs }) => {
      // @ts-expect-error: the Chat Model has a "memory" input, not "memroy".
      void inputs.memroy;
      return {};
    });
    implement(agentToolsBlock, async ({ inputs }) => {
      // @ts-expect-error: the Agent's ports computed from its instructions are not typed; read them through inputsById.
      void inputs.city;
      // @ts-expect-error: "tools" is an array of tools, not one.
      void inputs.tools.tool;
      return { text: "" };
    });
  });

  it("a value of the wrong type on an input does not compile", () => {
    implement(modelOpenAiBlock, async ({ inputs }) => {
      // @ts-expect-error: a memory is not text.
      const text: string | undefined = inputs.memory;
      void text;
      return {};
    });
  });
});

describe("a runner's outputs are typed by its block's output ports", () => {
  it("refuses an undeclared output or a value of the wrong type", () => {
    expectTypeOf<BlockOutputs<typeof memoryConversationBlock>>().toHaveProperty("memory");
    const memory = {} as MemoryValue;
    // @ts-expect-error: the block's output is "memory", not "memroy".
    implement(memoryConversationBlock, async () => ({ memory, memroy: memory }));
    // @ts-expect-error: a Chat Model's "text" output is text, not a number.
    implement(modelOpenAiBlock, async () => ({ text: 42 }));
  });

  it("holds for a block defined anywhere, not only the built-in ones", () => {
    const echo = defineBlock({
      type: "test.echo",
      version: 1,
      title: "Echo",
      category: "Logic",
      part: "agent",
      description: "Echoes its input.",
      icon: "repeat",
      inputs: [{ id: "message", label: "Message", type: "text", required: true }],
      outputs: [{ id: "echo", label: "Echo", type: "text" }],
      config: z.object({}),
    });
    implement(echo, async ({ inputs }) => {
      expectTypeOf(inputs.message).toEqualTypeOf<string>();
      // @ts-expect-error: there is no "mesage" input.
      return { echo: inputs.mesage };
    });
  });
});
