// SMS through Aliyun (阿里云短信) with its official SDK: approved templates with parameters.
// The endpoint is configurable (a stand-in in tests). SendSms: https://help.aliyun.com/document_detail/419273.html
import * as Dysmsapi from '@alicloud/dysmsapi20170525'
import type { $OpenApiUtil } from '@alicloud/openapi-core'
import type * as $dara from '@darabonba/typescript'
import type { TemplateName } from '../templates.ts'
import { aliyunAnswer, aliyunConfig, aliyunRuntime, aliyunThrown, type AliyunAccess } from './aliyun.ts'
import type { ChannelSender, SendResult } from './channel.ts'

/** Access to dysmsapi.aliyuncs.com (or a stand-in), the approved signature and each message's template. */
export interface AliyunSmsSettings extends AliyunAccess {
  signName: string
  /** The approved template code for each message. */
  templates: Record<TemplateName, string>
}

type SmsClient = {
  sendSmsWithOptions(r: Dysmsapi.SendSmsRequest, rt: $dara.RuntimeOptions): Promise<Dysmsapi.SendSmsResponse>
}

export function aliyunSms(s: AliyunSmsSettings): ChannelSender {
  // The SDK is CommonJS: its class is the default export's `default` when loaded from ESM.
  const ns = Dysmsapi as unknown as { default: { default?: unknown } }
  const Client = (ns.default.default ?? ns.default) as new (c: $OpenApiUtil.Config) => SmsClient
  const client = new Client(aliyunConfig(s))
  // The SDK retries by itself only when asked; the outbox retries instead, with its own backoff.
  const runtime = aliyunRuntime(s)
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
        return aliyunAnswer(r.body?.code, r.body?.bizId, 'sms')
      } catch (err) {
        return aliyunThrown(err, 'sms')
      }
    },
  }
}
