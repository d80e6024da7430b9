#!/usr/bin/env python3
"""Writes assets/catalogue/demo.json, the demo centre's catalogue.

The items, their legal bases and limits follow the public service guides (办事指南) of
township convenience centres; materials are the ones such guides list. Edit this script,
not the JSON, and run it again: `python3 scripts/gen_demo_catalogue.py`.
"""
import json, os

CONSULT = "0775-7801234"
COMPLAINT = "12345"
LOCATION = "示范镇便民服务中心一楼综合受理窗口"

def m(code, name, form="original_and_copy", copies=1, when=None, optional=False, notes=""):
    d = {"code": code, "name": name, "form": form, "copies": copies, "notes": notes}
    if when:
        d["required_when"] = when
    else:
        d["required"] = not optional
    return d

ID = lambda: m("SFZ", "申请人居民身份证", notes="核验原件，留存复印件")
HKB = lambda: m("HKB", "户口簿", notes="户主页及本人页")
WTS = lambda: m("WTS", "授权委托书及代办人居民身份证", when="委托他人代办", notes="委托书须申请人本人签字或按手印")

def item(code, name, initials, dept, kind, days, unit, statutory, basis, conditions, procedure, result, materials, fees="不收费", sensitive=False):
    return {
        "code": code, "name": name, "initials": initials, "department": dept, "kind": kind,
        "limit": {"days": days, "unit": unit},
        "statutory_limit": statutory and {"days": statutory[0], "unit": statutory[1]},
        "legal_basis": basis, "conditions": conditions, "procedure": procedure,
        "fees": fees, "result": result, "consult_phone": CONSULT, "complaint_phone": COMPLAINT,
        "location": LOCATION, "sensitive": sensitive, "materials": materials,
    }

items = [
    item("YL-01", "城乡居民基本养老保险参保登记", "cxjmjbylbxcbdj", "县社会保险事业管理中心", "immediate", 0, "working", None,
         "《中华人民共和国社会保险法》第二十条、第二十二条；《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
         "年满16周岁（不含在校学生），非国家机关和事业单位工作人员及不属于职工基本养老保险制度覆盖范围的城乡居民，可在户籍地参加城乡居民基本养老保险。",
         ["申请人持材料到窗口提出申请", "窗口人员审核材料并录入信息系统", "当场办结，告知缴费档次和缴费方式"],
         "完成参保登记，可打印参保证明",
         [ID(), HKB(), m("DJB", "城乡居民基本养老保险参保登记表", form="original", notes="窗口免费提供"), WTS()]),
    item("YB-01", "城乡居民基本医疗保险参保登记", "cxjmjbylbxcbdj", "县医疗保障局", "immediate", 0, "working", None,
         "《中华人民共和国社会保险法》第二十五条；《国务院关于整合城乡居民基本医疗保险制度的意见》（国发〔2016〕3号）",
         "除职工基本医疗保险应参保人员以外的城乡居民，包括农村居民、城镇非从业居民、学生和新生儿。",
         ["申请人持材料到窗口提出申请", "窗口人员审核并办理参保登记", "当场办结，告知缴费期和待遇享受期"],
         "完成参保登记",
         [m("SFZ", "参保人居民身份证或户口簿", form="original", notes="新生儿可只提供户口簿"),
          m("DJB", "城乡居民基本医疗保险参保登记表", form="original", notes="窗口免费提供"),
          m("CSZ", "出生医学证明", when="为新生儿参保"), WTS()]),
    item("CJ-01", "残疾人证申领", "cjrzsl", "县残疾人联合会", "forwarded", 20, "working", None,
         "《中华人民共和国残疾人保障法》；《中华人民共和国残疾人证管理办法》（残联发〔2017〕29号）",
         "本县户籍，符合《残疾人残疾分类和分级》（GB/T 26341—2010）的视力、听力、言语、肢体、智力、精神及多重残疾人。",
         ["申请人提出申请，填写申请表", "乡镇初审后报县残联", "到指定医疗机构进行残疾评定（评定时间不计入办理时限）", "县残联审核并核发残疾人证", "通知申请人领证"],
         "《中华人民共和国残疾人证》",
         [ID(), HKB(), m("ZP", "近期二寸免冠白底彩色照片", form="original", copies=3),
          m("SQB", "残疾人证申请表", form="original", notes="窗口免费提供"),
          m("JHR", "监护人居民身份证及监护关系证明", when="由监护人代为申请"), WTS()],
         sensitive=True),
    item("DB-01", "最低生活保障申请", "zdshbzsq", "县民政局", "forwarded", 30, "working", (30, "working"),
         "《社会救助暂行办法》（国务院令第649号）第九条至第十七条；《最低生活保障审核确认办法》（民发〔2021〕57号）",
         "持有本县常住户口，共同生活的家庭成员人均收入低于当地最低生活保障标准，且家庭财产状况符合当地规定的家庭。",
         ["申请人提出书面申请", "乡镇受理并开展家庭经济状况调查和入户核查", "民主评议", "乡镇审核并在村（居）公示", "县民政局审核确认", "公布结果，按月发放保障金"],
         "最低生活保障审核确认结果；符合条件的发放最低生活保障金",
         [ID(), HKB(), m("SQS", "最低生活保障申请书", form="original", notes="申请人签字"),
          m("HDS", "家庭经济状况核对授权书", form="original", notes="共同生活的家庭成员均须签字"),
          m("SRZM", "家庭成员收入情况说明或收入证明"),
          m("JBZM", "残疾人证或重大疾病诊断证明", when="家庭成员有残疾或患重病"), WTS()],
         sensitive=True),
    item("LS-01", "临时救助申请", "lsjzsq", "县民政局", "promised", 10, "working", None,
         "《社会救助暂行办法》（国务院令第649号）第四十七条至第五十二条；《国务院关于全面建立临时救助制度的通知》（国发〔2014〕47号）",
         "因火灾、交通事故等意外事件，或家庭成员突发重大疾病等原因，导致基本生活暂时出现严重困难的家庭或个人。",
         ["申请人提出申请", "乡镇受理并调查核实", "乡镇审核（小额救助可由乡镇审批）", "公示后发放救助金或实物"],
         "临时救助审批结果及救助金",
         [ID(), HKB(), m("SQS", "临时救助申请书", form="original"),
          m("KNZM", "遭遇困难的相关证明材料", notes="如火灾证明、医疗费用票据等"), WTS()],
         sensitive=True),
    item("GL-01", "高龄津贴申请", "gljtsq", "县民政局", "promised", 15, "working", None,
         "《中华人民共和国老年人权益保障法》第三十三条",
         "本县户籍、年满80周岁的老年人。",
         ["申请人或家属提出申请", "乡镇审核年龄和户籍信息", "报县民政局备案", "次月起按月发放"],
         "高龄津贴按月发放至本人社会保障卡",
         [ID(), HKB(), m("SQB", "高龄津贴申请表", form="original", notes="窗口免费提供"),
          m("SBK", "本人社会保障卡或银行卡", form="copy"), WTS()]),
    item("SY-01", "生育登记", "sydj", "县卫生健康局", "immediate", 0, "working", None,
         "《中华人民共和国人口与计划生育法》；《中共中央 国务院关于优化生育政策促进人口长期均衡发展的决定》",
         "夫妻双方或一方为本县户籍，或在本县居住的夫妻，生育子女的均可办理生育登记。",
         ["夫妻一方持材料到窗口申请", "窗口核对信息", "当场办结"],
         "生育登记信息，可打印生育服务登记回执",
         [m("FQSFZ", "夫妻双方居民身份证", form="original"), m("JHZ", "结婚证", form="original"),
          m("DJB", "生育登记服务表", form="original", notes="窗口免费提供")]),
    item("ZJ-01", "农村宅基地和建房（规划许可）审批", "nczjdhjfghxksp", "乡镇人民政府（农业农村、自然资源联审）", "promised", 20, "working", (20, "working"),
         "《中华人民共和国土地管理法》第六十二条；《农业农村部 自然资源部关于规范农村宅基地审批管理的通知》（农经发〔2019〕6号）",
         "本集体经济组织成员，以户为单位申请，一户只能拥有一处宅基地，符合国土空间规划和村庄规划。",
         ["农户向村民小组提出申请", "村民小组会议讨论通过并公示", "村级组织审查后报乡镇", "乡镇组织农业农村、自然资源等部门联审及实地踏勘", "乡镇政府审批，核发《农村宅基地批准书》和《乡村建设规划许可证》"],
         "《农村宅基地批准书》《乡村建设规划许可证》",
         [m("SQB", "农村宅基地和建房（规划许可）申请表", form="original"),
          m("CNS", "农村宅基地使用承诺书", form="original"),
          HKB(), m("SFZ", "户主及家庭成员居民身份证"),
          m("HYJL", "村民小组会议记录及公示材料", form="original"),
          m("SJT", "住房设计图或通用图", notes="可选用县政府提供的通用图集"),
          m("XZYJ", "相邻权利人意见", form="original", when="建房涉及相邻关系")]),
    item("JY-01", "就业创业证申领", "jycyzsl", "县公共就业服务中心", "immediate", 0, "working", None,
         "《就业服务与就业管理规定》（劳动和社会保障部令第28号）；《人力资源社会保障部关于进一步完善就业失业登记管理办法的通知》（人社部发〔2014〕97号）",
         "在法定劳动年龄内、有劳动能力的城乡劳动者，办理就业登记或失业登记时可申领。",
         ["申请人持材料到窗口申请", "窗口审核并录入系统", "当场发放《就业创业证》"],
         "《就业创业证》",
         [ID(), m("ZP", "近期一寸免冠彩色照片", form="original"),
          m("DJB", "就业创业证申领登记表", form="original", notes="窗口免费提供")]),
    item("SY-02", "失业登记", "sydj", "县公共就业服务中心", "immediate", 0, "working", None,
         "《中华人民共和国就业促进法》；《就业服务与就业管理规定》（劳动和社会保障部令第28号）第六章",
         "法定劳动年龄内、有劳动能力、有就业要求、处于无业状态的城乡劳动者。",
         ["申请人到常住地窗口申请", "窗口核实就业状态", "当场办结，提供职业指导和岗位信息"],
         "失业登记信息记入《就业创业证》",
         [ID(), m("JCZM", "解除或终止劳动合同证明", when="原为用人单位职工"),
          m("JYZ", "就业创业证", form="original", optional=True, notes="已有证件的提供")]),
    item("CJ-02", "困难残疾人生活补贴和重度残疾人护理补贴申请", "kncjrshbthzdcjrhlbtsq", "县残疾人联合会、县民政局", "forwarded", 20, "working", None,
         "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）",
         "生活补贴：最低生活保障家庭中的残疾人；护理补贴：残疾等级为一级、二级且需要长期照护的重度残疾人。",
         ["申请人提出申请", "乡镇受理并初审", "县残联审核残疾等级", "县民政局审定", "按月发放补贴"],
         "补贴审批结果，按月发放",
         [ID(), HKB(), m("CJZ", "第二代残疾人证"),
          m("SQB", "残疾人两项补贴申请审批表", form="original"),
          m("DBZ", "最低生活保障证明", when="申请困难残疾人生活补贴"),
          m("YHK", "本人社会保障卡或银行卡", form="copy"), WTS()],
         sensitive=True),
    item("TY-01", "退役军人优待证申领", "tyjrydzsl", "县退役军人事务局", "forwarded", 30, "natural", None,
         "《中华人民共和国退役军人保障法》第六章；《退役军人、其他优抚对象优待证管理办法（试行）》",
         "本县户籍或在本县安置的退役军人及其他优抚对象。",
         ["申请人在服务站提出申请", "乡镇退役军人服务站初审并采集信息", "报县退役军人事务局审核", "制证后通知领取"],
         "《中华人民共和国退役军人优待证》",
         [ID(), m("TYZJ", "退役证件（退伍证、复员证或转业证等）"),
          m("ZP", "近期二寸免冠白底彩色照片", form="original"),
          m("SQB", "优待证申领表", form="original")]),
    item("YL-02", "城乡居民基本养老保险待遇领取申请", "cxjmjbylbxdylqsq", "县社会保险事业管理中心", "forwarded", 10, "working", None,
         "《中华人民共和国社会保险法》第二十一条；《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
         "参加城乡居民基本养老保险、年满60周岁、累计缴费满15年，且未领取国家规定的基本养老保障待遇的人员。",
         ["参保人提出待遇领取申请", "乡镇审核参保缴费信息", "报县社保中心核定待遇", "次月起按月发放养老金"],
         "养老金待遇核定结果，按月发放至社会保障卡",
         [ID(), HKB(), m("SQB", "城乡居民基本养老保险待遇申领表", form="original"),
          m("SBK", "社会保障卡", form="copy"), WTS()]),
    item("TK-01", "特困人员救助供养申请", "tkryjzgysq", "县民政局", "forwarded", 30, "working", None,
         "《社会救助暂行办法》（国务院令第649号）第十四条至第十九条；《特困人员认定办法》（民发〔2021〕43号）",
         "无劳动能力、无生活来源、无法定赡养抚养扶养义务人或者其法定义务人无履行义务能力的老年人、残疾人以及未满16周岁的未成年人。",
         ["申请人或村（居）委会代为提出申请", "乡镇调查核实、公示", "县民政局审核确认", "确定供养方式并发放供养金"],
         "特困人员认定结果及救助供养",
         [ID(), HKB(), m("SQS", "特困人员救助供养申请书", form="original"),
          m("SRZM", "本人收入和财产状况说明", form="original"),
          m("CJZ", "残疾人证", when="申请人为残疾人"), WTS()],
         sensitive=True),
    item("YB-02", "医疗救助申请", "yljzsq", "县医疗保障局", "forwarded", 15, "working", None,
         "《社会救助暂行办法》（国务院令第649号）第二十八条至第三十五条；《国务院办公厅关于健全重特大疾病医疗保险和救助制度的意见》（国办发〔2021〕42号）",
         "最低生活保障家庭成员、特困供养人员，以及因病致贫的低收入家庭重病患者。",
         ["申请人提出申请", "乡镇审核身份和费用材料", "报县医疗保障局审批", "救助金发放至申请人账户"],
         "医疗救助审批结果及救助金",
         [ID(), HKB(), m("SQB", "医疗救助申请审批表", form="original"),
          m("BL", "住院病历或出院小结", form="copy"),
          m("FYPJ", "医疗费用票据及医保结算单", notes="票据原件审核后退还"),
          m("SFZM", "低保、特困等救助对象身份证明", when="以救助对象身份申请"), WTS()],
         sensitive=True),
    item("LN-01", "老年人优待证办理", "lnrydzbl", "县民政局（老龄工作委员会办公室）", "immediate", 0, "working", None,
         "《中华人民共和国老年人权益保障法》第五章",
         "年满60周岁的本县户籍老年人，以及在本县长期居住的外地老年人。",
         ["申请人持材料到窗口申请", "窗口审核年龄信息", "当场制发优待证"],
         "《老年人优待证》",
         [ID(), m("ZP", "近期一寸免冠彩色照片", form="original"), WTS()]),
]

# 容缺受理: the materials that may follow on the applicant's written commitment (a photo, a
# bank card, a statement of income or hardship that can come later), and each item's period for
# them in working days (5 where not named).
TOLERABLE = {"CJ-01": ["ZP"], "TY-01": ["ZP"], "GL-01": ["SBK"], "DB-01": ["SRZM"], "LS-01": ["KNZM"], "CJ-02": ["YHK"], "TK-01": ["SRZM"]}
TOLERANCE_DAYS = {"DB-01": 10, "TK-01": 10, "LS-01": 3}
for it in items:
    for mat in it["materials"]:
        if mat["code"] in TOLERABLE.get(it["code"], []):
            mat["tolerable"] = True
    if it["code"] in TOLERANCE_DAYS:
        mats = it.pop("materials")
        it["tolerance_days"] = TOLERANCE_DAYS[it["code"]]
        it["materials"] = mats

doc = {
    # A new version whenever the content changes: a version names one content everywhere.
    "version": "2026.12-demo",
    "published_at": "2026-11-01",
    "source": "演示目录：示范镇便民服务中心公开的服务事项（依据各地公开办事指南整理）",
    "items": items,
}
out = os.path.join(os.path.dirname(__file__), "..", "assets", "catalogue", "demo.json")
with open(out, "w", encoding="utf-8") as f:
    json.dump(doc, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(f"{len(items)} items -> {os.path.normpath(out)}")
