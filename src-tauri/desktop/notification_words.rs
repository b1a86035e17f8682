//! What the window's desktop notifications say and what a click on one opens, decided with no
//! I/O: a burst of notices (a reconcile may settle hundreds of payments at once) becomes at
//! most two notifications, one for what needs a person and one for what settled, each naming
//! one order or summing up several. In the window's language, with UX.md's words; the demo's
//! say they are the demo, a sandbox payment's that it is one. Only the order's number, the
//! amount and the state are ever shown.

use std::collections::BTreeMap;

use paydesk_core::attention::{Attention, Notice};
use paydesk_core::domain::AttemptState;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The window's language, as the window names it (its Settings or the system's locale).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub enum Language {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Language {
    /// The language the window starts in when it has not said: zh, zh_CN.UTF-8, zh_TW → 简体中文
    /// (the window's rule, `languageFor` in i18n.ts), anything else English.
    pub(crate) fn of_locale(locale: Option<&str>) -> Language {
        match locale {
            Some(l) if l.to_ascii_lowercase().starts_with("zh") => Language::ZhCn,
            _ => Language::En,
        }
    }
}

/// What a clicked notification asks the window to show (the `show-orders` event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ShowOrders {
    /// One order, its detail open in the Orders view.
    Order { order_no: String },
    /// The Orders view narrowed to orders whose latest attempt is in this state.
    InState { state: AttemptState },
    /// The Orders view as it is.
    List,
}

/// One desktop notification: its title, its text, and what a click on it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shown {
    pub summary: String,
    pub body: String,
    pub opens: ShowOrders,
}

/// The default action's label, where a notification server shows it as a button.
pub(crate) fn open_label(language: Language) -> &'static str {
    match language {
        Language::En => "Open",
        Language::ZhCn => "打开",
    }
}

/// How many order numbers a summary names before it says how many more there are.
const NAMED: usize = 3;

/// The notices of one kind in a burst: how many, the first few whole, and the states and
/// sandboxes among them. A burst of any size holds this much.
#[derive(Debug, Default)]
struct Group {
    count: usize,
    sandbox: usize,
    first: Vec<Notice>,
    /// How many in each state, a payout's apart from a payment's (worded differently).
    by_state: BTreeMap<(Worded, bool), usize>,
    /// The attempts' states, each once (a contested payment's is the settled one it is
    /// recorded as).
    states: Vec<AttemptState>,
}

/// A notice's state as it is worded: paid, failed, or waiting for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Worded {
    Paid,
    Failed,
    Review,
}

impl Group {
    fn is_needs_person(&self) -> bool {
        self.first
            .first()
            .is_some_and(|n| n.attention == Attention::NeedsPerson)
    }

    fn add(&mut self, notice: Notice) {
        self.count += 1;
        self.sandbox += usize::from(notice.sandbox);
        *self
            .by_state
            .entry((worded(&notice), notice.pays_out))
            .or_default() += 1;
        if !self.states.contains(&notice.state) {
            self.states.push(notice.state);
        }
        if self.first.len() < NAMED {
            self.first.push(notice);
        }
    }
}

fn worded(notice: &Notice) -> Worded {
    match notice.attention {
        Attention::NeedsPerson => Worded::Review,
        Attention::Settled(AttemptState::Succeeded) => Worded::Paid,
        Attention::Settled(_) => Worded::Failed,
    }
}

/// The notices gathered since the last notifications were shown.
#[derive(Debug, Default)]
pub(crate) struct Burst {
    needs_person: Group,
    settled: Group,
}

impl Burst {
    pub(crate) fn add(&mut self, notice: Notice) {
        match notice.attention {
            Attention::NeedsPerson => self.needs_person.add(notice),
            Attention::Settled(_) => self.settled.add(notice),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.needs_person.count == 0 && self.settled.count == 0
    }

    /// The notifications this burst makes: what needs a person first.
    pub(crate) fn shown(&self, language: Language, demo: bool) -> Vec<Shown> {
        [&self.needs_person, &self.settled]
            .into_iter()
            .filter(|group| group.count > 0)
            .map(|group| shown(group, language, demo))
            .collect()
    }
}

fn shown(group: &Group, language: Language, demo: bool) -> Shown {
    let words = Words::of(language);
    let all_sandbox = group.sandbox == group.count;
    // Every notification of the demo says so (its payments are all on the sandbox: that goes
    // without saying twice); in the live data, a sandbox payment's says it is one.
    let mark = if demo {
        words.demo
    } else if all_sandbox {
        words.sandbox
    } else {
        ""
    };
    let (title, mut body, opens) = match group.first.as_slice() {
        [only] if group.count == 1 => {
            let (state, hint) = words.state(worded(only), only.pays_out);
            (
                words.one_order(state, &only.order_no),
                format!("{} · {hint}", only.amount),
                ShowOrders::Order {
                    order_no: only.order_no.clone(),
                },
            )
        }
        first => {
            let title = if group.is_needs_person() {
                words.need_person(group.count)
            } else {
                words.settled(group.count)
            };
            let counts: Vec<String> = group
                .by_state
                .iter()
                .map(|((worded, pays_out), n)| words.counted(words.state(*worded, *pays_out).0, *n))
                .collect();
            let named: Vec<&str> = first.iter().map(|n| n.order_no.as_str()).collect();
            let body = format!(
                "{} — {}",
                counts.join(" · "),
                words.orders(&named, group.count)
            );
            (title, body, summary_opens(group))
        }
    };
    if !demo && !all_sandbox && group.sandbox > 0 {
        body.push_str(&words.some_sandbox(group.sandbox));
    }
    Shown {
        summary: format!("{mark}{title}"),
        body,
        opens,
    }
}

/// A summary opens the orders in the one state they are all in (all paid, all failed, all
/// waiting for review), else the list as it is. Contested payments need a person but are
/// recorded settled: the list of that state would show every settled one.
fn summary_opens(group: &Group) -> ShowOrders {
    let mut states = group.states.iter().copied();
    match (states.next(), states.next()) {
        (Some(state), None) if group.is_needs_person() == (state == AttemptState::NeedsReview) => {
            ShowOrders::InState { state }
        }
        _ => ShowOrders::List,
    }
}

/// One language's words (UX.md's vocabulary; the window's hints where it has them).
struct Words {
    language: Language,
    demo: &'static str,
    sandbox: &'static str,
}

impl Words {
    fn of(language: Language) -> Words {
        match language {
            Language::En => Words {
                language,
                demo: "DEMO · ",
                sandbox: "SANDBOX · ",
            },
            Language::ZhCn => Words {
                language,
                demo: "演示数据 · ",
                sandbox: "沙箱 · ",
            },
        }
    }

    /// A state's word and what it means for the person.
    fn state(&self, worded: Worded, pays_out: bool) -> (&'static str, &'static str) {
        match (self.language, worded, pays_out) {
            (Language::En, Worded::Paid, false) => ("Paid", "Payment received."),
            (Language::En, Worded::Paid, true) => ("Paid out", "Paid out to the payee."),
            (Language::En, Worded::Failed, false) => (
                "Failed",
                "The gateway refused the payment; nothing was charged.",
            ),
            (Language::En, Worded::Failed, true) => (
                "Payout failed",
                "The gateway refused the payout; nothing was paid out.",
            ),
            (Language::En, Worded::Review, _) => {
                ("Needs review", "Needs a person: open to resolve.")
            }
            (Language::ZhCn, Worded::Paid, false) => ("支付成功", "已收到付款。"),
            (Language::ZhCn, Worded::Paid, true) => ("已出款", "已付款给收款方。"),
            (Language::ZhCn, Worded::Failed, false) => ("支付失败", "网关拒绝了这笔支付，未扣款。"),
            (Language::ZhCn, Worded::Failed, true) => ("出款失败", "网关拒绝了这笔付款，未出款。"),
            (Language::ZhCn, Worded::Review, _) => ("待人工处理", "需要人工处理：打开以处理。"),
        }
    }

    fn one_order(&self, state: &str, order_no: &str) -> String {
        match self.language {
            Language::En => format!("{state}: order {order_no}"),
            Language::ZhCn => format!("{state}：订单 {order_no}"),
        }
    }

    fn need_person(&self, n: usize) -> String {
        match self.language {
            Language::En => format!("{n} payments need a person"),
            Language::ZhCn => format!("{n} 笔支付待人工处理"),
        }
    }

    fn settled(&self, n: usize) -> String {
        match self.language {
            Language::En => format!("{n} payments settled"),
            Language::ZhCn => format!("{n} 笔支付已有结果"),
        }
    }

    fn counted(&self, state: &str, n: usize) -> String {
        match self.language {
            Language::En => format!("{state} {n}"),
            Language::ZhCn => format!("{state} {n} 笔"),
        }
    }

    /// The first order numbers of `all`, and how many more.
    fn orders(&self, named: &[&str], all: usize) -> String {
        let more = all - named.len();
        match (self.language, more) {
            (Language::En, 0) => named.join(", "),
            (Language::En, more) => format!("{} and {more} more", named.join(", ")),
            (Language::ZhCn, 0) => named.join("、"),
            (Language::ZhCn, _) => format!("{} 等 {all} 笔", named.join("、")),
        }
    }

    fn some_sandbox(&self, n: usize) -> String {
        match self.language {
            Language::En => format!(" ({n} on SANDBOX)"),
            Language::ZhCn => format!("（其中 {n} 笔为沙箱）"),
        }
    }
}

#[cfg(test)]
#[path = "notification_words_tests.rs"]
mod tests;
