/**
 * The EXIF orientation of a JPEG (tag 0x0112 in IFD0 of its APP1 `Exif` segment), 1 when it has
 * none. TensorFlow's decode_jpeg ignores it, so the model sees the stored pixels; an annotation
 * tool that honours it (most do) shows the image turned, and boxes drawn there do not fit the
 * stored pixels for orientations 2-8. Reads segment headers only, stopping at the image data.
 */
export function jpegOrientation(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1] as number;
    if (marker === 0xda || marker === 0xd9) break;
    const length = view.getUint16(at + 2);
    if (
      marker === 0xe1 &&
      at + 10 <= bytes.length &&
      String.fromCharCode(...bytes.subarray(at + 4, at + 10)) === 'Exif\0\0'
    ) {
      const tiff = at + 10;
      const end = Math.min(bytes.length, at + 2 + length);
      if (tiff + 8 > end) return 1;
      const little = bytes[tiff] === 0x49;
      const u16 = (o: number) => (o + 2 <= end ? view.getUint16(o, little) : 0);
      const u32 = (o: number) => (o + 4 <= end ? view.getUint32(o, little) : 0);
      const ifd = tiff + u32(tiff + 4);
      const count = u16(ifd);
      for (let i = 0; i < count; i++) {
        const entry = ifd + 2 + i * 12;
        if (entry + 12 > end) break;
        if (u16(entry) === 0x0112) {
          const value = u16(entry + 8);
          return value >= 1 && value <= 8 ? value : 1;
        }
      }
      return 1;
    }
    at += 2 + length;
  }
  return 1;
}
