// Typed wrappers over the app's commands. The window never sees SQL; every failure is an
// ApiError with a stable code and a Chinese message to show.
import { invoke } from '@tauri-apps/api/core'

export interface ApiError { code: string; message: string }
export interface Staff { id: string; name: string; role: 'clerk' | 'head' }
export interface AppInfo {
  centre_name: string; centre_code: string; terminal: string; today: string
  calendar_version: string; catalogue_version: string | null; staff: Staff[]
}
export interface Warning { level: 'normal' | 'yellow' | 'red' | 'paused'; days: number }
export interface CaseRow {
  number: string; item_name: string; applicant_name: string; status: string; status_label: string
  due_date: string | null; provisional: boolean; warning: Warning | null
}
export interface Board {
  today: string; overdue: CaseRow[]; due_soon: CaseRow[]; paused: CaseRow[]
  awaiting_supplement: CaseRow[]; ready_for_collection: CaseRow[]; open_inquiries: number
  received: number; completed: number; supplement_notices: number; refused: number
}
export interface Material {
  code: string; name: string; form: string; copies: number; required: boolean
  required_when: string | null; notes: string
}
export interface Item {
  code: string; name: string; initials: string; kind: string; kind_label: string
  limit: string; department: string; materials: Material[]
}
export interface IdCheck { ok: boolean; message: string | null; masked: string | null; returning_name: string | null; returning_phone: string | null }
export interface MaterialInput { code: string; pages: number; copies: number; defect?: string }
export interface IntakeForm {
  item: string; name: string; idNumber: string; phone?: string
  materials: MaterialInput[]; conditions: string[]; refuse?: string; clerk: string
}
export interface Deficiency { code: string; name: string; problem: string; copies?: number }
export interface Preview { decision: Decision; due_date: string | null; provisional: boolean; deficiencies: Deficiency[] }
export interface Outcome extends Preview { case_number: string; documents: { kind: string; title: string; number: string }[] }
export type Decision = 'immediate' | 'accepted' | 'supplement' | 'refused'

export interface CaseDetail {
  number: string; item_name: string; applicant_name: string; id_masked: string
  status: string; status_label: string; due_date: string | null; provisional: boolean; warning: Warning | null
  handler_name: string; deficiencies: Deficiency[]; documents: { kind: string; title: string; number: string }[]
  timeline: { at: string; actor: string; what: string }[]; actions: { key: string; label: string }[]
}

export interface InquiryForm {
  channel: 'visit' | 'phone' | 'letter' | 'online'; person: string; unit?: string; phone?: string; matter: string
  item?: string; disposition: 'answered' | 'notice' | 'handover' | 'pending'; handedTo?: string; result?: string; clerk: string
}
export interface Inquiry {
  id: string; received_at: string; channel: string; person: string; matter: string; disposition: string
  handed_to: string | null; reply_due: string | null; status: string; result: string | null; warning: Warning | null; documents: string[]
}

export const decisionLabel: Record<Decision, string> = {
  immediate: '即办件，当场办结',
  accepted: '材料齐全，予以受理',
  supplement: '材料不全，一次性告知补正',
  refused: '不予受理',
}

/** Turns whatever a command threw into an ApiError. */
export function asApiError(e: unknown): ApiError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) return e as ApiError
  return { code: 'internal', message: String(e) }
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args)
  } catch (e) {
    throw asApiError(e)
  }
}

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  signIn: (staffId: string, pin: string) => call<Staff>('sign_in', { staffId, pin }),
  todayBoard: () => call<Board>('today_board'),
  searchItems: (query: string) => call<Item[]>('search_items', { query }),
  itemDetail: (code: string) => call<Item>('item_detail', { code }),
  checkId: (value: string) => call<IdCheck>('check_id', { value }),
  previewIntake: (form: IntakeForm) => call<Preview>('preview_intake', { form }),
  submitIntake: (form: IntakeForm) => call<Outcome>('submit_intake', { form }),
  findCases: (query: string) => call<CaseRow[]>('find_cases', { query }),
  caseDetail: (number: string) => call<CaseDetail>('case_detail', { number }),
  supplementCase: (number: string, materials: MaterialInput[], clerk: string) => call<Outcome>('supplement_case', { number, materials, clerk }),
  extendCase: (number: string, days: number, reason: string, approver: string, approverPin: string, clerk: string) =>
    call<CaseDetail>('extend_case', { number, days, reason, approver, approverPin, clerk }),
  decideCase: (number: string, approved: boolean, reason: string, clerk: string) => call<CaseDetail>('decide_case', { number, approved, reason, clerk }),
  readyCase: (number: string, clerk: string) => call<CaseDetail>('ready_case', { number, clerk }),
  collectCase: (number: string, by: string, clerk: string) => call<CaseDetail>('collect_case', { number, by, clerk }),
  registerInquiry: (form: InquiryForm) => call<Inquiry>('register_inquiry', { form }),
  listInquiries: (openOnly: boolean) => call<Inquiry[]>('list_inquiries', { openOnly }),
  replyInquiry: (id: string, result: string, clerk: string) => call<Inquiry>('reply_inquiry', { id, result, clerk }),
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
