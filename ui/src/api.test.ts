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
    return typeof reply === 'function' ? (reply as (c: string, a?: Record<string, unknown>) => unknown)(cmd, args) : reply
  },
  Channel: class {
    onmessage: ((m: unknown) => void) | null = null
  },
}))

import { api, applicantKey, cardBurst, syncLabel, syncMessage, asApiError, decisionLabel, intakeMaterials, printAll, printerPlaceholder, settingsForm, setupProblems, type SetupForm } from './api'

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
      { cmd: 'find_cases', args: { query: '450821102012026112300016', status: null } },
    ])
  })

  it('pass the intake form whole', async () => {
    const form = { item: 'CJ-01', name: '李秀英', idNumber: '450821196804053025', materials: [], conditions: [] }
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

describe('the applicant box', () => {
  it('takes 18 characters as an ID number to check, with a lowercase x folded', () => {
    expect(applicantKey('11010519491231002x')).toEqual({ kind: 'id', value: '11010519491231002X' })
  })
  it('takes 4 to 17 digits, or a Chinese name, as a returning applicant to look up', () => {
    expect(applicantKey('3025')).toEqual({ kind: 'lookup', value: '3025' })
    expect(applicantKey(' 韦秀英 ')).toEqual({ kind: 'lookup', value: '韦秀英' })
    expect(applicantKey('阿依古丽·买买提')).toEqual({ kind: 'lookup', value: '阿依古丽·买买提' })
  })
  it('waits for more when there is too little, or something else', () => {
    expect(applicantKey('302')).toEqual({ kind: 'none' })
    expect(applicantKey('')).toEqual({ kind: 'none' })
    expect(applicantKey('abc1')).toEqual({ kind: 'none' })
  })
})

describe('first start', () => {
  const good: SetupForm = {
    centreCode: '450821103', centreName: '城关镇便民服务中心', terminal: '02', headId: 'head', headName: '黄志强', headPin: '246802',
    clerkId: '', clerkName: '', clerkPin: '', printer: '', stubCopies: true, phone: '', address: '',
  }
  it('passes a complete form', () => {
    expect(setupProblems(good)).toEqual([])
  })
  it('names every problem at once, in Chinese', () => {
    const p = setupProblems({ ...good, centreCode: '45082110', terminal: '0', headPin: '12', clerkId: 'w1', clerkPin: '' })
    expect(p).toEqual([
      '中心代码应为9位乡镇级区划代码',
      '终端号应为01到99',
      '负责人的密码应为6到12位数字',
      '窗口工作人员的密码应为6到12位数字',
    ])
  })
})

describe('settings and printing', () => {
  it('turns stored settings into the form, with GB18030 when no encoding is set', () => {
    const f = settingsForm({
      centre_code: '450821102', centre_name: '示范镇', terminal: '01', warning_days: 3, stub_copies: false, deemed_approval: false,
      phone: '0775-7801234', address: '人民路1号', printer: 'HP', slip_printer: '', slip_encoding: '', hq_public_key: 'K', peer_listen: '',
      hq_ca: '', hq_ca_fingerprint: null, idle_lock_minutes: 10, bar_broken_commitments: true, rating_screen: true, card_reader_lib: '/opt/reader/libsdtapi.so', card_reader_port: 1001,
    })
    expect(f).toEqual({
      warningDays: 3, stubCopies: false, phone: '0775-7801234', address: '人民路1号', printer: 'HP', slipPrinter: '', slipEncoding: 'gb18030',
      hqPublicKey: 'K', peerListen: '', hqCa: '', idleLockMinutes: 10, barBrokenCommitments: true, ratingScreen: true, cardReaderLib: '/opt/reader/libsdtapi.so', cardReaderPort: 1001,
    })
  })
  it('says what a printer box left empty means', () => {
    expect(printerPlaceholder([{ name: 'HP', is_default: true }])).toBe('系统默认打印机（HP）')
    expect(printerPlaceholder([{ name: 'HP', is_default: false }])).toContain('没有默认打印机')
    expect(printerPlaceholder([])).toContain('没有可用的打印机')
  })
  it('prints every document even when one fails, and says which', async () => {
    reply = (cmd: string, args?: Record<string, unknown>) => {
      if (args?.number === 'B') throw { code: 'print.printer', message: '找不到打印机“HP”，请在设置中重新选择' }
      // C reached no printer: it was only opened in the viewer, which is not a success.
      if (args?.number === 'C') return { message: '尚未打印：没有可用的打印机，已用系统的查看器打开', file: '', status: 'opened', job: null }
      return { message: `已发送到打印机YichuangPDF（${String(args?.number)}）`, file: '', status: 'queued', job: null }
    }
    const r = await printAll(['A', 'B', 'C'])
    expect(r.map((x) => x.state)).toEqual(['ok', 'bad', 'warn'])
    expect(r[1].message).toContain('找不到打印机')
    expect(calls.map((c) => [c.cmd, c.args])).toEqual([
      ['print_document', { number: 'A', slip: false }],
      ['print_document', { number: 'B', slip: false }],
      ['print_document', { number: 'C', slip: false }],
    ])
  })
})

describe('the sync state in the header', () => {
  const base = {
    enrolled: true, terminal_uid: 'T', hq_url: 'http://hq', pending: 0, acked_seq: 10, last_ack_at: '2026-11-23 17:05', rejections: [], peers: [], conflicts: [],
    windows: [], own_key: null, own_fingerprint: null, peer_listen: '',
  }
  it('says synced, pending, refused or not enrolled', () => {
    expect(syncLabel(base)).toEqual({ text: '已同步（11-23 17:05）', type: 'success' })
    expect(syncLabel({ ...base, pending: 7 })).toEqual({ text: '待上传7条', type: 'warning' })
    expect(syncLabel({ ...base, pending: 2, rejections: [{ seq: 3, what: '收件 X', reason: '属于其他中心' }] }).type).toBe('danger')
    expect(syncLabel({ ...base, enrolled: false, pending: 40 }).text).toBe('未在县级登记 · 待上传40条')
    expect(syncLabel(null).type).toBe('info')
  })
})

describe('what a sync round says', () => {
  const done = { enrolled: true, sent: 3, repeated: 0, rejected: 0, applied: [], held_seq: 3, relayed: 5, relay_refused: [], hq_error: null, lan: [] }
  it('names the part of HQ and of each window on the LAN, and why one failed', () => {
    expect(syncMessage(done)).toBe('同步完成。县级：新送3条，转来本中心其他窗口的记录5条')
    const cut = { ...done, hq_error: '连不上县级服务器（等待应答超时）', lan: [{ terminal: '02', new: 4, error: null }, { terminal: '03', new: 0, error: '连不上本中心的窗口' }] }
    expect(syncMessage(cut)).toBe('同步完成。县级未同步：连不上县级服务器（等待应答超时）；02号窗口：新收4条；03号窗口未同步：连不上本中心的窗口')
    expect(syncMessage({ ...done, enrolled: false, lan: [] })).toBe('同步完成')
  })
})

describe('a keyboard-emulation card reader', () => {
  // Keys at a given pace (ms apart) on a clock the test moves: no real time.
  const typer = (gap: number) => {
    let t = 0
    const got: string[] = []
    const h = cardBurst((text) => got.push(text), 100, () => t)
    const type = (text: string) => {
      const prevented: string[] = []
      for (const key of [...text, 'Enter']) {
        t += gap
        const k = key === '\t' ? 'Tab' : key
        h({ key: k, target: null, preventDefault: () => prevented.push(k), stopPropagation: () => undefined } as unknown as KeyboardEvent)
      }
      return prevented
    }
    return { got, type, pause: () => { t += 5000 } }
  }
  it('takes a machine-speed burst with separators and a number as the reader\'s', () => {
    const r = typer(5)
    const prevented = r.type('王𪚥\t女\t450821196804053025')
    expect(r.got).toEqual(['王𪚥\t女\t450821196804053025'])
    expect(prevented).toEqual(['Tab', 'Tab', 'Enter'])
    r.pause()
    r.type('450821196804053025')
    expect(r.got.length).toBe(1)
  })
  it('leaves a person\'s typing alone, Tab included', () => {
    const r = typer(180)
    const prevented = r.type('13800138000\t450821196804053025|x')
    expect(r.got).toEqual([])
    expect(prevented).toEqual([])
  })
})
