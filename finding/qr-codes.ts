// QR codes for found-me cards (the `qrcode` library): PNG and SVG for one band, and a printable
// sheet of cards for a whole centre. Error correction M survives a scuffed sticker.
import QRCode from 'qrcode'

const OPTIONS = { errorCorrectionLevel: 'M', margin: 2 } as const

export const qrPng = (url: string): Promise<Buffer> => QRCode.toBuffer(url, { ...OPTIONS, type: 'png', width: 512 })

export const qrSvg = (url: string): Promise<string> => QRCode.toString(url, { ...OPTIONS, type: 'svg' })

export interface SheetCard {
  bandId: string
  url: string
  svg: string
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/**
 * A print page of cards: the code, what it is for (Chinese first), and the band id for whoever
 * sticks it on (never the wearer's name: the card travels in a pocket). Styles from /found/sheet.css
 * (the page's CSP allows no inline style).
 */
export function sheetHtml(centreName: string, cards: readonly SheetCard[]): string {
  const items = cards
    .map(
      (c) => `<figure class="card" data-testid="card-${escapeHtml(c.bandId)}">${c.svg}
<figcaption><strong>如果我迷路了，请扫码</strong><br>If I seem lost, please scan<br><small>${escapeHtml(c.bandId)}</small></figcaption></figure>`,
    )
    .join('\n')
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>同行 二维码 · ${escapeHtml(centreName)}</title>
<link rel="stylesheet" href="/found/sheet.css"></head>
<body><h1>${escapeHtml(centreName)} · 找到我二维码 Found-me QR codes</h1>
<main class="sheet">${items}</main></body></html>`
}
