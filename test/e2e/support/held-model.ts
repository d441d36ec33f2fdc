import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An OpenAI-compatible chat upstream for the one test that cancels a run midway: it streams
 * the first words of an answer and then holds the stream open until the client goes away.
 * The answer can never finish before Cancel is pressed, however busy the machine, so the
 * test waits for nothing but what a person sees. It counts the requests the client dropped,
 * so the test can check the cancel reached the model.
 */
export type HeldModel = {
  /** Base URL for OPENAI_BASE_URL (ends in /v1). */
  baseUrl: string;
  /** Chat requests whose client disconnected while the answer was held. */
  dropped(): number;
  close(): Promise<void>;
};

export const HELD_MODEL_FIRST_WORDS = "Thinking it over";

function chunk(res: ServerResponse, delta: Record<string, unknown>, finish: string | null = null): void {
  const body = { id: "chatcmpl-held", object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model: "held", choices: [{ index: 0, delta, finish_reason: finish }] };
  res.write(`data: ${JSON.stringify(body)}\n\n`);
}

export async function startHeldModel(): Promise<HeldModel> {
  let dropped = 0;
  const open = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
      return;
    }
    req.resume();
    req.once("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      chunk(res, { role: "assistant", content: "" });
      chunk(res, { content: `${HELD_MODEL_FIRST_WORDS}…` });
      open.add(res);
      res.once("close", () => {
        open.delete(res);
        dropped += 1;
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    dropped: () => dropped,
    close: async () => {
      for (const res of open) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
