import type { ErrorRequestHandler, Request } from "express";
import { setSecurityHeaders } from "./security-headers";

/**
 * Express's last error handler. Express's own prints the error's stack (with server paths) in
 * every mode but production, and Remix hands it whatever a request failed with. This one answers
 * a plain page, or JSON under /api, that says only what went wrong in general terms; the details
 * go to the server log.
 */
export const finalErrorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const status = httpStatusOf(error);
  if (status >= 500) console.error(`${req.method} ${pathOf(req)} failed:`, error);
  // A malformed URL or body is the caller's mistake: one line, no stack, to keep the log readable.
  else console.warn(`${req.method} ${pathOf(req)}: ${status} ${errorName(error)}`);

  if (res.headersSent) {
    // Part of the answer is out; ending it normally would pass it off as complete.
    res.destroy();
    return;
  }
  const { title, detail } = describeStatus(status);
  setSecurityHeaders(res);
  res.status(status);
  if (pathOf(req).startsWith("/api/")) {
    res.json({ error: { message: detail, code: status >= 500 ? "INTERNAL_SERVER_ERROR" : status === 404 ? "NOT_FOUND" : "BAD_REQUEST" } });
    return;
  }
  res.type("html").send(errorPage(title, detail));
};

/** The status an error asks for (body parsers and `send` set one on theirs); 500 otherwise. */
export function httpStatusOf(error: unknown): number {
  if (typeof error === "object" && error !== null) {
    const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
    const candidate = typeof status === "number" ? status : statusCode;
    if (typeof candidate === "number" && candidate >= 400 && candidate <= 599) return candidate;
  }
  if (error instanceof URIError) return 400;
  return 500;
}

export function describeStatus(status: number): { title: string; detail: string } {
  if (status === 404) return { title: "Page not found", detail: "There is nothing at this address." };
  if (status < 500) return { title: "Bad request", detail: "The address or the request is malformed; check it and try again." };
  return { title: "Something went wrong", detail: "The server could not answer this request. Try again; if it keeps happening, tell your administrator." };
}

/** A self-contained page: no scripts or styles, so the "nothing" policy of setSecurityHeaders suits it. */
function errorPage(title: string, detail: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${title} · Skyloom</title></head>
<body>
<h1>${title}</h1>
<p>${detail}</p>
<p><a href="/">Back to the dashboard</a></p>
</body>
</html>
`;
}

/** The path without the query, which may carry tokens. */
function pathOf(req: Request): string {
  const url = req.originalUrl || req.url;
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
