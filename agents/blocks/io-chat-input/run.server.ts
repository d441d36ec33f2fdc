import { implement } from "../../runtime/implement";
import { chatInputBlock } from "./block";

export const chatInputRunner = implement(chatInputBlock, async ({ ctx }) => ({ message: ctx.input }));
