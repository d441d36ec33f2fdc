import { Icon, Box, type LucideIconData, type LucideProps } from "lucide-react";
import dynamicIconImports from "lucide-react/dynamicIconImports";
import { useEffect, useState } from "react";

/**
 * A block's lucide icon by its kebab-case name. Icons load on demand (the full set is far
 * larger than the editor) and are cached per name, so 500 nodes of one type load it once and
 * render it synchronously afterwards. Unknown names show a neutral box.
 */
const loaded = new Map<string, LucideIconData | null>();
const pending = new Map<string, Promise<LucideIconData | null>>();

type IconModule = { __iconData?: LucideIconData };
const imports = dynamicIconImports as unknown as Record<string, () => Promise<IconModule>>;

function loadIcon(name: string): Promise<LucideIconData | null> {
  const existing = pending.get(name);
  if (existing) return existing;
  const importer = imports[name];
  const promise = importer
    ? importer().then(
        (mod) => mod.__iconData ?? null,
        () => null,
      )
    : Promise.resolve(null);
  const settled = promise.then((data) => {
    loaded.set(name, data);
    return data;
  });
  pending.set(name, settled);
  return settled;
}

export function BlockIcon({ name, ...props }: { name: string } & Omit<LucideProps, "ref">) {
  const [data, setData] = useState<LucideIconData | null | undefined>(() => loaded.get(name));
  useEffect(() => {
    if (loaded.has(name)) {
      setData(loaded.get(name));
      return;
    }
    let live = true;
    void loadIcon(name).then((d) => live && setData(d));
    return () => {
      live = false;
    };
  }, [name]);
  if (!data) return <Box aria-hidden {...props} />;
  return <Icon aria-hidden icon={data} {...props} />;
}
