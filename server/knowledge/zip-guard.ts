import { Unzip, UnzipInflate } from "fflate";
import { formatBytes } from "./limits";
import { UnsupportedDocumentError } from "./formats";

/**
 * Unpacks a zip (a DOCX) only to count its bytes, stopping as soon as the total passes
 * `maxUnpackedBytes`: a zip bomb is refused without ever being held in memory. The sizes a zip
 * declares can lie, so the bytes are counted as they come out of the inflater.
 */
export function checkZipSize(name: string, bytes: Uint8Array, maxUnpackedBytes: number): void {
  let total = 0;
  let over = false;
  let broken: string | null = null;
  const unzip = new Unzip((file) => {
    file.ondata = (error, chunk) => {
      if (error) {
        broken = error.message;
        return;
      }
      total += chunk.length;
      if (total > maxUnpackedBytes && !over) {
        over = true;
        file.terminate();
      }
    };
    if (!over) file.start();
  });
  unzip.register(UnzipInflate);
  const step = 64 * 1024;
  try {
    for (let offset = 0; offset < bytes.length && !over && !broken; offset += step) {
      unzip.push(bytes.subarray(offset, offset + step), offset + step >= bytes.length);
    }
  } catch (error) {
    broken = error instanceof Error ? error.message : String(error);
  }
  if (over) {
    throw new UnsupportedDocumentError(`${name} unpacks to more than ${formatBytes(maxUnpackedBytes)}; it looks like a zip bomb, not a document.`);
  }
  if (broken) throw new UnsupportedDocumentError(`${name} is a damaged zip archive (${broken}); open and save it again in Word.`);
}
