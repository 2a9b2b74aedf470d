// A resident's photo for the people looking: a small JPEG or PNG, its type checked against its
// first bytes (not only the header the client sent). Pure.
export const PHOTO_MAX_BYTES = 512 * 1024
export const PHOTO_TYPES = ['image/jpeg', 'image/png'] as const
export type PhotoType = (typeof PHOTO_TYPES)[number]

const JPEG = [0xff, 0xd8, 0xff]
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const startsWith = (b: Uint8Array, sig: number[]) => b.length >= sig.length && sig.every((x, i) => b[i] === x)

export function checkPhoto(
  bytes: Uint8Array,
  contentType: string,
): { ok: true; type: PhotoType } | { ok: false; error: string } {
  if (bytes.length === 0) return { ok: false, error: 'the photo is empty' }
  if (bytes.length > PHOTO_MAX_BYTES) return { ok: false, error: `the photo is larger than ${PHOTO_MAX_BYTES} bytes` }
  if (contentType === 'image/jpeg' && startsWith(bytes, JPEG)) return { ok: true, type: 'image/jpeg' }
  if (contentType === 'image/png' && startsWith(bytes, PNG)) return { ok: true, type: 'image/png' }
  return { ok: false, error: 'the photo must be a JPEG or PNG image, sent with its content type' }
}
