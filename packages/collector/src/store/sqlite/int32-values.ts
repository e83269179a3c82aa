import { endianness } from 'node:os';

const VALUE_BYTES = 4;
const PLATFORM_IS_LITTLE_ENDIAN = endianness() === 'LE';

/** Little-endian int32 values, viewed in place when the platform and alignment allow. */
export function readInt32Values(bytes: Buffer): Int32Array {
  if (PLATFORM_IS_LITTLE_ENDIAN && bytes.byteOffset % VALUE_BYTES === 0) return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / VALUE_BYTES);
  const values = new Int32Array(bytes.length / VALUE_BYTES);
  for (let index = 0; index < values.length; index += 1) values[index] = bytes.readInt32LE(index * VALUE_BYTES);
  return values;
}

/** The values as little-endian int32. */
export function writeInt32Values(values: ArrayLike<number>): Buffer {
  const bytes = Buffer.allocUnsafe(values.length * VALUE_BYTES);
  for (let index = 0; index < values.length; index += 1) bytes.writeInt32LE(values[index] as number, index * VALUE_BYTES);
  return bytes;
}
