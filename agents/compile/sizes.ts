/** Sizes for manifests: whole GiB as `NGi`, anything else as whole `Mi` (never `G`, which the Spheron SDK reads as 0). */
export function sizeString(gi: number): string {
  if (Number.isInteger(gi)) return `${gi}Gi`;
  return `${Math.ceil(gi * 1024)}Mi`;
}
