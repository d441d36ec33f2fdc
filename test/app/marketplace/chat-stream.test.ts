import { describe, expect, it } from "vitest";
import { errorOfResponse, readChatStream } from "#app/lib/marketplace/chat-stream";

const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n`;

describe("the playground's chat stream reader", () => {
  it("joins the deltas of complete lines and keeps a cut line for the next piece", () => {
    const whole = `${chunk("Hel")}${chunk("lo")}\n${chunk("!")}data: [DONE]\n`;
    const cut = whole.indexOf("lo") + 1;
    const first = readChatStream(whole.slice(0, cut));
    expect(first).toMatchObject({ text: "Hel", done: false, error: null });
    const second = readChatStream(first.rest + whole.slice(cut));
    expect(second).toEqual({ text: "lo!", rest: "", done: true, error: null });
  });

  it("reports an error chunk and a body that is not a stream", () => {
    expect(readChatStream(`data: {"error": {"message": "model asleep"}}\n`).error).toBe("model asleep");
    expect(readChatStream("data: <html>\n").error).toBe("The endpoint sent something that is not a chat stream.");
    // Comments and event names are not content.
    expect(readChatStream(": keep-alive\nevent: ping\n").text).toBe("");
  });

  it("words a failed answer from its JSON error, else its status", () => {
    expect(errorOfResponse(409, `{"error": {"message": "The endpoint is stopped; start it first."}}`)).toBe("The endpoint is stopped; start it first.");
    expect(errorOfResponse(404, `{"error": "No such endpoint."}`)).toBe("No such endpoint.");
    expect(errorOfResponse(502, "Bad gateway")).toBe("The endpoint answered with HTTP 502.");
  });
});
