import { z } from "zod";
import { defineBlock } from "../define-block";

/** Where a conversation enters the flow: the user's latest message. */
export const chatInputBlock = defineBlock({
  type: "io.chat-input",
  version: 1,
  title: "Chat Input",
  category: "Inputs & Outputs",
  part: "agent",
  description: "The message a person types in the chat; the start of an agent.",
  icon: "message-square",
  inputs: [],
  outputs: [{ id: "message", label: "Message", type: "text" }],
  roles: { chatInput: true },
  config: z.object({
    placeholder: z
      .string()
      .max(200)
      .default("Ask anything…")
      .meta({ title: "Placeholder", description: "Hint shown in the empty chat box." }),
  }),
});
