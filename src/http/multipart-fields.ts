/**
 * RFC 8058 lets a mail client send the one-click body as multipart/form-data as well as URL-encoded.
 * This reads the plain text fields of such a body (no files: nothing else is expected here).
 */
export function multipartFields(body: string, contentType: string): Record<string, string> | null {
  const m = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return null;
  const fields: Record<string, string> = {};
  for (const part of body.split(`--${boundary}`).slice(1)) {
    if (part.startsWith('--')) break;
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const headers = part.slice(0, split);
    const name = /content-disposition:\s*form-data;[^\r\n]*?\bname="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined || /filename=/i.test(headers)) continue;
    fields[name] = part.slice(split + 4).replace(/\r\n$/, '');
  }
  return fields;
}
