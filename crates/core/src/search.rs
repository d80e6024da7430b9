//! How the counter finds things by what a clerk types: a name by its pinyin (full, or the
//! initials `wxy` for 韦秀英), an item by any run of its characters in order (`低保` for
//! 最低生活保障), and the keys computed from a name once, where it is stored.

use pinyin::ToPinyin;

/// A name's pinyin keys: the full spelling and the initials, lower-case ASCII without tones
/// or spaces. A letter or digit in the name stays as it is; other marks (the middle dot of
/// 阿卜杜·热合曼, brackets) are left out; a character with no reading (a rare one beyond the
/// table) contributes nothing, so it never blocks a match on the rest.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PinyinKeys {
    pub full: String,
    pub initials: String,
}

/// Surnames read otherwise than the character's most common reading (覃 is qín as a surname,
/// not tán; 曾 zēng, not céng): a person's name is keyed by how it is said.
const SURNAMES: [(char, &str); 16] = [
    ('覃', "qin"), ('曾', "zeng"), ('单', "shan"), ('解', "xie"), ('区', "ou"), ('仇', "qiu"), ('朴', "piao"), ('查', "zha"),
    ('翟', "zhai"), ('盖', "ge"), ('缪', "miao"), ('乐', "yue"), ('员', "yun"), ('尉', "yu"), ('种', "chong"), ('召', "shao"),
];

impl PinyinKeys {
    /// A person's name: as [`PinyinKeys::of`], the surname read as a surname.
    pub fn of_person(name: &str) -> Self {
        let mut chars = name.chars();
        match chars.next().and_then(|c| SURNAMES.iter().find(|(s, _)| *s == c)) {
            Some((_, reading)) => {
                let rest = Self::of(chars.as_str());
                Self { full: format!("{reading}{}", rest.full), initials: format!("{}{}", &reading[..1], rest.initials) }
            }
            None => Self::of(name),
        }
    }

    pub fn of(name: &str) -> Self {
        let mut out = Self::default();
        for (c, p) in name.chars().zip(name.to_pinyin()) {
            match p {
                Some(p) => {
                    // ü is typed v on every Chinese keyboard (吕 lv).
                    out.full.push_str(&p.plain().replace('ü', "v"));
                    out.initials.push_str(p.first_letter());
                }
                None if c.is_ascii_alphanumeric() => {
                    let c = c.to_ascii_lowercase();
                    out.full.push(c);
                    out.initials.push(c);
                }
                None => {}
            }
        }
        out
    }
}

/// What a clerk typed, as a search key: trimmed, lower-case, without inner spaces
/// (`wei xiu ying` is `weixiuying`).
pub fn normalise(query: &str) -> String {
    query.chars().filter(|c| !c.is_whitespace() && *c != '\u{3000}').flat_map(char::to_lowercase).collect()
}

/// Whether every character of `needle` appears in `hay` in order (`低保` in 最低生活保障,
/// `cjz` in `cjrzbl`). An empty needle matches nothing.
pub fn in_order(needle: &str, hay: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let mut rest = hay.chars();
    needle.chars().all(|n| rest.any(|h| h == n))
}

/// How well `query` (already [`normalise`]d) names something with `name`, `code` and the
/// pinyin keys of its name; lower is better, `None` is no match. Exact code; then a prefix of
/// the name, the initials or the full pinyin; then any substring of them; then the characters
/// or initials in order.
pub fn rank(query: &str, name: &str, code: &str, keys: &PinyinKeys) -> Option<u8> {
    if query.is_empty() {
        return None;
    }
    let name = normalise(name);
    if code.eq_ignore_ascii_case(query) {
        Some(0)
    } else if name.starts_with(query) || keys.initials.starts_with(query) || keys.full.starts_with(query) {
        Some(1)
    } else if name.contains(query) || keys.initials.contains(query) || keys.full.contains(query) || normalise(code).contains(query) {
        Some(2)
    } else if in_order(query, &name) || in_order(query, &keys.initials) {
        Some(3)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_s_keys_are_its_pinyin_and_initials() {
        assert_eq!(PinyinKeys::of("韦秀英"), PinyinKeys { full: "weixiuying".into(), initials: "wxy".into() });
        assert_eq!(PinyinKeys::of("高龄津贴申请").initials, "gljtsq");
        // Marks are left out, letters kept; a character beyond the table adds nothing.
        assert_eq!(PinyinKeys::of("阿卜杜·热合曼").initials, "abdrhm");
        assert_eq!(PinyinKeys::of("A类事项").initials, "alsx");
        assert_eq!(PinyinKeys::of("王\u{E000}").initials, "w");
        // ü as typed; a surname as it is said.
        assert_eq!(PinyinKeys::of("吕").full, "lv");
        assert_eq!(PinyinKeys::of_person("覃秀英"), PinyinKeys { full: "qinxiuying".into(), initials: "qxy".into() });
        assert_eq!(PinyinKeys::of_person("曾明").initials, "zm");
        assert_eq!(PinyinKeys::of_person("韦秀英"), PinyinKeys::of("韦秀英"));
    }

    #[test]
    fn items_are_found_as_a_clerk_types_them() {
        fn item(name: &'static str, code: &'static str) -> impl Fn(&str) -> Option<u8> {
            move |q| rank(&normalise(q), name, code, &PinyinKeys::of(name))
        }
        let dibao = item("最低生活保障申请", "DB-01");
        assert_eq!(dibao("DB-01"), Some(0));
        assert_eq!(dibao("db-01"), Some(0));
        assert_eq!(dibao("最低"), Some(1));
        assert_eq!(dibao("zdsh"), Some(1));
        assert_eq!(dibao("zuidi"), Some(1));
        assert_eq!(dibao("生活保障"), Some(2));
        assert_eq!(dibao("shenghuo"), Some(2));
        assert_eq!(dibao("低保"), Some(3));
        assert_eq!(dibao("zdbz"), Some(3));
        assert_eq!(dibao("残疾"), None);
        assert_eq!(dibao("  "), None);
        let cjz = item("残疾人证办理", "CJ-01");
        assert_eq!(cjz("cjz"), Some(3));
        assert_eq!(cjz("canji ren"), Some(1));
    }

    #[test]
    fn in_order_needs_every_character_in_turn() {
        assert!(in_order("abc", "axbxc"));
        assert!(!in_order("acb", "abc"));
        assert!(!in_order("", "abc"));
        assert!(!in_order("abcd", "abc"));
    }
}
