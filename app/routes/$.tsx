import type { MetaFunction } from "@remix-run/node";

export const meta: MetaFunction = () => [{ title: "Not found · Skyloom" }];

/**
 * Every address no other route serves. Without this splat a 404 under a layout route
 * (/settings/nope) was matched differently by the server and by the client's lazy route
 * discovery, and hydration failed; here both match this route and the root's error page shows.
 */
export function loader(): never {
  throw new Response("There is no page at this address.", { status: 404, statusText: "Not Found" });
}

export default function NotFound() {
  return null;
}
