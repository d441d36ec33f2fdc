/**
 * 1,024-bit codes of embedding vectors, for the coarse pass of vector search (ADR 026).
 *
 * A code is the signs of the vector after a fixed random rotation (random ±1 signs, then a fast
 * Walsh–Hadamard transform, twice): each bit says on which side of a random hyperplane the
 * vector lies, so the share of bits two codes differ in estimates the angle between the
 * vectors (SimHash). Plain sign quantization would not: sparse or off-centre vectors (the local
 * development model's hashed bag of words, many real models' outputs) would mostly agree on
 * their zero or positive coordinates. The rotation makes every coordinate count.
 *
 * The codes are stored: changing CODE_BITS, the seeds or the transform needs every base's codes
 * written again (see upgradeVectorStore in ./store.ts).
 */

export const CODE_BITS = 1024;
export const CODE_BYTES = CODE_BITS / 8;

const nextPowerOfTwo = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/** ±1 from a seeded xorshift: the same signs on every machine and every run. */
function signs(length: number, seed: number): Int8Array {
  const out = new Int8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 1 ? 1 : -1;
  }
  return out;
}

/** In place, unnormalised (the scale does not change a sign). */
function walshHadamard(a: Float64Array): void {
  for (let h = 1; h < a.length; h <<= 1) {
    for (let i = 0; i < a.length; i += h << 1) {
      for (let j = i; j < i + h; j++) {
        const x = a[j] as number;
        const y = a[j + h] as number;
        a[j] = x + y;
        a[j + h] = x - y;
      }
    }
  }
}

type Rotation = { size: number; rounds: { first: Int8Array; second: Int8Array }[] };
const rotations = new Map<number, Rotation>();

/** Enough independent rotations of the padded vector to give CODE_BITS signs. */
function rotationFor(dimensions: number): Rotation {
  const size = nextPowerOfTwo(dimensions);
  let rotation = rotations.get(size);
  if (!rotation) {
    const count = Math.ceil(CODE_BITS / size);
    rotation = {
      size,
      rounds: Array.from({ length: count }, (_, r) => ({ first: signs(size, 0x9e3779b9 + r * 7919), second: signs(size, 0x85ebca6b + r * 104729) })),
    };
    rotations.set(size, rotation);
  }
  return rotation;
}

/** The vector's code: bit i (byte i>>3, bit i&7, as sqlite-vec's bit[] reads it) set when rotated coordinate i is positive. */
export function vectorCode(vector: Float32Array): Uint8Array {
  const { size, rounds } = rotationFor(vector.length);
  const code = new Uint8Array(CODE_BYTES);
  const work = new Float64Array(size);
  let bit = 0;
  for (const { first, second } of rounds) {
    work.fill(0);
    for (let i = 0; i < vector.length; i++) work[i] = (vector[i] as number) * (first[i] as number);
    walshHadamard(work);
    for (let i = 0; i < size; i++) work[i] = (work[i] as number) * (second[i] as number);
    walshHadamard(work);
    for (let i = 0; i < size && bit < CODE_BITS; i++, bit++) {
      if ((work[i] as number) > 0) code[bit >> 3] = (code[bit >> 3] as number) | (1 << (bit & 7));
    }
  }
  return code;
}

/** A vector's bytes as SQLite stores them (little-endian float32). */
export const vectorBlob = (vector: Float32Array): Buffer => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
