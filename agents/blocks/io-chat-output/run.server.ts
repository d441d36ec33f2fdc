import { implement, textInput } from "../../runtime/implement";
import { chatOutputBlock } from "./block";

export const chatOutputRunner = implement(chatOutputBlock, async ({ inputs, ctx }) => {
  ctx.respond(textInput(inputs, "message", "Message"));
  return {};
});
