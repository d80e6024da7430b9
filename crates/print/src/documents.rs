//! Composing each kind of document from its frozen body, in the plain look of an official
//! form: the centre's name, a bold title, the number, the addressee, the text, a ruled table,
//! the handler and the date (GB/T 9704: Arabic numerals, “2026年11月23日”).

use chrono::NaiveDate;
use yichuang_core::DocKind;
use yichuang_store::{DocMaterial, DocumentBody, DocumentRecord};

use crate::layout::{Align, Column, Composer, Page, PageSpec, PT};

/// A4 form or 80 mm slip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    A4,
    Slip,
}

impl Layout {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "a4" | "A4" => Some(Self::A4),
            "slip" | "80mm" => Some(Self::Slip),
            _ => None,
        }
    }
}

/// Which copy of a two-part form this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copy {
    Only,
    Applicant,
    Stub,
}

impl Copy {
    /// The copy's name. A handover slip goes to the receiving department; the centre keeps
    /// the other.
    fn label(self, kind: DocKind) -> Option<&'static str> {
        match (self, kind) {
            (Self::Only, _) => None,
            (Self::Applicant, DocKind::InquirySlip) => Some("接收部门联"),
            (Self::Stub, DocKind::InquirySlip) => Some("移交方存根联"),
            // The applicant signs both; the centre files the stub.
            (Self::Applicant, DocKind::Commitment) => Some("申请人留存联"),
            (Self::Stub, DocKind::Commitment) => Some("中心存档联"),
            (Self::Applicant, _) => Some("申请人联"),
            (Self::Stub, _) => Some("存根联"),
        }
    }
}

pub fn chinese_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(chinese_date).unwrap_or_default()
}

/// What the document is addressed to: “李秀英（110105********002X）：”.
fn addressee(b: &DocumentBody) -> String {
    if b.kind == DocKind::Commitment.as_str() {
        // The applicant writes to the centre.
        return format!("{}：", b.centre_name);
    }
    match (&b.applicant_name, &b.applicant_id_masked) {
        (Some(n), Some(id)) => format!("{n}（{}：{id}）：", id_label(id)),
        (Some(n), None) => format!("{n}："),
        _ => "申请人：".to_owned(),
    }
}

/// A person's number is masked on paper; an organisation's credit code is public and whole.
fn is_person(id: &str) -> bool {
    id.contains('*')
}

fn id_label(id: &str) -> &'static str {
    if is_person(id) {
        "身份证号码"
    } else {
        "统一社会信用代码"
    }
}

fn item_name(b: &DocumentBody) -> String {
    b.item_name.clone().unwrap_or_default()
}

/// Who took the result, as the hand-over slip states it: the ID masked, never whole.
fn handover_rows(b: &DocumentBody) -> Vec<(&'static str, String)> {
    let who = b.collector.clone().unwrap_or_default();
    let name = if who.role.is_empty() { who.name } else { format!("{}（{}）", who.name, who.role) };
    vec![
        ("领取人", name),
        ("证件号码", if who.id_masked.is_empty() { "未核验证件".to_owned() } else { who.id_masked }),
        ("领取日期", date_text(b.issued_on)),
    ]
}

/// The sentences that make up the body text of each kind.
fn opening(b: &DocumentBody, kind: DocKind) -> String {
    let item = item_name(b);
    let received = date_text(b.received_on);
    match kind {
        DocKind::Notice => format!("您咨询办理的“{item}”事项，现将其办理依据、受理条件、所需全部材料、办理程序和承诺时限一次性告知如下："),
        DocKind::Receipt => format!("您于{received}提交的“{item}”申请材料，经审查，本中心决定予以受理。现将收取的材料和承诺办结日期告知如下："),
        DocKind::Supplement => format!("您于{received}申请办理的“{item}”，经审查，申请材料不齐全或者不符合法定形式。依据《中华人民共和国行政许可法》第三十二条，现一次性告知您需要补正的全部材料如下："),
        DocKind::Refusal => format!("您于{received}申请办理的“{item}”，经审查，本中心决定不予受理，理由如下："),
        DocKind::Extension => format!(
            "您于{received}申请办理的“{item}”，因{}，经中心负责人{}批准，办理期限延长{}个工作日，承诺于{}前办结。特此告知。",
            b.reasons.first().cloned().unwrap_or_default(),
            b.approver.clone().unwrap_or_default(),
            b.extension_days.unwrap_or(0),
            date_text(b.due_date)
        ),
        DocKind::Completion => format!("您于{received}申请办理的“{item}”，材料齐全，符合办理条件，已当场办结。"),
        DocKind::Collection => format!("您申请办理的“{item}”已办理完毕，请携带本人身份证件和受理通知书，到本中心窗口领取办理结果。"),
        DocKind::Handover => format!("您于{received}申请办理的“{item}”已办理完毕，办理结果已在本中心窗口当面交付。领取情况如下："),
        DocKind::InquirySlip => "现将来询事项登记并移交如下，请接收部门按时限答复来询人：".to_owned(),
        DocKind::Tolerance => format!("您于{received}申请办理的“{item}”，经审查，主要申请材料齐全，下列材料暂缺或者不符合要求，属于本事项可容缺的材料。根据您签署的容缺受理承诺书，本中心决定予以容缺受理，办理时限自受理之日起计算。现将需要补交的材料和补交期限告知如下："),
        DocKind::Commitment => {
            let id = b.applicant_id_masked.clone().unwrap_or_default();
            let who = if is_person(&id) { "本人" } else { "本单位" };
            let agent = b.agent_name.as_ref().map(|a| format!("，委托{a}代为办理")).unwrap_or_default();
            format!(
                "{who}{}（{}：{id}）申请办理“{item}”{agent}，主要申请材料已经齐全，下列材料暂缺或者不符合要求，申请容缺受理。{who}郑重承诺：",
                b.applicant_name.clone().unwrap_or_default(),
                id_label(&id),
            )
        }
        DocKind::Termination => format!(
            "您于{received}申请办理的“{item}”，本中心已予容缺受理，您承诺于{}前补交下列材料，期限届满仍未补交。经中心负责人{}批准，本中心决定终止办理，理由如下：",
            date_text(b.owed_by),
            b.approver.clone().unwrap_or_default()
        ),
    }
}

fn material_rows(kind: DocKind, materials: &[DocMaterial]) -> (Vec<Column>, Vec<Vec<String>>) {
    let n = |i: usize| (i + 1).to_string();
    match kind {
        DocKind::Notice => (
            vec![
                Column::new("序号", 11.0, Align::Center),
                Column::new("材料名称", 54.0, Align::Left),
                Column::new("形式", 26.0, Align::Center),
                Column::new("份数", 11.0, Align::Center),
                Column::new("要求", 30.0, Align::Left),
                Column::new("备注", 36.0, Align::Left),
            ],
            materials
                .iter()
                .enumerate()
                .map(|(i, m)| vec![n(i), m.name.clone(), m.form.clone(), m.copies_required.to_string(), m.requirement.clone(), m.notes.clone()])
                .collect(),
        ),
        DocKind::Supplement | DocKind::Tolerance | DocKind::Commitment | DocKind::Termination => (
            vec![
                Column::new("序号", 11.0, Align::Center),
                Column::new("材料名称", 58.0, Align::Left),
                Column::new("形式", 26.0, Align::Center),
                Column::new("份数", 11.0, Align::Center),
                Column::new(if kind == DocKind::Supplement { "问题及补正要求" } else { "暂缺或不符合要求的情况" }, 62.0, Align::Left),
            ],
            materials
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let problem = m.problem.clone().unwrap_or_default();
                    let ask = if m.notes.is_empty() { problem } else { format!("{problem}（{}）", m.notes) };
                    vec![n(i), m.name.clone(), m.form.clone(), m.copies_required.to_string(), ask]
                })
                .collect(),
        ),
        _ => (
            vec![
                Column::new("序号", 11.0, Align::Center),
                Column::new("材料名称", 83.0, Align::Left),
                Column::new("形式", 28.0, Align::Center),
                Column::new("页数", 23.0, Align::Center),
                Column::new("份数", 23.0, Align::Center),
            ],
            materials
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    vec![
                        n(i),
                        m.name.clone(),
                        m.form.clone(),
                        m.pages.map(|p| p.to_string()).unwrap_or_default(),
                        m.copies.map(|c| c.to_string()).unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
    }
}

/// An unsigned QR text (document and case number), for previews; printed documents carry the
/// store's signed one.
pub fn qr_text(record: &DocumentRecord) -> String {
    let ascii = yichuang_core::DocumentNumber::parse(&record.number).map(|n| n.ascii()).unwrap_or_else(|_| record.number.clone());
    format!("YC1|{}|{}", ascii, record.case_number.clone().unwrap_or_default())
}

/// Composes one copy of a document on A4.
fn a4(record: &DocumentRecord, copy: Copy, qr: &str, measure: &dyn Fn(char) -> f32) -> Vec<Page> {
    let b = &record.body;
    let kind = record.kind;
    let spec = PageSpec::A4;
    let mut c = Composer::new(spec, measure);
    let (small, body, title) = (10.5_f32, 12.0_f32, 22.0_f32);
    let left = spec.left;
    let right = spec.width - spec.right;
    let qr_size = 24.0;
    c.qr(right - qr_size, spec.top - 6.0, qr_size, qr);
    if let Some(label) = copy.label(kind) {
        c.text_at(left, spec.top, small, &format!("【{label}】"), true);
    }
    c.gap(4.0);
    c.para(&b.centre_name, 14.0, false, Align::Center, 0.0);
    c.gap(1.0);
    c.para(&b.title, title, true, Align::Center, 0.0);
    if record.reprints > 0 {
        let w = c.width_of(&b.title, title);
        let x = (spec.width + w) / 2.0 + 3.0;
        let y = c.y - Composer::line_height(title) * 0.55;
        c.text_at(x, y, small, "（补打）", true);
    }
    c.gap(2.0);
    c.para(&b.number, small, false, Align::Center, 0.0);
    if let Some(case) = &b.case_number {
        c.para(&format!("办件编号：{case}"), small, false, Align::Center, 0.0);
    }
    c.gap(1.5);
    c.rule(left, c.y, right, c.y, 0.6);
    c.gap(4.0);
    let title_line = format!("{}  {}（续）", b.title, b.number);
    c.set_continuation(move |c: &mut Composer<'_>| {
        c.para(&title_line, 9.0, false, Align::Right, 0.0);
        c.gap(2.0);
    });
    if let (Some(reason), Some(at)) = (&record.void_reason, &record.voided_at) {
        c.para(&format!("【作废】本文书已于{}作废，原因：{reason}。", &at[..10.min(at.len())]), body, true, Align::Left, 0.0);
        c.gap(2.0);
    }

    if kind == DocKind::InquirySlip {
        let q = b.inquiry.clone().unwrap_or_default();
        c.para(&opening(b, kind), body, false, Align::Left, 2.0);
        c.gap(2.0);
        c.fields(
            &[
                ("登记号", q.id.clone()),
                ("来询时间", q.received_at.get(..16).unwrap_or(&q.received_at).replace('T', " ")),
                ("来询方式", q.channel.clone()),
                ("来询人", q.person_name.clone()),
                ("单位", q.unit.clone().unwrap_or_default()),
                ("联系电话", q.phone.clone().unwrap_or_default()),
                ("来询事项", q.matter.clone()),
                ("处理方式", q.disposition.clone()),
                ("移交部门", q.handed_to.clone().unwrap_or_default()),
                ("移交时限", date_text(q.handover_due)),
                ("答复时限", date_text(q.reply_due)),
                ("首问责任人", b.handler_name.clone()),
            ],
            body,
            28.0,
        );
        c.gap(8.0);
        c.ensure(20.0);
        c.text_at(left, c.y, body, "移交人（签字）：", false);
        c.text_at(left + 85.0, c.y, body, "接收人（签字）：", false);
        c.gap(8.0);
        c.text_at(left, c.y, body, "移交时间：", false);
        c.text_at(left + 85.0, c.y, body, "接收时间：", false);
        c.gap(6.0);
        for note in &b.notes {
            c.para(note, body, false, Align::Left, 2.0);
        }
    } else {
        c.para(&addressee(b), body, false, Align::Left, 0.0);
        c.para(&opening(b, kind), body, false, Align::Left, 2.0);
        c.gap(2.0);
        if kind == DocKind::Notice {
            if let Some(g) = &b.guide {
                let limit = match &g.statutory_limit_text {
                    Some(s) => format!("{}（法定时限{s}）", g.limit_text),
                    None => g.limit_text.clone(),
                };
                c.fields(
                    &[
                        ("事项名称", item_name(b)),
                        ("事项类型", b.item_kind.clone().unwrap_or_default()),
                        ("实施部门", g.department.clone()),
                        ("设定依据", g.legal_basis.clone()),
                        ("受理条件", g.conditions.clone()),
                        ("承诺时限", limit),
                        ("收费标准", g.fees.clone()),
                        ("办理结果", g.result.clone()),
                        ("办理地点", g.location.clone()),
                    ],
                    body,
                    26.0,
                );
                c.gap(2.0);
                c.heading("一、申请材料", body);
            }
        }
        if matches!(kind, DocKind::Refusal | DocKind::Termination) {
            for (i, r) in b.reasons.iter().enumerate() {
                c.para(&format!("{}. {r}", i + 1), body, false, Align::Left, 2.0);
            }
        }
        if kind == DocKind::Termination && !b.materials.is_empty() {
            c.para("尚欠材料：", body, true, Align::Left, 0.0);
        }
        if !b.materials.is_empty() && kind != DocKind::Extension {
            let (cols, rows) = material_rows(kind, &b.materials);
            c.table(&cols, &rows, small);
            c.gap(3.0);
        }
        if kind == DocKind::Notice {
            if let Some(g) = &b.guide {
                c.heading("二、办理程序", body);
                for (i, step) in g.procedure.iter().enumerate() {
                    c.para(&format!("{}. {step}", i + 1), body, false, Align::Left, 2.0);
                }
                c.gap(2.0);
                c.heading("三、咨询与投诉", body);
                c.para(&format!("咨询电话：{}；投诉电话：{}。", g.consult_phone, g.complaint_phone), body, false, Align::Left, 2.0);
                c.gap(2.0);
            }
        }
        if matches!(kind, DocKind::Receipt | DocKind::Extension | DocKind::Completion | DocKind::Collection | DocKind::Tolerance | DocKind::Handover) {
            let mut rows = if kind == DocKind::Handover { handover_rows(b) } else { vec![] };
            if kind != DocKind::Collection {
                rows.push(("受理日期", date_text(b.accepted_on.or(b.received_on))));
            }
            if kind == DocKind::Tolerance {
                rows.push(("补交期限", format!("{}前（含当日）", date_text(b.owed_by))));
            }
            if matches!(kind, DocKind::Receipt | DocKind::Extension | DocKind::Tolerance) {
                rows.push(("承诺时限", b.limit_text.clone().unwrap_or_default()));
                let due = date_text(b.due_date);
                rows.push(("承诺办结日期", if b.due_provisional { format!("{due}（暂按周末计算）") } else { due }));
                rows.push(("领取方式", "请凭本通知书到本中心窗口领取办理结果，本中心也将电话通知".to_owned()));
            }
            if b.agent_name.is_some() {
                rows.push(("代办人", b.agent_name.clone().unwrap_or_default()));
            }
            rows.push(("咨询电话", b.centre_phone.clone()));
            rows.push(("投诉电话", "12345".to_owned()));
            c.fields(&rows, body, 30.0);
            c.gap(2.0);
        }
        for note in &b.notes {
            c.para(note, body, false, Align::Left, 2.0);
        }
        if kind == DocKind::Commitment {
            let person = b.applicant_id_masked.as_deref().is_none_or(is_person);
            c.gap(6.0);
            c.ensure(28.0);
            c.text_at(left, c.y, body, if person { "承诺人（签名或按手印）：" } else { "承诺单位（盖章）：" }, false);
            c.text_at(left + 100.0, c.y, body, "日期：", false);
            c.gap(8.0);
            if b.agent_name.is_some() {
                c.text_at(left, c.y, body, "代办人（签名）：", false);
                c.gap(8.0);
            }
            c.text_at(left, c.y, body, "联系电话：", false);
            c.gap(4.0);
        }
        if kind == DocKind::Collection {
            c.gap(6.0);
            c.ensure(10.0);
            c.text_at(left, c.y, body, "领取人（签字）：", false);
            c.text_at(left + 85.0, c.y, body, "领取日期：", false);
            c.gap(4.0);
        }
        if kind == DocKind::Handover {
            c.gap(6.0);
            c.ensure(10.0);
            c.text_at(left, c.y, body, "领取人（签字或按手印）：", false);
            c.text_at(left + 100.0, c.y, body, "日期：", false);
            c.gap(4.0);
        }
        if !b.centre_address.is_empty() && matches!(kind, DocKind::Supplement | DocKind::Receipt) {
            c.para(&format!("办理地点：{}", b.centre_address), body, false, Align::Left, 2.0);
        }
        // Every notice says whom to call: those with a field block say it there, the one-time
        // notice in its section 三.
        let has_fields = matches!(kind, DocKind::Receipt | DocKind::Extension | DocKind::Completion | DocKind::Collection | DocKind::Tolerance | DocKind::Handover);
        if !has_fields && kind != DocKind::Notice && !b.centre_phone.is_empty() {
            c.para(&format!("咨询电话：{}；投诉电话：12345。", b.centre_phone), body, false, Align::Left, 2.0);
        }
        // The stub the centre files carries the applicant's signature that the copy was received.
        let signed_elsewhere = matches!(kind, DocKind::Commitment | DocKind::Collection | DocKind::Handover | DocKind::InquirySlip);
        if copy == Copy::Stub && !signed_elsewhere {
            c.gap(4.0);
            c.ensure(10.0);
            c.text_at(left, c.y, body, "申请人（代办人）签收：", false);
            c.text_at(left + 100.0, c.y, body, "签收日期：", false);
            c.gap(4.0);
        }
    }

    // Signature block: handler on the left, the centre and the date on the right (the seal goes there).
    c.gap(8.0);
    c.ensure(Composer::line_height(body) * 3.0);
    let who = if kind == DocKind::Notice { "告知人" } else { "经办人" };
    let y = c.y + body * PT;
    c.text_at(left, y, body, &format!("{who}：{}", b.handler_name), false);
    let seal = format!("{}（盖章）", b.centre_name);
    let w = c.width_of(&seal, body);
    c.text_at(right - w, y, body, &seal, false);
    c.gap(Composer::line_height(body));
    let date = date_text(b.issued_on);
    let w = c.width_of(&date, body);
    c.text_at(right - w, c.y + body * PT, body, &date, false);
    c.gap(Composer::line_height(body) * 1.5);
    if kind == DocKind::Notice {
        if let Some(v) = &b.catalogue_version {
            c.para(&format!("本告知单依据服务事项目录{v}版出具，请妥善保存。"), 9.0, false, Align::Left, 0.0);
        }
    }
    c.finish(9.0)
}

/// Composes one copy on an 80 mm slip: the same facts, one column.
fn slip(record: &DocumentRecord, copy: Copy, qr: &str, measure: &dyn Fn(char) -> f32) -> Vec<Page> {
    let b = &record.body;
    let kind = record.kind;
    let spec = PageSpec::SLIP;
    let mut c = Composer::new(spec, measure);
    let (small, text) = (8.0_f32, 8.5_f32);
    c.para(&b.centre_name, 9.0, false, Align::Center, 0.0);
    let title = if record.reprints > 0 { format!("{}（补打）", b.title) } else { b.title.clone() };
    c.para(&title, 12.0, true, Align::Center, 0.0);
    if let Some(label) = copy.label(kind) {
        c.para(&format!("【{label}】"), small, true, Align::Center, 0.0);
    }
    c.para(&b.number, small, false, Align::Center, 0.0);
    c.gap(1.0);
    c.rule(spec.left, c.y, spec.width - spec.right, c.y, 0.3);
    c.gap(1.5);
    if let Some(reason) = &record.void_reason {
        c.para(&format!("【作废】{reason}"), text, true, Align::Left, 0.0);
    }
    let mut rows: Vec<(&str, String)> = vec![];
    if let Some(case) = &b.case_number {
        rows.push(("办件编号", case.clone()));
    }
    if let Some(n) = &b.applicant_name {
        rows.push(("申请人", n.clone()));
    }
    if let Some(id) = &b.applicant_id_masked {
        rows.push(("证件号码", id.clone()));
    }
    if b.item_name.is_some() {
        rows.push(("事项", item_name(b)));
    }
    if let Some(q) = &b.inquiry {
        rows.push(("来询事项", q.matter.clone()));
        rows.push(("移交部门", q.handed_to.clone().unwrap_or_default()));
        rows.push(("答复时限", date_text(q.reply_due)));
    }
    if kind == DocKind::Notice {
        rows.push(("承诺时限", b.limit_text.clone().unwrap_or_default()));
        if let Some(g) = &b.guide {
            rows.push(("投诉电话", g.complaint_phone.clone()));
        }
    }
    if matches!(kind, DocKind::Receipt | DocKind::Extension | DocKind::Tolerance) {
        rows.push(("受理日期", date_text(b.accepted_on.or(b.received_on))));
        let due = date_text(b.due_date);
        rows.push(("承诺办结", if b.due_provisional { format!("{due}（暂按周末计算）") } else { due }));
    }
    if matches!(kind, DocKind::Tolerance | DocKind::Commitment | DocKind::Termination) {
        rows.push(("补交期限", date_text(b.owed_by)));
    }
    if kind == DocKind::Handover {
        rows.extend(handover_rows(b));
    }
    c.fields(&rows, text, 17.0);
    c.gap(1.0);
    if kind != DocKind::InquirySlip && kind != DocKind::Notice {
        c.para(&opening(b, kind), text, false, Align::Left, 2.0);
    }
    for r in &b.reasons {
        if matches!(kind, DocKind::Refusal | DocKind::Termination) {
            c.para(&format!("理由：{r}"), text, false, Align::Left, 0.0);
        }
    }
    if !b.materials.is_empty() && kind != DocKind::Extension {
        let heading = match kind {
            DocKind::Supplement => "需补正材料：",
            DocKind::Tolerance | DocKind::Commitment => "需补交材料：",
            DocKind::Termination => "尚欠材料：",
            _ => "材料：",
        };
        c.para(heading, text, true, Align::Left, 0.0);
        for (i, m) in b.materials.iter().enumerate() {
            let detail = match (kind, m.pages, m.copies, &m.problem) {
                (DocKind::Supplement | DocKind::Tolerance | DocKind::Commitment | DocKind::Termination, _, _, Some(p)) => format!("（{p}）"),
                (DocKind::Notice, _, _, _) => format!("（{}{}份，{}）", m.form, m.copies_required, m.requirement),
                (_, Some(p), Some(n), _) => format!("（{p}页{n}份）"),
                _ => String::new(),
            };
            c.para(&format!("{}. {}{detail}", i + 1, m.name), text, false, Align::Left, 0.0);
        }
    }
    for note in &b.notes {
        c.para(note, small, false, Align::Left, 0.0);
    }
    if matches!(kind, DocKind::Collection | DocKind::Handover) {
        c.gap(3.0);
        c.para(if kind == DocKind::Handover { "领取人（签字）：" } else { "领取人签字：" }, text, false, Align::Left, 0.0);
        c.gap(4.0);
    }
    if kind == DocKind::Commitment {
        c.gap(3.0);
        c.para("承诺人（签名或按手印）：", text, false, Align::Left, 0.0);
        c.gap(4.0);
    }
    c.gap(1.0);
    c.rule(spec.left, c.y, spec.width - spec.right, c.y, 0.3);
    c.gap(1.0);
    c.para(&format!("经办人：{}  咨询电话：{}", b.handler_name, b.centre_phone), small, false, Align::Left, 0.0);
    c.para(&date_text(b.issued_on), small, false, Align::Left, 0.0);
    if kind == DocKind::Notice {
        if let Some(v) = &b.catalogue_version {
            c.para(&format!("依据服务事项目录{v}版出具"), small, false, Align::Left, 0.0);
        }
    }
    c.gap(2.0);
    let size = 26.0;
    let y = c.y;
    c.qr((spec.width - size) / 2.0, y, size, qr);
    c.gap(size + 1.0);
    c.finish(small)
}

/// Every page a document prints: on A4, the applicant's copy and the stub (存根联) where the
/// centre keeps stubs; on a slip, one copy (the slip printer cuts; a stub is a second slip).
pub fn compose(record: &DocumentRecord, layout: Layout, stub_copies: bool, qr: &str, measure: &dyn Fn(char) -> f32) -> Vec<Page> {
    let two_part = stub_copies && record.kind != DocKind::Notice;
    let copies: &[Copy] = if two_part { &[Copy::Applicant, Copy::Stub] } else { &[Copy::Only] };
    copies
        .iter()
        .flat_map(|&copy| match layout {
            Layout::A4 => a4(record, copy, qr, measure),
            Layout::Slip => slip(record, copy, qr, measure),
        })
        .collect()
}
