// Typed wrappers over the app's commands. The window never sees SQL; every failure is an
// ApiError with a stable code and a Chinese message to show.
import { Channel, invoke } from '@tauri-apps/api/core'
import { ref } from 'vue'

export interface ApiError { code: string; message: string }

export interface Verified {
  verdict: 'genuine' | 'voided' | 'forged' | 'unknown_terminal' | 'malformed'
  message: string
  document: { number: string; title: string; applicant: string | null; id_masked: string | null; item: string | null
    issued_on: string | null; due_date: string | null; reasons: string[] } | null
}
export interface Staff { id: string; name: string; role: 'clerk' | 'head' }
export interface StaffRow extends Staff { active: boolean }
export interface NewStaff { id: string; name: string; role: 'clerk' | 'head'; pin: string }
export interface AppInfo {
  centre_name: string; centre_code: string; terminal: string; today: string
  calendar_version: string; catalogue_version: string | null; staff: Staff[]; idle_lock_minutes: number
  /** The centre's windows have a rating screen facing the applicant (评价器). */
  rating_screen: boolean
  /** Who signed in last at this PC (preselected at sign-in). */
  last_staff?: string | null
  /** Why the database is open for reading only (found damaged), with the way to restore. */
  damaged: string | null
}
export interface Warning { level: 'normal' | 'yellow' | 'red' | 'paused'; days: number }
export interface CaseRow {
  number: string; item_name: string; applicant_name: string; status: string; status_label: string
  due_date: string | null; provisional: boolean; warning: Warning | null; owed_by: string | null; received_on: string
}
/** A supervision notice (督办) the county sent down, not answered yet. */
export interface Supervision {
  id: string; case_number: string; text: string; deadline: string; issued_by: string; late: boolean
}

export interface BoardTotals {
  in_progress: number; overdue: number; due_soon: number; paused: number
  awaiting_supplement: number; ready_for_collection: number; owing: number
}
export interface QueueItem {
  kind: 'complaint_to_close' | 'complaint_to_answer' | 'rectification' | 'conflict'
  label: string; key: string; case_number: string | null; text: string; due: string | null; late: boolean
}
export interface Board {
  today: string; in_progress: CaseRow[]; overdue: CaseRow[]; due_soon: CaseRow[]; paused: CaseRow[]
  awaiting_supplement: CaseRow[]; ready_for_collection: CaseRow[]; owing: CaseRow[]; open_inquiries: number
  received: number; completed: number; supplement_notices: number; refused: number
  supervisions: Supervision[]
  /** What waits for the station head (负责人待办); empty for a clerk. */
  head_queue: QueueItem[]
  /** How many each list holds; each shows its first rows only. */
  totals: BoardTotals
}
export interface Material {
  code: string; name: string; form: string; copies: number; required: boolean
  required_when: string | null; notes: string; tolerable: boolean
}
export interface Item {
  code: string; name: string; initials: string; kind: string; kind_label: string
  limit: string; department: string; tolerable: boolean; tolerance_days: number; materials: Material[]
}
export interface IdCheck { ok: boolean; message: string | null; masked: string | null; returning_name: string | null; returning_phone: string | null }
export interface MaterialInput { code: string; pages: number; copies: number; defect?: string }
export interface IntakeForm {
  item: string; name: string; idNumber: string; phone?: string
  materials: MaterialInput[]; conditions: string[]; refuse?: string
  agentName?: string; agentIdNumber?: string; agentPhone?: string
  confirmRename?: boolean
  /** Why a second case is taken while the applicant has an open one of the same item. */
  duplicateReason?: string
  /** The applicant signed the 容缺 commitment (承诺书). */
  commitment?: boolean
  /** The applicant agreed to be told by SMS at the mobile number (个人信息保护法 第13–14条). */
  smsConsent?: boolean
}
export interface Deficiency { code: string; name: string; problem: string; copies?: number }
export interface OpenCase { number: string; status_label: string; received_on: string }
export interface Preview {
  decision: Decision; due_date: string | null; provisional: boolean; deficiencies: Deficiency[]; owed_by: string | null
  /** The applicant's open cases of the same item (the outcome of an intake has none). */
  duplicates?: OpenCase[]
}
export interface Outcome extends Preview { case_number: string; documents: { kind: string; title: string; number: string; voided: boolean }[] }
export type Decision = 'immediate' | 'accepted' | 'supplement' | 'refused' | 'tolerated'

export interface CaseDetail {
  number: string; item_name: string; applicant_name: string; id_masked: string
  status: string; status_label: string; due_date: string | null; provisional: boolean; warning: Warning | null
  handler_name: string; deficiencies: Deficiency[]; owed: Deficiency[]; owed_by: string | null; owed_overdue: boolean
  collected: string | null; sms_phone: string | null; documents: { kind: string; title: string; number: string; voided: boolean }[]
  timeline: { at: string; actor: string; what: string; sync: string }[]; actions: { key: string; label: string }[]
}

export interface InquiryForm {
  channel: 'visit' | 'phone' | 'letter' | 'online'; person: string; unit?: string; phone?: string; matter: string
  item?: string; disposition: 'answered' | 'notice' | 'handover' | 'pending'; handedTo?: string; result?: string
}
export interface Inquiry {
  id: string; received_at: string; channel: string; person: string; matter: string; disposition: string
  handed_to: string | null; reply_due: string | null; status: string; result: string | null; warning: Warning | null; documents: string[]
}

export interface SetupStatus { configured: boolean; db: string }
export interface SetupForm {
  centreCode: string; centreName: string; terminal: string
  headId: string; headName: string; headPin: string
  clerkId: string; clerkName: string; clerkPin: string
  printer: string; stubCopies: boolean; phone: string; address: string
}
export interface ApplicantHit { pick: number; masked: string; name: string; phone: string | null; organisation: boolean }
export interface PickedApplicant { key: string; name: string; phone: string | null }
export interface Printed { message: string; file: string; status: 'queued' | 'opened' | 'saved'; job: string | null }
export interface Settings {
  centre_code: string; centre_name: string; terminal: string; warning_days: number; stub_copies: boolean
  deemed_approval: boolean; phone: string; address: string; printer: string; slip_printer: string; slip_encoding: string
  hq_public_key: string; peer_listen: string; hq_ca: string; hq_ca_fingerprint: string | null; idle_lock_minutes: number
  bar_broken_commitments: boolean; rating_screen: boolean; card_reader_lib: string; card_reader_port: number
}
export interface SettingsForm {
  warningDays: number; stubCopies: boolean; phone: string; address: string
  printer: string; slipPrinter: string; slipEncoding: string; hqPublicKey: string; peerListen: string; hqCa: string
  idleLockMinutes: number; barBrokenCommitments: boolean; ratingScreen: boolean
  cardReaderLib: string; cardReaderPort: number
}
export interface PrinterInfo { name: string; is_default: boolean }
export interface Progress { done: number; total: number }
export interface Backup { name: string; path: string; bytes: number; events: number; ok: boolean }
export interface Restored { events: number; kept_as: string | null; terminal: string }
export interface SyncStatus {
  enrolled: boolean; terminal_uid: string | null; hq_url: string | null; pending: number; acked_seq: number
  last_ack_at: string | null; rejections: { seq: number; what: string; reason: string }[]
  peers: { terminal: string; held_seq: number; last_heard_at: string | null; via: string; fingerprint: string }[]
  conflicts: { case_number: string; what: string; reason: string }[]
  windows: { url: string; terminal: string; fingerprint: string; last_ok_at: string | null; last_error: string | null }[]
  own_key: string | null; own_fingerprint: string | null; peer_listen: string
}
export interface SyncDone {
  enrolled: boolean; sent: number; repeated: number; rejected: number; applied: string[]; held_seq: number; relayed: number
  relay_refused: string[]; hq_error: string | null; lan: { terminal: string; new: number; error: string | null }[]
}
export interface TransferFolder { path: string; label: string; files: { name: string; path: string; bytes: number; modified: string }[] }
export interface Exported { path: string; from: number; to: number; count: number; readers: number }

export interface ComplaintForm {
  channel: 'visit' | 'phone' | 'letter' | 'online'; complainant: string; contact: string; confidential: boolean
  matter: string; aboutStaff: string; caseNumber: string; complex: boolean; explanation: string
}
export interface Complaint {
  id: string; received_at: string; complainant: string; contact: string | null; matter: string; kind: string
  due_date: string; status: string; status_label: string; result: string | null; feedback: string | null; notes: string[]; overdue: boolean
}
export interface Visit {
  case_number: string; item_name: string; applicant_name: string; phone: string | null; completed_on: string
  invitation_due: boolean; rating: string | null; rectification: string | null; rectification_status: string | null; rectification_late: boolean
  /** The rating screen's latest bad rating (“评价器：受理不满意（等候时间过长）”). */
  screen_bad: string | null; running: boolean
  /** The call-back recorded (“2026-11-25：…”), and the rectification's outcome. */
  callback: string | null; outcome: string | null
}
export interface Duty { post: string; name: string; a: string; b: string | null; on_duty: string; covered_by_b: boolean; unstaffed: boolean }
export interface ItemFigures {
  code: string; name: string; limit: string; received: number; immediate: number; accepted: number; supplement_notices: number; refused: number
  completed: number; completed_on_time: number; overdue: number; extensions: number; working_days: number
  ratings: number; satisfied: number; bad_ratings: number
}
export interface MonthlyReport {
  centre: string; period: { from: string; to: string }; items: ItemFigures[]; total: ItemFigures
  centre_figures: { inquiries: number; inquiries_closed: number; inquiries_on_time: number; complaints: number; complaints_answered: number; complaints_on_time: number }
  /** The rating screen's ratings per window and per clerk who served. */
  by_staff: { window: string; clerk: string; name: string; ratings: number; levels: number[]; bad: number }[]
}
export const ratingLevels = ['非常满意', '满意', '基本满意', '不满意', '非常不满意'] as const

/** Per cent with one decimal, or a dash without a base. */
export function percent(n: number, of: number): string {
  return of > 0 ? `${(Math.round((n * 1000) / of) / 10).toFixed(1)}%` : '—'
}

/** Average working days to completion, or a dash. */
export function averageDays(f: ItemFigures): string {
  return f.completed > 0 ? (Math.round((f.working_days * 10) / f.completed) / 10).toFixed(1) : '—'
}

export const decisionLabel: Record<Decision, string> = {
  immediate: '即办件，当场办结',
  accepted: '材料齐全，予以受理',
  supplement: '材料不全，一次性告知补正',
  refused: '不予受理',
  tolerated: '主要材料齐全，容缺受理',
}

/** Turns whatever a command threw into an ApiError. */
export function asApiError(e: unknown): ApiError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) return e as ApiError
  return { code: 'internal', message: String(e) }
}

/** Set when the store refused an act because the PC's clock went back: the window asks the head. */
export const clockAlarm = ref<string | null>(null)
/** Set when the window locked itself (idle): the sign-in screen says why. */
export const lockedOut = ref<string | null>(null)

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args)
  } catch (e) {
    const err = asApiError(e)
    if (err.code === 'clock.behind') clockAlarm.value = err.message
    if (err.code === 'auth.idle') lockedOut.value = err.message
    throw err
  }
}

/** What the rating screen (评价器) facing the applicant shows. */
export interface Screen {
  mode: 'closed' | 'idle' | 'serving' | 'rate'
  centre: string; window: string; clerk_name: string | null; clerk_id: string | null; item: string | null
  rate: {
    service_event: string; case_number: string; service: string; item_name: string; applicant_name: string
    id_masked: string; documents: { title: string; number: string }[]; due_date: string | null
  } | null
  levels: { code: string; label: string; bad: boolean }[]
  reasons: string[]
}

/** A card as the reader gave it: the name exactly as on the card. */
export interface CardRead {
  kind: string; name: string | null; english_name: string | null; sex: '男' | '女'; birth: string
  address: string | null; id_number: string; valid_to: string | null
}

/**
 * A keyboard-emulation card reader types its fields (separated by tabs, `|` or commas) and
 * Enter into whatever has focus, at machine speed. A burst is keys each under `gapMs` after
 * the one before; a burst that ends with Enter after at least 18 keys, with a separator and a
 * long run of digits, is the reader's: the field it typed into gets back what it held, and
 * `onBurst` gets the text. A person's typing (slower), an ID number typed alone, and Tab
 * outside a burst are left alone.
 */
export function cardBurst(onBurst: (text: string, field: HTMLInputElement | null) => void, gapMs = 100, clock: () => number = () => Date.now()) {
  let buf = ''
  let last = -Infinity
  let field: HTMLInputElement | null = null
  let before = ''
  return (e: KeyboardEvent) => {
    const now = clock()
    const fast = now - last < gapMs
    last = now
    if (!fast) {
      // A pause: whatever came before was a person's; a new burst may start with this key.
      buf = ''
      field = e.target && (e.target as HTMLElement).tagName === 'INPUT' ? (e.target as HTMLInputElement) : null
      before = field?.value ?? ''
    }
    if (e.key === 'Enter') {
      const text = buf
      buf = ''
      if (fast && text.length >= 18 && /[|\t,，]/.test(text) && /\d{15}/.test(text)) {
        e.preventDefault()
        e.stopPropagation()
        if (field) {
          field.value = before
          field.dispatchEvent(new Event('input'))
        }
        onBurst(text, field)
      }
      return
    }
    if (e.key === 'Tab') {
      // Only inside a burst already under way: a person's Tab moves on as always.
      if (fast && buf.length >= 3) {
        buf += '\t'
        e.preventDefault()
      }
      return
    }
    if ([...e.key].length === 1) buf += e.key
  }
}

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  /** The card on the reader, read through the vendor library (in a helper process). */
  readCard: () => call<CardRead>('read_card'),
  /** What a keyboard-emulation reader typed, parsed by the rules. */
  typedCard: (text: string) => call<CardRead>('typed_card', { text }),
  /** The rating screen's own commands (its window only). */
  applicantScreen: () => call<Screen>('applicant_screen'),
  applicantRate: (serviceEvent: string, rating: string, reasons: string[]) => call<null>('applicant_rate', { serviceEvent, rating, reasons }),
  /** The item the clerk is taking in, for the rating screen; null when the form is cleared. */
  screenItem: (code: string | null) => call<null>('screen_item', { code }),
  signIn: (staffId: string, pin: string) => call<Staff>('sign_in', { staffId, pin }),
  todayBoard: () => call<Board>('today_board'),
  answerSupervision: (id: string, answer: string) => call<null>('answer_supervision', { id, answer }),
  confirmClock: (headId: string, headPin: string) => call<null>('confirm_clock', { headId, headPin }),
  verifyDocument: (qr: string) => call<Verified>('verify_document', { qr }),
  searchItems: (query: string) => call<Item[]>('search_items', { query }),
  itemDetail: (code: string) => call<Item>('item_detail', { code }),
  checkId: (value: string) => call<IdCheck>('check_id', { value }),
  previewIntake: (form: IntakeForm) => call<Preview>('preview_intake', { form }),
  submitIntake: (form: IntakeForm) => call<Outcome>('submit_intake', { form }),
  /** The application being typed, kept in the centre's database across a restart (null: none). */
  keepIntakeDraft: (body: string | null) => call<void>('keep_intake_draft', { body }),
  intakeDraft: () => call<string | null>('intake_draft'),
  findCases: (query: string, status = '') => call<CaseRow[]>('find_cases', { query, status: status || null }),
  caseDetail: (number: string) => call<CaseDetail>('case_detail', { number }),
  // The acting staff member is the signed-in session: no command takes it from the page.
  supplementCase: (number: string, materials: MaterialInput[]) => call<Outcome>('supplement_case', { number, materials }),
  extendCase: (number: string, days: number, reason: string, approver: string, approverPin: string) =>
    call<CaseDetail>('extend_case', { number, days, reason, approver, approverPin }),
  decideCase: (number: string, approved: boolean, reason: string) => call<CaseDetail>('decide_case', { number, approved, reason }),
  readyCase: (number: string) => call<CaseDetail>('ready_case', { number }),
  withdrawSmsConsent: (number: string) => call<CaseDetail>('withdraw_sms_consent', { number }),
  collectCase: (number: string, by: string, idNumber: string, attorney: boolean) =>
    call<CaseDetail>('collect_case', { number, by, idNumber, attorney }),
  terminateCase: (number: string, reason: string, approver: string, approverPin: string) =>
    call<CaseDetail>('terminate_case', { number, reason, approver, approverPin }),
  registerInquiry: (form: InquiryForm) => call<Inquiry>('register_inquiry', { form }),
  listInquiries: (openOnly: boolean) => call<Inquiry[]>('list_inquiries', { openOnly }),
  replyInquiry: (id: string, result: string) => call<Inquiry>('reply_inquiry', { id, result }),
  signOut: () => call<void>('sign_out'),
  listStaff: () => call<StaffRow[]>('list_staff'),
  addStaff: (form: NewStaff) => call<StaffRow>('add_staff', { form }),
  changeStaff: (id: string, role: 'clerk' | 'head', active: boolean) => call<StaffRow>('change_staff', { id, role, active }),
  resetPin: (id: string, pin: string) => call<void>('reset_pin', { id, pin }),
  changeMyPin: (old: string, next: string) => call<void>('change_my_pin', { old, new: next }),
  setupStatus: () => call<SetupStatus>('setup_status'),
  setupCentre: (form: SetupForm) => call<AppInfo>('setup_centre', { form }),
  setupDemo: () => call<AppInfo>('setup_demo'),
  findApplicants: (query: string) => call<ApplicantHit[]>('find_applicants', { query }),
  pickApplicant: (pick: number) => call<PickedApplicant>('pick_applicant', { pick }),
  printDocument: (number: string, slip = false) => call<Printed>('print_document', { number, slip }),
  reprintDocument: (number: string) => call<Printed>('reprint_document', { number }),
  voidDocument: (number: string, reason: string, approver: string, approverPin: string) =>
    call<void>('void_document', { number, reason, approver, approverPin }),
  forwardCase: (number: string, to: string, reason: string) => call<CaseDetail>('forward_case', { number, to, reason }),
  withdrawCase: (number: string, reason: string) => call<CaseDetail>('withdraw_case', { number, reason }),
  pauseCase: (number: string, kind: string, days: number, reason: string) => call<CaseDetail>('pause_case', { number, kind, days, reason }),
  resumeCase: (number: string) => call<CaseDetail>('resume_case', { number }),
  settings: () => call<Settings>('settings'),
  saveSettings: (form: SettingsForm) => call<Settings>('save_settings', { form }),
  listPrinters: () => call<PrinterInfo[]>('list_printers'),
  printTestPage: (printer: string, slip = false) => call<Printed>('print_test_page', { printer, slip }),
  backupNow: (onProgress: (p: Progress) => void) => {
    const progress = new Channel<Progress>()
    progress.onmessage = onProgress
    return call<Backup>('backup_now', { progress })
  },
  listBackups: () => call<Backup[]>('list_backups'),
  restoreBackup: (name: string, terminal: string) => call<Restored>('restore_backup', { name, terminal }),
  syncStatus: () => call<SyncStatus>('sync_status'),
  listComplaints: (openOnly: boolean) => call<Complaint[]>('list_complaints', { openOnly }),
  registerComplaint: (form: ComplaintForm) => call<Complaint>('register_complaint', { form }),
  complaintStep: (id: string, step: 'note' | 'answer' | 'close', text = '', via = '') => call<Complaint>('complaint_step', { id, step, text, via }),
  returnVisits: (finished = false) => call<Visit[]>('return_visits', { finished }),
  rateCase: (number: string, rating: string, comment: string, channel: 'window' | 'visit' | 'phone') => call<Visit>('rate_case', { number, rating, comment, channel }),
  rectify: (number: string, callback: string, outcome: string) => call<Visit>('rectify', { number, callback, outcome }),
  dutyToday: () => call<Duty[]>('duty_today'),
  setPost: (code: string, name: string, a: string, b: string) => call<Duty[]>('set_post', { code, name, a, b }),
  recordAbsence: (staff: string, from: string, to: string, reason: string) => call<Duty[]>('record_absence', { staff, from, to, reason }),
  monthlyReport: (month: string) => call<MonthlyReport>('monthly_report', { month }),
  exportReport: (month: string, format: 'xlsx' | 'pdf') => call<string>('export_report', { month, format }),
  enrolTerminal: (hq: string, code: string) => call<SyncStatus>('enrol_terminal', { hq, code }),
  syncNow: (onProgress: (p: Progress) => void) => {
    const progress = new Channel<Progress>()
    progress.onmessage = onProgress
    return call<SyncDone>('sync_now', { progress })
  },
  addWindow: (url: string) => call<SyncStatus>('add_window', { url }),
  transferFolders: () => call<TransferFolder[]>('transfer_folders'),
  exportFile: (kind: 'day' | 'pending' | 'peers', folder: string, to: string) => call<Exported>('export_file', { kind, folder, to }),
  importFile: (path: string) => call<{ message: string }>('import_file', { path }),
}

/** What a sync round did, in one line: HQ's part, then each window on the LAN. */
export function syncMessage(r: SyncDone): string {
  const parts: string[] = []
  if (r.enrolled && !r.hq_error) {
    parts.push(`县级：新送${r.sent}条${r.repeated ? `，重复${r.repeated}条` : ''}${r.rejected ? `，被拒收${r.rejected}条` : ''}${r.relayed ? `，转来本中心其他窗口的记录${r.relayed}条` : ''}${r.applied.length ? `，已采用县级下发的${r.applied.join('、')}` : ''}${r.relay_refused.length ? `，未采用：${r.relay_refused.join('；')}` : ''}`)
  } else if (r.hq_error) {
    parts.push(`县级未同步：${r.hq_error}`)
  }
  for (const l of r.lan) parts.push(l.error ? `${l.terminal}号窗口未同步：${l.error}` : `${l.terminal}号窗口：新收${l.new}条`)
  return parts.length ? `同步完成。${parts.join('；')}` : '同步完成'
}

/** The header's one-line sync state. */
export function syncLabel(s: SyncStatus | null): { text: string; type: 'success' | 'warning' | 'danger' | 'info' } {
  if (!s) return { text: '同步状态未知', type: 'info' }
  if (!s.enrolled) return { text: `未在县级登记 · 待上传${s.pending}条`, type: 'info' }
  if (s.rejections.length) return { text: `县级拒收${s.rejections.length}条 · 待上传${s.pending}条`, type: 'danger' }
  if (s.pending > 0) return { text: `待上传${s.pending}条`, type: 'warning' }
  return { text: `已同步${s.last_ack_at ? `（${s.last_ack_at.slice(5)}）` : ''}`, type: 'success' }
}

/** Prints each document in turn; one failure does not stop the rest. */
/**
 * One line of a print result: `ok` when the document went to a printer, `warn` when it was
 * only opened in the viewer or kept as a file (not printed: never shown as a success), `bad`
 * when printing failed.
 */
export interface PrintLine { number: string; state: 'ok' | 'warn' | 'bad'; message: string }

export function printLine(number: string, p: Printed): PrintLine {
  return { number, state: p.status === 'queued' ? 'ok' : 'warn', message: p.message }
}

export async function printAll(numbers: string[]): Promise<PrintLine[]> {
  const out: PrintLine[] = []
  for (const number of numbers) {
    try {
      out.push(printLine(number, await api.printDocument(number)))
    } catch (e) {
      out.push({ number, state: 'bad', message: asApiError(e).message })
    }
  }
  return out
}

/** Prints again what did not reach a printer; the lines that did stay as they were. */
export async function printAgain(lines: PrintLine[]): Promise<PrintLine[]> {
  const again = await printAll(lines.filter((p) => p.state !== 'ok').map((p) => p.number))
  return lines.map((p) => again.find((a) => a.number === p.number) ?? p)
}

/** What a printer box says when it is left empty: the truth about the system's printers. */
export function printerPlaceholder(printers: PrinterInfo[]): string {
  const d = printers.find((p) => p.is_default)
  if (d) return `系统默认打印机（${d.name}）`
  if (printers.length) return '系统没有默认打印机：请选择一台'
  return '没有可用的打印机：文书将用PDF查看器打开'
}

/**
 * What the applicant box means as the clerk types: a full ID number to check, a short key
 * (4 to 17 characters: the tail of an ID number or a phone, or a name) to look a returning
 * applicant up by, or nothing yet.
 */
export function applicantKey(raw: string): { kind: 'id'; value: string } | { kind: 'lookup'; value: string } | { kind: 'none' } {
  const v = raw.trim().toUpperCase()
  if (v.length === 18 && /^\d{17}[\dX]$/.test(v)) return { kind: 'id', value: v }
  if (/^[\dX]{4,17}$/.test(v)) return { kind: 'lookup', value: v }
  if (/^[\u3400-\u9fff·]{2,}$/.test(v)) return { kind: 'lookup', value: v }
  return { kind: 'none' }
}

/** The settings form as the command takes it, from the stored settings. */
export function settingsForm(s: Settings): SettingsForm {
  return {
    warningDays: s.warning_days, stubCopies: s.stub_copies, phone: s.phone, address: s.address,
    printer: s.printer, slipPrinter: s.slip_printer, slipEncoding: s.slip_encoding || 'gb18030',
    hqPublicKey: s.hq_public_key, peerListen: s.peer_listen, hqCa: s.hq_ca,
    idleLockMinutes: s.idle_lock_minutes || 5, barBrokenCommitments: !!s.bar_broken_commitments,
    ratingScreen: !!s.rating_screen, cardReaderLib: s.card_reader_lib ?? '', cardReaderPort: s.card_reader_port ?? 0,
  }
}

/** Checks the first-start form before it is sent; the messages are the clerk's. */
export function setupProblems(f: SetupForm): string[] {
  const out: string[] = []
  if (!/^[1-9]\d{8}$/.test(f.centreCode.trim())) out.push('中心代码应为9位乡镇级区划代码')
  if (!f.centreName.trim()) out.push('请填写中心名称')
  if (!/^\d{1,2}$/.test(f.terminal.trim()) || Number(f.terminal) < 1) out.push('终端号应为01到99')
  if (!f.headId.trim() || !f.headName.trim()) out.push('请填写负责人的工号和姓名')
  if (!/^\d{6,12}$/.test(f.headPin.trim())) out.push('负责人的密码应为6到12位数字')
  if (f.clerkId.trim() && !/^\d{6,12}$/.test(f.clerkPin.trim())) out.push('窗口工作人员的密码应为6到12位数字')
  return out
}

/** A keyboard-wedge scan of a receipt's QR or barcode: 24 digits. */
export function isCaseNumber(s: string): boolean {
  return /^\d{24}$/.test(s.trim())
}

/** The form's materials as the rules take them: only those ticked as received. */
export function intakeMaterials(rows: { code: string; received: boolean; pages: number; copies: number; defect: string }[]): MaterialInput[] {
  return rows
    .filter((r) => r.received)
    .map((r) => ({ code: r.code, pages: Math.max(1, r.pages), copies: Math.max(1, r.copies), defect: r.defect.trim() || undefined }))
}
