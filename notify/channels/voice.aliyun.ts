// Voice calls through Aliyun's voice service (阿里云语音服务, dyvmsapi): SingleCallByTts rings a phone
// and reads an approved text-to-speech template with the alert's parameters
// (https://help.aliyun.com/document_detail/393519.html). Aliyun publishes no Node SDK for dyvmsapi on
// npm (`npm view @alicloud/dyvmsapi20170525`: 404), so the call goes through the official OpenAPI
// core the SMS SDK is built on (@alicloud/openapi-core), signed the same way (ACS3-HMAC-SHA256).
import * as Core from '@alicloud/openapi-core'
import { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core'
import type * as $dara from '@darabonba/typescript'
import { aliyunAnswer, aliyunConfig, aliyunRuntime, aliyunThrown, type AliyunAccess } from './aliyun.ts'
import type { ChannelSender, SendResult } from './channel.ts'

/** Access to dyvmsapi.aliyuncs.com (or a stand-in), the approved TTS template and the number shown. */
export interface AliyunVoiceSettings extends AliyunAccess {
  /** The approved TTS template (TTS_…); variables ${name} ${event} ${detail}. */
  ttsCode: string
  /** The number shown to the called person (a number bought in the console); empty: the public pool. */
  showNumber: string
}

type CoreClient = {
  callApi(
    params: $OpenApiUtil.Params,
    request: $OpenApiUtil.OpenApiRequest,
    runtime: $dara.RuntimeOptions,
  ): Promise<{ body?: { Code?: string; CallId?: string } }>
}

export function aliyunVoice(s: AliyunVoiceSettings): ChannelSender {
  // The core is CommonJS: its client class is the default export's `default` when loaded from ESM.
  const ns = Core as unknown as { default: { default?: unknown } }
  const Client = (ns.default.default ?? ns.default) as new (c: $OpenApiUtil.Config) => CoreClient
  const client = new Client(aliyunConfig(s))
  const runtime = aliyunRuntime(s)
  const params = new $OpenApiUtil.Params({
    action: 'SingleCallByTts',
    version: '2017-05-25',
    protocol: 'HTTPS',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  })
  return {
    async send(m): Promise<SendResult> {
      if (m.target.type !== 'phone') return { ok: false, retry: false, detail: 'voice: no phone number' }
      const query: Record<string, string> = {
        CalledNumber: m.target.phone,
        TtsCode: s.ttsCode,
        TtsParam: JSON.stringify(m.params),
        PlayTimes: '2',
        OutId: String(m.deliveryId),
      }
      if (s.showNumber) query.CalledShowNumber = s.showNumber
      try {
        const r = await client.callApi(
          params,
          new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(query) }),
          runtime,
        )
        return aliyunAnswer(r.body?.Code, r.body?.CallId, 'voice')
      } catch (err) {
        return aliyunThrown(err, 'voice')
      }
    },
  }
}
