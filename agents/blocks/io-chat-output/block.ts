import { z } from "zod";
import { defineBlock } from "../define-block";

/** Where the agent's answer leaves the flow and is shown in the chat. */
export const chatOutputBlock = defineBlock({
  type: "io.chat-output",
  version: 1,
  title: "Chat Output",
  category: "Inputs & Outputs",
  part: "agent",
  description: "Shows the answer in the chat; the end of an agent.",
  icon: "message-square-reply",
  inputs: [{ id: "message", label: "Message", type: "text", required: true }],
  outputs: [],
  roles: { chatOutput: true },
  config: z.object({}),
});
