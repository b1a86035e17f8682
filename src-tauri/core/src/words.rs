//! The words printed on receipts and reports, in English and 简体中文 (`words.json`; the
//! window's names of channels, gateways and states are checked against them by its tests).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A language a paper is printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub enum Lang {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Lang {
    /// `en` or `zh-CN` (a `zh…` tag reads as 简体中文).
    pub fn parse(tag: &str) -> Option<Lang> {
        match tag.trim() {
            "en" => Some(Lang::En),
            t if t.starts_with("en-") => Some(Lang::En),
            t if t == "zh" || t.starts_with("zh-") => Some(Lang::ZhCn),
            _ => None,
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }
}

fn all() -> &'static serde_json::Value {
    static WORDS: OnceLock<serde_json::Value> = OnceLock::new();
    WORDS.get_or_init(|| serde_json::from_str(include_str!("words.json")).expect("words.json"))
}

/// The printed words of one language.
#[derive(Debug, Clone, Copy)]
pub struct Words(Lang);

impl Words {
    pub fn of(lang: Lang) -> Words {
        Words(lang)
    }

    pub fn lang(self) -> Lang {
        self.0
    }

    /// The word for `key` (`a.b` reaches into a group); the key itself where there is none,
    /// as for a channel this build has no name for.
    pub fn get(self, key: &str) -> String {
        key.split('.')
            .try_fold(&all()[self.0.tag()], |node, part| node.get(part))
            .and_then(|node| node.as_str())
            .map_or_else(
                || key.rsplit('.').next().unwrap_or(key).to_string(),
                str::to_string,
            )
    }

    /// The word for `key` with each `{name}` filled in.
    pub fn fill(self, key: &str, values: &[(&str, &str)]) -> String {
        values.iter().fold(self.get(key), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
    }

    pub fn channel(self, channel: &str) -> String {
        self.get(&format!("channels.{channel}"))
    }

    pub fn gateway(self, gateway: &str) -> String {
        self.get(&format!("gateways.{gateway}"))
    }

    pub fn state(self, state: crate::domain::AttemptState) -> String {
        self.get(&format!("states.{}", state.as_str()))
    }

    /// A payout's state, worded as one (paid out, not paid) where it has its own words.
    pub fn payout_state(self, state: crate::domain::AttemptState) -> String {
        let key = format!("states_out.{}", state.as_str());
        match self.get(&key) == state.as_str() {
            true => self.state(state),
            false => self.get(&key),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AttemptState;

    #[test]
    fn both_languages_have_every_word() {
        fn keys(node: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
            if let Some(map) = node.as_object() {
                for (key, value) in map {
                    keys(value, &format!("{prefix}{key}."), out);
                }
            } else {
                out.push(prefix.trim_end_matches('.').to_string());
            }
        }
        let (mut en, mut zh) = (Vec::new(), Vec::new());
        keys(&all()["en"], "", &mut en);
        keys(&all()["zh-CN"], "", &mut zh);
        assert_eq!(en, zh);
        for state in AttemptState::ALL {
            assert!(
                en.contains(&format!("states.{}", state.as_str())),
                "{state}"
            );
        }
    }

    #[test]
    fn words_are_found_filled_and_fall_back_to_their_key() {
        let zh = Words::of(Lang::ZhCn);
        assert_eq!(zh.channel("alipay"), "支付宝");
        assert_eq!(zh.fill("shift_report", &[("id", "12")]), "交班报表 #12");
        assert_eq!(
            Words::of(Lang::En).channel("carrier_pigeon"),
            "carrier_pigeon"
        );
        assert_eq!(zh.payout_state(AttemptState::Succeeded), "已出款");
        assert_eq!(
            Words::of(Lang::En).payout_state(AttemptState::NeedsReview),
            Words::of(Lang::En).state(AttemptState::NeedsReview)
        );
        assert_eq!(Lang::parse("zh-Hans-CN"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("fr"), None);
    }
}
