import { request as httpRequest, type Agent as HttpAgent, type ClientRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest, type Agent as HttpsAgent } from "node:https";

/** The kept-alive connections a JsonPostTarget sends on (absent: node's global agent). */
export type PostAgents = { http?: HttpAgent; https?: HttpsAgent };

/**
 * POSTs JSON to one OpenAI-compatible base URL (e.g. `http://10.0.0.7:8000/v1`), parsed once and
 * not per request, over kept-alive connections: a new connection, and fetch's stream machinery,
 * per request cost more than a small answer itself (issue 12's speed goal). The gateway's
 * endpoint proxy and a node's lease server both send this way.
 */
export class JsonPostTarget {
  private readonly secure: boolean;
  private readonly host: string;
  private readonly port: string;
  private readonly basePath: string;

  constructor(
    baseUrl: string,
    private readonly agents: PostAgents,
  ) {
    const url = new URL(baseUrl);
    this.secure = url.protocol === "https:";
    // An IPv6 literal's brackets belong to the URL, not to the address connected to.
    this.host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    this.port = url.port;
    this.basePath = url.pathname.replace(/\/+$/, "");
  }

  /** POSTs `body` to the base URL + `path` ("/chat/completions"); `answered` resolves once the response's headers arrived. */
  post(path: string, body: string | Buffer, apiKey?: string): { request: ClientRequest; answered: Promise<IncomingMessage> } {
    let request!: ClientRequest;
    const answered = new Promise<IncomingMessage>((resolve, reject) => {
      request = (this.secure ? httpsRequest : httpRequest)(
        {
          method: "POST",
          host: this.host,
          port: this.port,
          path: this.basePath + path,
          agent: this.secure ? this.agents.https : this.agents.http,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
        },
        resolve,
      );
      request.once("error", reject);
      request.end(body);
    });
    return { request, answered };
  }
}
