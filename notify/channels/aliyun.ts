// What Aliyun's SMS and voice services share: the client's configuration, the SDK's settings for one
// request (the outbox retries, not the SDK), and reading an answer or a thrown error as a result.
import { $OpenApiUtil } from '@alicloud/openapi-core'
import * as $dara from '@darabonba/typescript'
import { networkFailure, type SendResult } from './channel.ts'

export interface AliyunAccess {
  accessKeyId: string
  accessKeySecret: string
  /** The service's host, or host:port of a stand-in. */
  endpoint: string
  protocol: 'https' | 'http'
  timeoutMs: number
}

/** Codes that mean "not now" (throttled, busy), worth retrying; any other refusal is final. */
const RETRY_CODES = new Set(['isv.BUSINESS_LIMIT_CONTROL', 'isp.SYSTEM_ERROR', 'Throttling.User', 'SignatureNonceUsed'])

export const aliyunConfig = (a: AliyunAccess) =>
  new $OpenApiUtil.Config({
    accessKeyId: a.accessKeyId,
    accessKeySecret: a.accessKeySecret,
    endpoint: a.endpoint,
    protocol: a.protocol,
  })

export const aliyunRuntime = (a: AliyunAccess) =>
  new $dara.RuntimeOptions({ readTimeout: a.timeoutMs, connectTimeout: a.timeoutMs, autoretry: false })

/** The provider's answer: `OK` with its id for the message, or a code (retried when it means "not now"). */
export function aliyunAnswer(code: string | undefined, ref: string | undefined, what: string): SendResult {
  if (code === 'OK') return { ok: true, ref: ref ?? '' }
  return { ok: false, retry: RETRY_CODES.has(code ?? ''), detail: `${what}: ${code ?? 'no answer'}` }
}

/** The SDK throws for HTTP errors with the provider's code; anything else is the network. */
export function aliyunThrown(err: unknown, what: string): SendResult {
  const e = err as { code?: string; statusCode?: number; data?: { statusCode?: number } }
  const status = e.statusCode ?? e.data?.statusCode
  if (status !== undefined && status < 500 && status !== 429 && !RETRY_CODES.has(e.code ?? '')) {
    return { ok: false, retry: false, detail: `${what}: ${e.code ?? status}` }
  }
  return networkFailure(err, what)
}
