import { beforeEach, describe, expect, it, vi } from 'vitest'

// The wrappers are tested against the command names and argument shapes the Rust side
// declares (src-tauri/src/lib.rs); the real round trip is the end-to-end tests' job.
const calls: { cmd: string; args?: Record<string, unknown> }[] = []
let reply: unknown = null
let fail: unknown = null
vi.mock('@tauri-apps/api/core', () => ({
  invoke: async (cmd: string, args?: Record<string, unknown>) => {
    calls.push({ cmd, args })
    if (fail) throw fail
    return reply
  },
}))

import { api, asApiError, decisionLabel, intakeMaterials } from './api'

beforeEach(() => {
  calls.length = 0
  reply = null
  fail = null
})

describe('invoke wrappers', () => {
  it('call the commands by their Rust names with camelCase arguments', async () => {
    await api.signIn('demo', '1234')
    await api.searchItems('ylbx')
    await api.checkId('11010519491231002X')
    await api.findCases('450821102012026112300016')
    expect(calls).toEqual([
      { cmd: 'sign_in', args: { staffId: 'demo', pin: '1234' } },
      { cmd: 'search_items', args: { query: 'ylbx' } },
      { cmd: 'check_id', args: { value: '11010519491231002X' } },
      { cmd: 'find_cases', args: { query: '450821102012026112300016' } },
    ])
  })

  it('pass the intake form whole', async () => {
    const form = { item: 'CJ-01', name: '李秀英', idNumber: '450821196804053025', materials: [], conditions: [], clerk: 'demo' }
    reply = { decision: 'supplement', due_date: null, provisional: false, deficiencies: [] }
    const p = await api.previewIntake(form)
    expect(calls[0]).toEqual({ cmd: 'preview_intake', args: { form } })
    expect(decisionLabel[p.decision]).toBe('材料不全，一次性告知补正')
  })

  it('turn a command failure into an ApiError with the Chinese message', async () => {
    fail = { code: 'id.check_digit', message: '身份证号码校验位不符' }
    await expect(api.checkId('x')).rejects.toEqual({ code: 'id.check_digit', message: '身份证号码校验位不符' })
    fail = 'boom'
    await expect(api.todayBoard()).rejects.toEqual({ code: 'internal', message: 'boom' })
  })
})

describe('form logic', () => {
  it('sends only received materials, with at least one page and copy, and a trimmed defect', () => {
    expect(
      intakeMaterials([
        { code: 'SFZ', received: true, pages: 0, copies: 1, defect: '  复印件不清  ' },
        { code: 'HKB', received: false, pages: 2, copies: 1, defect: '' },
        { code: 'ZP', received: true, pages: 1, copies: 3, defect: ' ' },
      ]),
    ).toEqual([
      { code: 'SFZ', pages: 1, copies: 1, defect: '复印件不清' },
      { code: 'ZP', pages: 1, copies: 3, defect: undefined },
    ])
  })

  it('reads anything thrown as an ApiError', () => {
    expect(asApiError({ code: 'a', message: 'b' })).toEqual({ code: 'a', message: 'b' })
    expect(asApiError(new Error('x')).code).toBe('internal')
  })
})
