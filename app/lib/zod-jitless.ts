import { z } from "zod";

/**
 * In the browser, zod must not compile its fast object parsers with `new Function`: the pages'
 * Content-Security-Policy has no 'unsafe-eval' (docs/decisions/011), and zod's probe for it is
 * reported as a policy violation even though zod catches the error. root.tsx imports this
 * first, so it runs before any route module builds a schema. The server keeps the fast path.
 */
if (typeof document !== "undefined") z.config({ jitless: true });
