import { implement } from "../../runtime/implement";
import { chatOutputBlock } from "./block";

export const chatOutputRunner = implement(chatOutputBlock, async ({ inputs, ctx }) => {
  ctx.respond(inputs.message);
  return {};
});
