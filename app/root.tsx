import type { LinksFunction, MetaFunction } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { useEffect, type ReactNode } from "react";
import { ApiProvider } from "./lib/trpc";
import stylesheet from "./tailwind.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Skyloom" }];

export function Layout({ children }: { children: ReactNode }) {
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
        <ScrollRestoration />
        <Scripts />
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

export function ErrorBoundary() {
  useHydratedMark();
  const error = useRouteError();
  const title = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : "Something went wrong";
  const detail = isRouteErrorResponse(error)
    ? typeof error.data === "string"
      ? error.data
      : ""
    : error instanceof Error
      ? error.message
      : "";
  return (
    <main className="mx-auto max-w-xl p-10">
      <h1 className="text-2xl font-semibold">{title}</h1>
      {detail && <p className="mt-2 text-slate-600">{detail}</p>}
      <a className="mt-6 inline-block text-brand-600 underline" href="/">
        Back to the dashboard
      </a>
    </main>
  );
}
