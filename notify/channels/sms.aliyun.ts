// SMS through Aliyun (阿里云短信) with its official SDK: approved templates with parameters.
// The endpoint is configurable (a stand-in in tests). SendSms: https://help.aliyun.com/document_detail/419273.html
import * as Dysmsapi from '@alicloud/dysmsapi20170525'
import { $OpenApiUtil } from '@alicloud/openapi-core'
import * as $dara from '@darabonba/typescript'
import type { TemplateName } from '../templates.ts'
import { networkFailure, type ChannelSender, type SendResult } from './channel.ts'

export interface AliyunSmsSettings {
  accessKeyId: string
  accessKeySecret: string
  /** dysmsapi.aliyuncs.com, or host:port of a stand-in. */
  endpoint: string
  protocol: 'https' | 'http'
  signName: string
  /** The approved template code for each message. */
  templates: Record<TemplateName, string>
  timeoutMs: number
}

type SmsClient = {
  sendSmsWithOptions(r: Dysmsapi.SendSmsRequest, rt: $dara.RuntimeOptions): Promise<Dysmsapi.SendSmsResponse>
}

/** Codes that mean "not now" (throttled, busy), worth retrying; any other refusal is final. */
const RETRY_CODES = new Set(['isv.BUSINESS_LIMIT_CONTROL', 'isp.SYSTEM_ERROR', 'Throttling.User', 'SignatureNonceUsed'])

export function aliyunSms(s: AliyunSmsSettings): ChannelSender {
  // The SDK is CommonJS: its class is the default export's `default` when loaded from ESM.
  const ns = Dysmsapi as unknown as { default: { default?: unknown } }
  const Client = (ns.default.default ?? ns.default) as new (c: $OpenApiUtil.Config) => SmsClient
  const client = new Client(
    new $OpenApiUtil.Config({
      accessKeyId: s.accessKeyId,
      accessKeySecret: s.accessKeySecret,
      endpoint: s.endpoint,
      protocol: s.protocol,
    }),
  )
  // The SDK retries by itself only when asked; the outbox retries instead, with its own backoff.
  const runtime = new $dara.RuntimeOptions({ readTimeout: s.timeoutMs, connectTimeout: s.timeoutMs, autoretry: false })
  return {
    async send(m): Promise<SendResult> {
      if (m.target.type !== 'phone') return { ok: false, retry: false, detail: 'sms: no phone number' }
      const request = new Dysmsapi.SendSmsRequest({
        phoneNumbers: m.target.phone,
        signName: s.signName,
        templateCode: s.templates[m.template],
        templateParam: JSON.stringify(m.params),
        outId: String(m.deliveryId),
      })
      try {
        const r = await client.sendSmsWithOptions(request, runtime)
        const body = r.body
        if (body?.code === 'OK') return { ok: true, ref: body.bizId ?? '' }
        return { ok: false, retry: RETRY_CODES.has(body?.code ?? ''), detail: `sms: ${body?.code ?? 'no answer'}` }
      } catch (err) {
        // The SDK throws for HTTP errors with the provider's code; anything else is the network.
        const e = err as { code?: string; statusCode?: number; data?: { statusCode?: number } }
        const status = e.statusCode ?? e.data?.statusCode
        if (status !== undefined && status < 500 && status !== 429 && !RETRY_CODES.has(e.code ?? '')) {
          return { ok: false, retry: false, detail: `sms: ${e.code ?? status}` }
        }
        return networkFailure(err, 'sms')
      }
    },
  }
}
