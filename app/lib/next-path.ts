/**
 * Where to go after logging in or signing up (`?next=`): a path on this site, or "/". A full
 * URL, `//host` or anything that would leave the site is ignored, so a link to the login page
 * cannot send someone elsewhere after they log in.
 */
export function safeNextPath(value: string | null | undefined): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  const base = "http://skyloom.invalid";
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return "/";
  }
  return url.origin === base ? `${url.pathname}${url.search}` : "/";
}

/** `/login?next=…` or `/signup?next=…`, without `next` when it is just the dashboard. */
export function authPath(page: "/login" | "/signup", next: string): string {
  return next === "/" ? page : `${page}?next=${encodeURIComponent(next)}`;
}
