import "./lib/zod-jitless";
import type { LinksFunction, MetaFunction } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { useEffect, type ReactNode } from "react";
import { useNonce } from "./lib/nonce";
import { ApiProvider } from "./lib/trpc";
import stylesheet from "./tailwind.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Skyloom" }];

export function Layout({ children }: { children: ReactNode }) {
  // The page's Content-Security-Policy allows only inline scripts that carry its nonce.
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

/**
 * Marks the page as interactive: a click before hydration does nothing, so browser tests wait
 * for this mark after loading a page (test/e2e/support/hydration.ts). The error page sets it too.
 */
function useHydratedMark(): void {
  useEffect(() => {
    document.documentElement.dataset.hydrated = "true";
  }, []);
}

export default function App() {
  useHydratedMark();
  return (
    <ApiProvider>
      <Outlet />
    </ApiProvider>
  );
}

/**
 * Any error a page fails with. Answers thrown on purpose (a 404 from a loader) show their own
 * message; anything else shows a fixed one: in production Remix has already replaced a server
 * error with "Unexpected Server Error", and a render error's message is not for the reader.
 */
export function ErrorBoundary() {
  useHydratedMark();
  const error = useRouteError();
  const { title, detail } = describeError(error);
  return (
    <main className="mx-auto max-w-xl p-10">
      <h1 className="text-2xl font-semibold">{title}</h1>
      <p className="mt-2 text-slate-600">{detail}</p>
      <a className="mt-6 inline-block text-brand-600 underline" href="/">
        Back to the dashboard
      </a>
    </main>
  );
}

function describeError(error: unknown): { title: string; detail: string } {
  if (!isRouteErrorResponse(error)) {
    return { title: "Something went wrong", detail: "This page could not be shown. Reload it, or go back to the dashboard; if it keeps happening, tell your administrator." };
  }
  if (error.status === 404) {
    // Remix's own 404 says "Error: No route matches URL …"; a loader's says what is missing.
    const own = typeof error.data === "string" && !error.data.startsWith("Error: ") ? error.data : null;
    return { title: "Page not found", detail: own ?? "There is nothing at this address." };
  }
  return {
    title: `${error.status} ${error.statusText}`,
    detail: typeof error.data === "string" && error.status < 500 ? error.data : "This page could not be shown. Reload it, or go back to the dashboard.",
  };
}
