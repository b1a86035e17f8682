//! What the console asks of the store beyond paying: a paged, filtered, sorted order list that
//! stays quick at a million orders, a lookup by any reference, the exact quote shown before
//! paying, the dashboard's totals, and the edits of gateway profiles.
//!
//! Every amount leaves here as minor units plus a decimal string formatted by [`Money`]: the
//! window never does arithmetic on money.

use std::collections::BTreeMap;

use paydesk_gateways::{connector_for, Capabilities, Channel, Currency, Money};
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};
use ts_rs::TS;

use crate::domain::{AttemptState, OrderView};
use crate::store::{Result, Store, StoreError};

/// How the order list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OrderSort {
    /// Newest first by default: the order in which orders were added.
    #[default]
    Created,
    OrderNo,
    Amount,
}

/// One page of the order list, narrowed by every filter that is set.
#[derive(Debug, Clone, Default, serde::Deserialize, TS)]
#[serde(default)]
#[ts(optional_fields = nullable)]
pub struct OrderQuery {
    /// Typed text: a prefix of an order number, gateway reference or idempotency key, a pay URL,
    /// or (from three characters on) any part of an order number or subject.
    pub text: Option<String>,
    /// The state of the order's latest attempt; `created` also matches never-paid orders.
    pub state: Option<AttemptState>,
    /// The channel of the order's latest attempt.
    #[ts(as = "Option<paydesk_gateways::Channel>")]
    pub channel: Option<String>,
    pub profile: Option<String>,
    /// Orders created at or after this time (unix ms).
    pub from_ms: Option<i64>,
    /// Orders created before this time (unix ms).
    pub to_ms: Option<i64>,
    pub sort: OrderSort,
    pub descending: bool,
    pub offset: i64,
    pub limit: i64,
}

/// The most rows one page may hold: the window asks for what it shows, not for everything.
pub const MAX_PAGE: i64 = 500;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct OrderPage {
    /// How many orders match the filters, in all.
    pub total: i64,
    pub offset: i64,
    pub rows: Vec<OrderView>,
}

/// Which reference an order was found by.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct LookupHit {
    pub order_no: String,
    /// `order_no`, `gateway_ref`, `idempotency_key`, `pay_url`, `subject`.
    #[ts(type = r#""order_no" | "gateway_ref" | "idempotency_key" | "pay_url" | "subject""#)]
    pub matched: &'static str,
    pub value: String,
}

/// What a payment would charge, computed exactly as [`crate::engine::Engine::pay`] checks it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct Quote {
    pub currency: String,
    /// The order's amount.
    pub amount: String,
    pub amount_minor: i64,
    /// The sum of the voucher deductions.
    pub deducted: String,
    pub deducted_minor: i64,
    /// What the gateway is asked to charge after the deductions.
    pub remaining: String,
    pub remaining_minor: i64,
    /// Of the remainder, the part paid on credit and the part paid from balance (split only).
    pub credit: Option<String>,
    pub balance: Option<String>,
}

/// The inputs of a payment, as [`crate::engine::PayCommand`] takes them.
#[derive(Debug, Clone)]
pub struct QuoteInput {
    pub order_no: String,
    pub channel: Channel,
    pub deductions: Vec<(String, String)>,
    pub coupon: Option<String>,
    pub credit_amount: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum QuoteError {
    /// The engine would refuse this payment before sending anything, for this reason.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Takings of one channel in one state and currency.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct TakingsRow {
    #[ts(as = "paydesk_gateways::Channel")]
    pub channel: String,
    pub state: AttemptState,
    pub currency: String,
    pub count: i64,
    pub amount_minor: i64,
    pub amount: String,
}

/// Attempts the reconciler is still working on, and those waiting for a person.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct Activity {
    /// Pending, unknown or being sent, on gateways the reconciler can ask.
    pub in_flight: i64,
    /// Pending on a gateway without a status query: nothing paydesk does settles them.
    pub unasked: i64,
    pub needs_review: i64,
}

fn corrupt(why: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(why.to_string())
}

fn decimal(minor: i64, currency: Currency) -> String {
    Money::from_minor(minor, currency).to_decimal_string()
}

/// The upper bound of a prefix range: every string that starts with `prefix` sorts below it.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

const ORDER_COLUMNS: &str = "
    SELECT o.id, o.order_no, o.amount_minor, o.currency, o.subject, o.attributes, o.created_at,
           p.name AS profile, p.gateway, p.is_sandbox,
           a.state, a.channel, COALESCE(a.updated_at, o.created_at) AS updated_at";

/// A page's rows as one JSON array of arrays, in the page's order and [`OrderRow`]'s field
/// order. sqlx hands every row from its database thread to the caller on its own (a channel
/// message, a wake-up and a copy of each value, about 8 µs a row here): a page of 100 rows cost
/// three times its SQL, one row of JSON costs one hand-over.
const PAGE_AS_JSON: &str = "json_group_array(json_array(id, order_no, amount_minor, currency, \
    subject, attributes, created_at, profile, gateway, is_sandbox, state, channel, updated_at)) \
    FROM (";

/// What the filters read: the orders alone, every condition on attempts being a subquery
/// that walks an index of attempts.
pub(crate) const ORDER_FROM_ORDERS: &str = " FROM orders o";

pub(crate) const ORDER_JOINS: &str = "
    JOIN profiles p ON p.id = o.profile_id
    LEFT JOIN attempts a ON a.id = (SELECT max(id) FROM attempts WHERE order_id = o.id)";

/// One row of [`PAGE_AS_JSON`] (a JSON array read in field order).
#[derive(serde::Deserialize)]
struct OrderRow {
    id: i64,
    order_no: String,
    amount_minor: i64,
    currency: String,
    subject: String,
    attributes: String,
    created_at: i64,
    profile: String,
    gateway: String,
    is_sandbox: i64,
    state: Option<String>,
    channel: Option<String>,
    updated_at: i64,
}

fn order_from_row(row: OrderRow) -> Result<OrderView> {
    let currency = Currency::parse(&row.currency).map_err(corrupt)?;
    Ok(OrderView {
        id: row.id,
        order_no: row.order_no,
        profile: row.profile,
        gateway: row.gateway,
        is_sandbox: row.is_sandbox != 0,
        amount_minor: row.amount_minor,
        amount: decimal(row.amount_minor, currency),
        currency: row.currency,
        subject: row.subject,
        attributes: serde_json::from_str(&row.attributes).map_err(corrupt)?,
        state: row
            .state
            .map(|s| AttemptState::parse(&s).ok_or_else(|| corrupt(format!("state {s:?}"))))
            .transpose()?,
        channel: row.channel,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// How many of a trigram's oldest and newest orders [`Store::text_match`] reads to tell how
/// common it is.
const PROBE_ROWS: i64 = 64;

/// The most trigrams the candidates of a [`Substring::Checked`] search must all hold: the
/// rarest narrow the most, each one more costs a walk of its list.
const MAX_CANDIDATE_TRIGRAMS: usize = 4;

/// A trigram in more than one order in this many, at both ends of the store, is in nearly
/// every order (a shop's prefix, `PD2…`): walking its list costs more than checking the
/// candidates it would rule out.
const COMMON_SHARE: i64 = 8;

/// How typed text of three or more characters is found inside order numbers and subjects (the
/// trigram index of migration 0003, folded to lower case as the index folds it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Substring {
    /// Fewer than three characters: only prefixes and whole references are looked for.
    TooShort,
    /// One of the text's trigrams is in no order number or subject: nothing can hold the text.
    Absent,
    /// The whole text as one phrase of the index: exact, but FTS5 walks a phrase's trigrams in
    /// lockstep, so a phrase with common trigrams (the shared head of every order number,
    /// `PD2…`) reads their lists in full: 11 ms a statement at a million orders for 100
    /// matches.
    Phrase(String),
    /// The orders holding the text's rarest trigrams (`candidates`, an FTS5 query), each
    /// checked for the whole text: `needle` in its order number or subject once both are
    /// lowered as the index lowers them.
    Checked { candidates: String, needle: String },
}

/// Typed text and how it will be matched, decided by [`Store::text_match`] before the
/// statements of a page are built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextMatch {
    pub text: String,
    pub substring: Substring,
    /// The values the decision's statement bound, in order (each trigram's phrase twice: for
    /// its oldest orders and its newest); empty when it read nothing.
    pub probed: Vec<String>,
}

impl TextMatch {
    /// The values the text filter binds, in order.
    pub fn bound_values(&self) -> Vec<String> {
        let end = prefix_end(&self.text);
        let mut values = vec![
            self.text.clone(),
            end.clone(),
            self.text.clone(),
            end.clone(),
            self.text.clone(),
            end,
            self.text.clone(),
        ];
        match &self.substring {
            Substring::TooShort | Substring::Absent => {}
            Substring::Phrase(phrase) => values.push(phrase.clone()),
            Substring::Checked { candidates, needle } => {
                values.extend([candidates.clone(), needle.clone(), needle.clone()])
            }
        }
        values
    }
}

/// `text` as one FTS5 phrase (quotes doubled), which the trigram tokenizer matches anywhere.
fn phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// `text` folded as the trigram index folds it, when SQLite's `lower()` can fold the rows the
/// same way: every character ASCII (lowered here) or without case (digits, punctuation, CJK…).
/// None for text with a letter that has case beyond ASCII (Ä, Σ), or with U+FFFD, which SQLite
/// also reads U+FFFE and U+FFFF as: the index's own folding decides those (the phrase).
fn plain_needle(text: &str) -> Option<String> {
    text.chars()
        .map(|c| {
            if c.is_ascii() {
                Some(c.to_ascii_lowercase())
            } else if c.to_lowercase().eq([c])
                && c.to_uppercase().eq([c])
                && !('\u{FFFD}'..='\u{FFFF}').contains(&c)
            {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

/// The distinct trigrams of `needle`, first occurrence first.
fn trigrams(needle: &str) -> Vec<String> {
    let chars: Vec<char> = needle.chars().collect();
    let mut found: Vec<String> = Vec::new();
    for window in chars.windows(3) {
        let trigram: String = window.iter().collect();
        if !found.contains(&trigram) {
            found.push(trigram);
        }
    }
    found
}

/// A row's column lowered as the trigram index lowers it, for [`plain_needle`]s: `lower()`
/// lowers ASCII, and the only other characters the index folds onto ASCII are the long s
/// (U+017F → s) and the Kelvin sign (U+212A → k) (`plain_text_folds_as_the_trigram_index_does`
/// checks every character against the bundled SQLite).
fn folded_column(column: &str) -> String {
    format!("lower(replace(replace({column}, char(383), 's'), char(8490), 'k'))")
}

/// The orders whose references match typed text. Each branch uses an index: prefixes of order
/// numbers, gateway references and idempotency keys are index ranges, a pay URL is looked up
/// whole, and three or more characters anywhere in an order number or subject go through the
/// trigram index ([`Substring`]).
fn push_text_filter(q: &mut QueryBuilder<'_, Sqlite>, text: &TextMatch) {
    let mut values = text.bound_values().into_iter();
    let mut bind = |q: &mut QueryBuilder<'_, Sqlite>| {
        q.push_bind(values.next().expect("a value for every parameter"));
    };
    q.push(" AND (o.order_no >= ");
    bind(q);
    q.push(" AND o.order_no < ");
    bind(q);
    q.push(" OR o.id IN (SELECT order_id FROM attempts WHERE gateway_ref >= ");
    bind(q);
    q.push(" AND gateway_ref < ");
    bind(q);
    q.push(") OR o.id IN (SELECT order_id FROM attempts WHERE idempotency_key >= ");
    bind(q);
    q.push(" AND idempotency_key < ");
    bind(q);
    q.push(") OR o.id IN (SELECT order_id FROM attempts WHERE pay_url = ");
    bind(q);
    q.push(")");
    match &text.substring {
        Substring::TooShort | Substring::Absent => {}
        Substring::Phrase(_) => {
            q.push(" OR o.id IN (SELECT rowid FROM order_search WHERE order_search MATCH ");
            bind(q);
            q.push(")");
        }
        Substring::Checked { .. } => {
            q.push(" OR o.id IN (SELECT rowid FROM order_search WHERE order_search MATCH ");
            bind(q);
            q.push(") AND (instr(");
            q.push(folded_column("o.order_no"));
            q.push(", ");
            bind(q);
            q.push(") > 0 OR instr(");
            q.push(folded_column("o.subject"));
            q.push(", ");
            bind(q);
            q.push(") > 0)");
        }
    }
    q.push(")");
}

/// The query's typed text, trimmed, when there is any.
pub(crate) fn typed(query: &OrderQuery) -> Option<&str> {
    query
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The query's filters. `text` is how the query's text is matched ([`Store::text_match`]);
/// without it, three characters or more are matched as one phrase of the trigram index.
pub(crate) fn push_filters(
    q: &mut QueryBuilder<'_, Sqlite>,
    filter: &OrderQuery,
    text: Option<&TextMatch>,
) {
    q.push(" WHERE 1 = 1");
    match (text, typed(filter)) {
        (Some(text), _) => push_text_filter(q, text),
        (None, Some(text)) => push_text_filter(q, &TextMatch::phrase(text)),
        (None, None) => {}
    }
    // The latest attempt's state and channel are kept on the order (migration 0006), so these
    // filters, with the date range, are ranges of one index of orders.
    match filter.state {
        None => {}
        Some(AttemptState::Created) => {
            // Attempts are journaled as `submitting`: an order still `created` has none.
            q.push(" AND (o.latest_state IS NULL OR o.latest_state = 'created')");
        }
        Some(state) => {
            q.push(" AND o.latest_state = ").push_bind(state.as_str());
        }
    }
    if let Some(channel) = &filter.channel {
        q.push(" AND o.latest_channel = ")
            .push_bind(channel.clone());
    }
    if let Some(profile) = &filter.profile {
        q.push(" AND o.profile_id = (SELECT id FROM profiles WHERE name = ")
            .push_bind(profile.clone())
            .push(")");
    }
    if let Some(from) = filter.from_ms {
        q.push(" AND o.created_at >= ").push_bind(from);
    }
    if let Some(to) = filter.to_ms {
        q.push(" AND o.created_at < ").push_bind(to);
    }
}

impl TextMatch {
    /// Matching `text` without asking the index first: the whole text as one phrase.
    fn phrase(text: &str) -> TextMatch {
        TextMatch {
            text: text.to_string(),
            substring: if text.chars().count() < 3 {
                Substring::TooShort
            } else {
                Substring::Phrase(phrase(text))
            },
            probed: Vec::new(),
        }
    }
}

/// The ORDER BY of a query's sort, on the orders alone.
pub(crate) fn order_by(query: &OrderQuery) -> String {
    let direction = if query.descending { "DESC" } else { "ASC" };
    match query.sort {
        OrderSort::Created => format!(" ORDER BY o.id {direction}"),
        OrderSort::OrderNo => format!(" ORDER BY o.order_no {direction}"),
        OrderSort::Amount => format!(" ORDER BY o.amount_minor {direction}, o.id {direction}"),
    }
}

/// Where a page's ids come from.
#[derive(Clone, Copy)]
enum PageIds<'a> {
    /// The orders, narrowed by the query's filters (`text`: see [`push_filters`]).
    Filtered(Option<&'a TextMatch>),
    /// The statement's `matches` (the ids of every match, found once for the page and its
    /// count).
    Matches,
}

/// The statement of a page alone (what the plan tests EXPLAIN; [`Store::query_orders`] reads it
/// as JSON).
#[cfg(test)]
pub(crate) fn page_query(
    query: &OrderQuery,
    text: Option<&TextMatch>,
    limit: i64,
    offset: i64,
) -> QueryBuilder<'static, Sqlite> {
    let mut page = QueryBuilder::<Sqlite>::new("");
    push_page(&mut page, query, PageIds::Filtered(text), limit, offset);
    page
}

/// One page of orders: the page's ids first, from the orders alone, so that skipping a deep
/// offset walks an index instead of joining every skipped row; the page itself is then joined.
fn push_page(
    page: &mut QueryBuilder<'static, Sqlite>,
    query: &OrderQuery,
    ids: PageIds<'_>,
    limit: i64,
    offset: i64,
) {
    let order_by = order_by(query);
    page.push(ORDER_COLUMNS);
    page.push(" FROM (SELECT o.id");
    match ids {
        PageIds::Filtered(text) => {
            page.push(ORDER_FROM_ORDERS);
            push_filters(page, query, text);
        }
        PageIds::Matches => {
            page.push(" FROM matches m CROSS JOIN orders o ON o.id = m.id");
        }
    }
    page.push(&order_by);
    page.push(" LIMIT ").push_bind(limit);
    page.push(" OFFSET ").push_bind(offset);
    // CROSS JOIN keeps the page's ids the outer loop: with the limit a bound parameter,
    // SQLite would otherwise scan every order and look each one up in the page.
    page.push(") k CROSS JOIN orders o ON o.id = k.id");
    page.push(ORDER_JOINS);
    page.push(&order_by);
}

/// A page of orders and the number of matches in all, in one statement: `(total, rows)`, the
/// rows as [`PAGE_AS_JSON`]. Typed text's matches are found once, for both (its candidates are
/// checked one by one); other filters are index ranges, counted apart from the page.
pub(crate) fn page_with_total(
    query: &OrderQuery,
    text: Option<&TextMatch>,
    limit: i64,
    offset: i64,
) -> QueryBuilder<'static, Sqlite> {
    let unfiltered = text.is_none()
        && query.state.is_none()
        && query.channel.is_none()
        && query.profile.is_none()
        && query.from_ms.is_none()
        && query.to_ms.is_none();
    let mut q = QueryBuilder::<Sqlite>::new("");
    let ids = if text.is_some() {
        q.push("WITH matches AS MATERIALIZED (SELECT o.id");
        q.push(ORDER_FROM_ORDERS);
        push_filters(&mut q, query, text);
        q.push(") SELECT (SELECT count(*) FROM matches), ");
        PageIds::Matches
    } else if unfiltered {
        // Kept by triggers (migration 0009): counting a million orders takes 9 ms.
        q.push("SELECT (SELECT orders FROM order_count WHERE id = 1), ");
        PageIds::Filtered(None)
    } else {
        q.push("SELECT (SELECT count(*)");
        q.push(ORDER_FROM_ORDERS);
        push_filters(&mut q, query, None);
        q.push("), ");
        PageIds::Filtered(None)
    };
    q.push(PAGE_AS_JSON);
    push_page(&mut q, query, ids, limit, offset);
    q.push(")");
    q
}

impl Store {
    /// How typed text will be matched inside order numbers and subjects ([`Substring`]). Text
    /// that folds plainly is looked for among the orders holding its rarest trigrams: one
    /// statement reads each trigram's oldest and newest [`PROBE_ROWS`] orders to tell how
    /// common it is (how closely they lie), and leaves out those in nearly every order.
    pub async fn text_match(&self, text: &str) -> Result<TextMatch> {
        let text = text.trim();
        let mut found = TextMatch::phrase(text);
        if found.substring == Substring::TooShort {
            return Ok(found);
        }
        let Some(needle) = plain_needle(text) else {
            return Ok(found);
        };
        let trigrams = trigrams(&needle);
        if trigrams.len() < 2 {
            // One trigram: the phrase is that trigram's list, nothing to choose.
            return Ok(found);
        }
        let mut probe =
            QueryBuilder::<Sqlite>::new("SELECT (SELECT orders FROM order_count WHERE id = 1)");
        for trigram in &trigrams {
            for newest_first in [false, true] {
                probe.push(
                    ", (SELECT json_array(count(*), min(rowid), max(rowid)) FROM (SELECT rowid \
                     FROM order_search WHERE order_search MATCH ",
                );
                probe.push_bind(phrase(trigram));
                if newest_first {
                    probe.push(" ORDER BY rowid DESC");
                }
                probe.push(" LIMIT ").push(PROBE_ROWS).push("))");
                found.probed.push(phrase(trigram));
            }
        }
        let row = probe.build().fetch_one(self.pool()).await?;
        let orders: i64 = row.try_get(0)?;
        // Each trigram's likely number of orders: all of them when the probe saw fewer than it
        // asked for, else the sparser end's share of orders (seen / rows they span) times
        // every order. Common: dense at both ends.
        let mut estimates = Vec::with_capacity(trigrams.len());
        for (i, trigram) in trigrams.iter().enumerate() {
            let mut ends = [(0, 0); 2];
            for (end, (seen, span)) in ends.iter_mut().enumerate() {
                let probed: String = row.try_get(1 + 2 * i + end)?;
                let (count, low, high): (i64, Option<i64>, Option<i64>) =
                    serde_json::from_str(&probed).map_err(corrupt)?;
                *seen = count;
                *span = high.zip(low).map_or(0, |(high, low)| high - low + 1);
            }
            let [(seen, _), _] = ends;
            if seen == 0 {
                found.substring = Substring::Absent;
                return Ok(found);
            }
            let (estimate, common) = if seen < PROBE_ROWS {
                (seen as f64, false)
            } else {
                let share = |(seen, span): (i64, i64)| seen as f64 / span.max(1) as f64;
                let sparser = share(ends[0]).min(share(ends[1]));
                (
                    sparser * orders as f64,
                    ends.iter().all(|&(seen, span)| seen * COMMON_SHARE > span),
                )
            };
            if !common {
                estimates.push((estimate, trigram));
            }
        }
        if estimates.is_empty() {
            // Every trigram is in nearly every order, and so are the matches: the phrase reads
            // the lists once, which beats checking a candidate for every entry of one of them.
            return Ok(found);
        }
        estimates.sort_by(|a, b| a.0.total_cmp(&b.0));
        let candidates: Vec<String> = estimates
            .iter()
            .take(MAX_CANDIDATE_TRIGRAMS)
            .map(|(_, trigram)| phrase(trigram))
            .collect();
        found.substring = Substring::Checked {
            candidates: candidates.join(" AND "),
            needle,
        };
        Ok(found)
    }

    /// One page of orders matching the query, with the number of matches in all.
    pub async fn query_orders(&self, query: &OrderQuery) -> Result<OrderPage> {
        let limit = query.limit.clamp(1, MAX_PAGE);
        let offset = query.offset.max(0);
        let text = match typed(query) {
            Some(text) => Some(self.text_match(text).await?),
            None => None,
        };
        let (total, rows): (i64, String) = page_with_total(query, text.as_ref(), limit, offset)
            .build_query_as()
            .fetch_one(self.pool())
            .await?;
        let rows: Vec<OrderRow> = serde_json::from_str(&rows).map_err(corrupt)?;
        Ok(OrderPage {
            total,
            offset,
            rows: rows
                .into_iter()
                .map(order_from_row)
                .collect::<Result<_>>()?,
        })
    }

    /// Every order a support agent could mean by `reference`: exact matches on any reference
    /// first, then prefixes, then the text search. Local only, so it works offline.
    pub async fn lookup(&self, reference: &str, limit: i64) -> Result<Vec<LookupHit>> {
        let text = reference.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let limit = limit.clamp(1, MAX_PAGE);
        let exact = sqlx::query(
            "SELECT order_no, 'order_no' AS matched, order_no AS value FROM orders WHERE order_no = ?1
             UNION ALL
             SELECT o.order_no, 'gateway_ref', a.gateway_ref FROM attempts a JOIN orders o ON o.id = a.order_id
               WHERE a.gateway_ref = ?1
             UNION ALL
             SELECT o.order_no, 'idempotency_key', a.idempotency_key FROM attempts a JOIN orders o ON o.id = a.order_id
               WHERE a.idempotency_key = ?1
             UNION ALL
             SELECT o.order_no, 'pay_url', a.pay_url FROM attempts a JOIN orders o ON o.id = a.order_id
               WHERE a.pay_url = ?1",
        )
        .bind(text)
        .fetch_all(self.pool())
        .await?;
        let mut hits = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        let mut take = |rows: Vec<SqliteRow>, hits: &mut Vec<LookupHit>| -> Result<()> {
            for row in rows {
                let order_no: String = row.try_get("order_no")?;
                let matched: String = row.try_get("matched")?;
                if seen.insert(order_no.clone()) {
                    hits.push(LookupHit {
                        order_no,
                        matched: match matched.as_str() {
                            "order_no" => "order_no",
                            "gateway_ref" => "gateway_ref",
                            "idempotency_key" => "idempotency_key",
                            "pay_url" => "pay_url",
                            _ => "subject",
                        },
                        value: row.try_get("value")?,
                    });
                }
            }
            Ok(())
        };
        take(exact, &mut hits)?;
        if !hits.is_empty() {
            return Ok(hits);
        }
        let end = prefix_end(text);
        let mut fuzzy = QueryBuilder::<Sqlite>::new(
            "SELECT order_no, 'order_no' AS matched, order_no AS value FROM orders WHERE order_no >= ",
        );
        fuzzy
            .push_bind(text.to_string())
            .push(" AND order_no < ")
            .push_bind(end.clone());
        fuzzy
            .push(
                " UNION ALL SELECT o.order_no, 'gateway_ref', a.gateway_ref FROM attempts a
                  JOIN orders o ON o.id = a.order_id WHERE a.gateway_ref >= ",
            )
            .push_bind(text.to_string())
            .push(" AND a.gateway_ref < ")
            .push_bind(end.clone());
        fuzzy
            .push(
                " UNION ALL SELECT o.order_no, 'idempotency_key', a.idempotency_key FROM attempts a
                  JOIN orders o ON o.id = a.order_id WHERE a.idempotency_key >= ",
            )
            .push_bind(text.to_string())
            .push(" AND a.idempotency_key < ")
            .push_bind(end);
        if text.chars().count() >= 3 {
            fuzzy
                .push(
                    " UNION ALL SELECT o.order_no, 'subject', o.subject FROM order_search s
                      JOIN orders o ON o.id = s.rowid WHERE order_search MATCH ",
                )
                .push_bind(format!("\"{}\"", text.replace('"', "\"\"")));
        }
        fuzzy.push(" LIMIT ").push_bind(limit);
        let rows = fuzzy.build().fetch_all(self.pool()).await?;
        take(rows, &mut hits)?;
        Ok(hits)
    }

    /// What paying `input` would charge, refused for exactly the reasons the engine refuses
    /// before sending.
    pub async fn quote(&self, input: &QuoteInput) -> Result<Quote, QuoteError> {
        let order = self.order(&input.order_no).await?;
        let profile = self.profile(&order.profile).await?;
        let connector = connector_for(&profile.gateway).ok_or_else(|| {
            QuoteError::Refused(format!("gateway {:?} is not supported", profile.gateway))
        })?;
        let command = crate::engine::PayCommand {
            order_no: input.order_no.clone(),
            channel: input.channel,
            deductions: input.deductions.clone(),
            coupon: input.coupon.clone(),
            credit_amount: input.credit_amount.clone(),
        };
        let plan = crate::engine::plan_payment(
            &order,
            &profile.gateway,
            &connector.capabilities(),
            &command,
        )
        .map_err(QuoteError::Refused)?;
        let (amount, remaining, credit) = (plan.amount, plan.remaining, plan.credit);
        let currency = amount.currency;
        let deducted_minor = amount.minor - remaining.minor;
        Ok(Quote {
            currency: currency.code().to_string(),
            amount: amount.to_decimal_string(),
            amount_minor: amount.minor,
            deducted: decimal(deducted_minor, currency),
            deducted_minor,
            remaining: remaining.to_decimal_string(),
            remaining_minor: remaining.minor,
            credit: credit.map(|c| c.to_decimal_string()),
            balance: credit.map(|c| decimal(remaining.minor - c.minor, currency)),
        })
    }

    /// Attempts started at or after `since_ms`, summed by channel, state and currency.
    pub async fn takings(&self, since_ms: i64) -> Result<Vec<TakingsRow>> {
        let rows = sqlx::query(
            "SELECT a.channel, a.state, o.currency, count(*) AS n,
                    sum(a.amount_minor - coalesce(a.gateway_deduction_minor, 0)) AS total
             FROM attempts a JOIN orders o ON o.id = a.order_id
             WHERE a.created_at >= ?
             GROUP BY a.channel, a.state, o.currency
             ORDER BY a.channel, a.state, o.currency",
        )
        .bind(since_ms)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let state: String = row.try_get("state")?;
                let currency_code: String = row.try_get("currency")?;
                let currency = Currency::parse(&currency_code).map_err(corrupt)?;
                let total: i64 = row.try_get("total")?;
                Ok(TakingsRow {
                    channel: row.try_get("channel")?,
                    state: AttemptState::parse(&state).ok_or_else(|| corrupt(&state))?,
                    currency: currency_code,
                    count: row.try_get("n")?,
                    amount_minor: total,
                    amount: decimal(total, currency),
                })
            })
            .collect()
    }

    pub async fn activity(&self) -> Result<Activity> {
        let unasked: Vec<&str> = paydesk_gateways::GATEWAYS
            .iter()
            .copied()
            .filter(|g| {
                paydesk_gateways::connector_for(g).is_some_and(|c| !c.capabilities().status_query)
            })
            .collect();
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT
               (SELECT count(*) FROM attempts WHERE state IN ('pending', 'unknown', 'submitting')) AS open,
               (SELECT count(*) FROM attempts WHERE state = 'needs_review')
                 + (SELECT count(*) FROM attempts WHERE contested IS NOT NULL) AS needs_review,
               (SELECT count(*) FROM attempts a JOIN orders o ON o.id = a.order_id
                  JOIN profiles p ON p.id = o.profile_id
                  WHERE a.state = 'pending' AND p.gateway IN ('' ",
        );
        for gateway in unasked {
            q.push(", ").push_bind(gateway);
        }
        q.push(")) AS unasked");
        let row = q.build().fetch_one(self.pool()).await?;
        let open: i64 = row.try_get("open")?;
        let unasked: i64 = row.try_get("unasked")?;
        Ok(Activity {
            in_flight: open - unasked,
            unasked,
            needs_review: row.try_get("needs_review")?,
        })
    }

    /// Changes where a profile's gateway lives and its non-secret settings.
    pub async fn update_profile(
        &self,
        name: &str,
        base_url: &str,
        settings: &BTreeMap<String, String>,
    ) -> Result<()> {
        // An unknown profile is reported as such whatever the URL.
        self.profile(name).await?;
        crate::base_url::check(base_url).map_err(StoreError::BadBaseUrl)?;
        crate::base_url::proxy(settings).map_err(StoreError::BadBaseUrl)?;
        let settings = serde_json::to_string(settings).map_err(corrupt)?;
        let done = sqlx::query("UPDATE profiles SET base_url = ?, settings = ? WHERE name = ?")
            .bind(base_url)
            .bind(settings)
            .bind(name)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NoSuchProfile(name.to_string()));
        }
        Ok(())
    }

    /// How many orders a profile has: a profile with orders keeps them and cannot be removed.
    pub async fn profile_order_count(&self, name: &str) -> Result<i64> {
        let profile = self.profile(name).await?;
        Ok(
            sqlx::query_scalar("SELECT count(*) FROM orders WHERE profile_id = ?")
                .bind(profile.id)
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Removes a profile unless it has orders (their history must stay readable); true when
    /// it was removed.
    pub async fn remove_profile(&self, name: &str) -> Result<bool> {
        self.profile(name).await?;
        let done = sqlx::query(
            "DELETE FROM profiles WHERE name = ?
               AND NOT EXISTS (SELECT 1 FROM orders WHERE profile_id = profiles.id)",
        )
        .bind(name)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// A gateway paydesk speaks, with what it can do.
#[derive(Debug, Clone, Serialize, TS)]
pub struct GatewayInfo {
    pub id: &'static str,
    pub capabilities: Capabilities,
}

pub fn gateways() -> Vec<GatewayInfo> {
    paydesk_gateways::GATEWAYS
        .iter()
        .filter_map(|id| {
            connector_for(id).map(|c| GatewayInfo {
                id,
                capabilities: c.capabilities(),
            })
        })
        .collect()
}

/// A profile's base URL (checked when it was saved): http or https, with a host.
fn check_base_url(base_url: &str) -> std::result::Result<http::Uri, String> {
    let uri: http::Uri = base_url
        .parse()
        .map_err(|_| format!("{base_url:?} is not a URL"))?;
    match (uri.scheme_str(), uri.host()) {
        (Some("http" | "https"), Some(_)) => Ok(uri),
        _ => Err("the base URL starts with http:// or https:// and names a host".into()),
    }
}

/// Whether something accepts connections where the base URL points: the address it reached,
/// or why not. Only a TCP connection, so no gateway ever sees a request from this.
pub async fn reachable(base_url: &str) -> std::result::Result<String, String> {
    let uri = check_base_url(base_url)?;
    let host = uri
        .host()
        .unwrap_or_default()
        .trim_matches(['[', ']'])
        .to_string();
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("https") {
            443
        } else {
            80
        });
    let connect = tokio::net::TcpStream::connect((host.as_str(), port));
    match tokio::time::timeout(std::time::Duration::from_secs(5), connect).await {
        Ok(Ok(stream)) => Ok(stream
            .peer_addr()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| format!("{host}:{port}"))),
        Ok(Err(e)) => Err(format!("{host}:{port}: {e}")),
        Err(_) => Err(format!("{host}:{port}: no answer within 5 seconds")),
    }
}

#[cfg(test)]
#[path = "console_plan_tests.rs"]
mod console_plan_tests;

#[cfg(test)]
#[path = "search_tests.rs"]
mod search_tests;

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Instant;

    use paydesk_gateways::transport::Transport;

    use super::*;
    use crate::engine::{Engine, PayCommand, PayError};
    use crate::store::{now_ms, AttemptUpdate};
    use crate::test_support::{
        add_order, add_profile, begin_attempt, record_state, temp_store_with_profiles,
    };
    use crate::vault::MemoryVault;

    fn query() -> OrderQuery {
        OrderQuery {
            limit: 100,
            ..OrderQuery::default()
        }
    }

    fn numbers(page: &OrderPage) -> Vec<&str> {
        page.rows.iter().map(|o| o.order_no.as_str()).collect()
    }

    #[tokio::test]
    async fn activity_tells_what_the_reconciler_can_ask_from_what_no_one_can() {
        let (_dir, store) =
            temp_store_with_profiles(&[("sc", "sensecore"), ("pt", "partner")]).await;
        for (profile, no) in [("sc", "S-1"), ("pt", "P-1"), ("pt", "P-2")] {
            let o = add_order(&store, profile, no, "3.00", "").await;
            let a = begin_attempt(&store, &o, "alipay", &format!("k-{no}"))
                .await
                .unwrap();
            record_state(&store, a.id, AttemptState::Pending).await;
        }
        let p2 = store.order_detail("P-2").await.unwrap().attempts[0]
            .attempt
            .id;
        record_state(&store, p2, AttemptState::Unknown).await;
        // S-1 pending and P-2 unknown can be settled by asking (or by a person, after);
        // P-1 pending on partner cannot be asked at all.
        assert_eq!(
            store.activity().await.unwrap(),
            Activity {
                in_flight: 2,
                unasked: 1,
                needs_review: 0
            }
        );
    }

    /// Three orders: A-1 paid by Alipay (charge ch_abc, pay URL), A-2 failed on balance,
    /// B-1 on another profile never paid.
    async fn seeded() -> (tempfile::TempDir, Store) {
        let (dir, store) =
            temp_store_with_profiles(&[("shop", "sensecore"), ("other", "top")]).await;
        let a1 = add_order(&store, "shop", "A-1", "12.34", "GPU hours").await;
        let a2 = add_order(&store, "shop", "A-2", "0.50", "Storage").await;
        add_order(&store, "other", "B-1", "99.00", "Season pass").await;
        let paid = begin_attempt(&store, &a1, "alipay", "key-one")
            .await
            .unwrap();
        store
            .record(
                paid.id,
                AttemptState::Pending,
                &AttemptUpdate {
                    gateway_ref: Some("ch_abc123".into()),
                    pay_url: Some("https://pay.example/qr?o=A-1".into()),
                    ..AttemptUpdate::default()
                },
            )
            .await
            .unwrap();
        record_state(&store, paid.id, AttemptState::Succeeded).await;
        let failed = begin_attempt(&store, &a2, "balance", "key-two")
            .await
            .unwrap();
        record_state(&store, failed.id, AttemptState::Failed).await;
        (dir, store)
    }

    #[tokio::test]
    async fn filters_search_sorts_and_pages_in_the_database() {
        let (_dir, store) = seeded().await;
        let all = store.query_orders(&query()).await.unwrap();
        assert_eq!(all.total, 3);
        assert_eq!(numbers(&all), ["A-1", "A-2", "B-1"]);

        let text = |t: &str| OrderQuery {
            text: Some(t.into()),
            ..query()
        };
        assert_eq!(
            numbers(&store.query_orders(&text("A-")).await.unwrap()),
            ["A-1", "A-2"]
        );
        assert_eq!(
            numbers(&store.query_orders(&text("ch_abc")).await.unwrap()),
            ["A-1"]
        );
        assert_eq!(
            numbers(&store.query_orders(&text("key-two")).await.unwrap()),
            ["A-2"]
        );
        assert_eq!(
            numbers(
                &store
                    .query_orders(&text("https://pay.example/qr?o=A-1"))
                    .await
                    .unwrap()
            ),
            ["A-1"]
        );
        // Anywhere in the subject, any case, from three characters on.
        assert_eq!(
            numbers(&store.query_orders(&text("ason pa")).await.unwrap()),
            ["B-1"]
        );
        assert_eq!(
            numbers(&store.query_orders(&text("gpu")).await.unwrap()),
            ["A-1"]
        );
        assert_eq!(
            store
                .query_orders(&text("\"quoted\" OR x"))
                .await
                .unwrap()
                .total,
            0
        );

        let state = |s| OrderQuery {
            state: Some(s),
            ..query()
        };
        assert_eq!(
            numbers(
                &store
                    .query_orders(&state(AttemptState::Succeeded))
                    .await
                    .unwrap()
            ),
            ["A-1"]
        );
        assert_eq!(
            numbers(
                &store
                    .query_orders(&state(AttemptState::Failed))
                    .await
                    .unwrap()
            ),
            ["A-2"]
        );
        assert_eq!(
            numbers(
                &store
                    .query_orders(&state(AttemptState::Created))
                    .await
                    .unwrap()
            ),
            ["B-1"]
        );

        let channel = OrderQuery {
            channel: Some("alipay".into()),
            ..query()
        };
        assert_eq!(
            numbers(&store.query_orders(&channel).await.unwrap()),
            ["A-1"]
        );
        let other = OrderQuery {
            profile: Some("other".into()),
            ..query()
        };
        assert_eq!(numbers(&store.query_orders(&other).await.unwrap()), ["B-1"]);
        let future = OrderQuery {
            from_ms: Some(now_ms() + 60_000),
            ..query()
        };
        assert_eq!(store.query_orders(&future).await.unwrap().total, 0);
        let past = OrderQuery {
            to_ms: Some(0),
            ..query()
        };
        assert_eq!(store.query_orders(&past).await.unwrap().total, 0);

        let by_amount = OrderQuery {
            sort: OrderSort::Amount,
            descending: true,
            ..query()
        };
        assert_eq!(
            numbers(&store.query_orders(&by_amount).await.unwrap()),
            ["B-1", "A-1", "A-2"]
        );
        let second = OrderQuery {
            sort: OrderSort::OrderNo,
            offset: 1,
            limit: 1,
            ..query()
        };
        let page = store.query_orders(&second).await.unwrap();
        assert_eq!((page.total, numbers(&page)), (3, vec!["A-2"]));
        let a1 = &store.query_orders(&text("A-1")).await.unwrap().rows[0];
        assert_eq!(
            (a1.amount.as_str(), a1.state),
            ("12.34", Some(AttemptState::Succeeded))
        );
    }

    #[tokio::test]
    async fn finds_an_order_by_any_reference() {
        let (_dir, store) = seeded().await;
        let find = |r: &'static str| {
            let store = store.clone();
            async move {
                store
                    .lookup(r, 10)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|h| (h.order_no, h.matched))
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            find("ch_abc123").await,
            [("A-1".to_string(), "gateway_ref")]
        );
        assert_eq!(
            find(" key-two ").await,
            [("A-2".to_string(), "idempotency_key")]
        );
        assert_eq!(
            find("https://pay.example/qr?o=A-1").await,
            [("A-1".to_string(), "pay_url")]
        );
        assert_eq!(find("B-1").await, [("B-1".to_string(), "order_no")]);
        assert_eq!(find("ch_ab").await, [("A-1".to_string(), "gateway_ref")]);
        assert_eq!(find("torag").await, [("A-2".to_string(), "subject")]);
        assert!(find("nothing-like-it").await.is_empty());
    }

    #[tokio::test]
    async fn the_quote_refuses_what_the_engine_refuses_and_prices_the_rest_exactly() {
        let (_dir, store) = seeded().await;
        add_order(&store, "shop", "V-1", "100.00", "").await;
        add_order(&store, "other", "T-1", "30.00", "").await;
        // No secrets: the engine refuses every payment its own checks let through at the
        // keyring, so nothing is sent and both verdicts can be compared.
        let top_caps = connector_for("top").unwrap().capabilities();
        let top = top_caps
            .channels
            .first()
            .copied()
            .unwrap_or(Channel::Balance);
        let engine = Engine::new(
            store.clone(),
            Arc::new(MemoryVault::default()),
            Transport::default(),
        );
        type Case<'a> = (
            &'a str,
            Channel,
            Vec<(&'a str, &'a str)>,
            Option<&'a str>,
            Option<&'a str>,
        );
        let cases: Vec<Case> = vec![
            ("V-1", Channel::Balance, vec![], None, None),
            (
                "V-1",
                Channel::Balance,
                vec![("v1", "30.10"), ("v2", "0.05")],
                None,
                None,
            ),
            ("V-1", Channel::Balance, vec![("v1", "100.00")], None, None),
            ("V-1", Channel::Balance, vec![("v1", "100.01")], None, None),
            ("V-1", Channel::Balance, vec![("v1", "1.234")], None, None),
            ("V-1", Channel::Balance, vec![("v1", "-1")], None, None),
            ("V-1", Channel::Balance, vec![("v1", "abc")], None, None),
            ("V-1", Channel::Unionpay, vec![], None, None),
            ("V-1", Channel::Balance, vec![], Some("c-1"), None),
            ("V-1", Channel::Balance, vec![], None, Some("1.00")),
            ("T-1", top, vec![], None, Some("10.00")),
            ("T-1", top, vec![], None, Some("30.01")),
            ("T-1", top, vec![], None, Some("0")),
            ("NOPE", Channel::Balance, vec![], None, None),
        ];
        for (order_no, channel, deductions, coupon, credit) in cases {
            let deductions: Vec<(String, String)> = deductions
                .iter()
                .map(|(i, a)| (i.to_string(), a.to_string()))
                .collect();
            let quote = store
                .quote(&QuoteInput {
                    order_no: order_no.into(),
                    channel,
                    deductions: deductions.clone(),
                    coupon: coupon.map(String::from),
                    credit_amount: credit.map(String::from),
                })
                .await;
            let paid = engine
                .pay(&PayCommand {
                    order_no: order_no.into(),
                    channel,
                    deductions,
                    coupon: coupon.map(String::from),
                    credit_amount: credit.map(String::from),
                })
                .await;
            let label = format!("{order_no} {channel:?} {credit:?}");
            match (&quote, &paid) {
                (Ok(_), Err(PayError::Refused(why))) => {
                    assert!(
                        why.contains("keyring"),
                        "{label}: quoted, but the engine refused: {why}"
                    )
                }
                (Err(QuoteError::Refused(q)), Err(PayError::Refused(p))) => {
                    assert_eq!(q, p, "{label}")
                }
                (
                    Err(QuoteError::Store(StoreError::NoSuchOrder(_))),
                    Err(PayError::Store(StoreError::NoSuchOrder(_))),
                ) => {}
                other => panic!("{label}: quote and engine disagree: {other:?}"),
            }
        }
        assert_eq!(
            store.activity().await.unwrap(),
            Activity {
                in_flight: 0,
                unasked: 0,
                needs_review: 0
            }
        );

        let quote = store
            .quote(&QuoteInput {
                order_no: "V-1".into(),
                channel: Channel::Balance,
                deductions: vec![("v1".into(), "30.10".into()), ("v2".into(), "0.05".into())],
                coupon: None,
                credit_amount: None,
            })
            .await
            .unwrap();
        assert_eq!(
            (
                quote.amount.as_str(),
                quote.deducted.as_str(),
                quote.remaining.as_str(),
                quote.remaining_minor
            ),
            ("100.00", "30.15", "69.85", 6985)
        );
        if top_caps.credit_split {
            let split = store
                .quote(&QuoteInput {
                    order_no: "T-1".into(),
                    channel: top,
                    deductions: vec![],
                    coupon: None,
                    credit_amount: Some("10.5".into()),
                })
                .await
                .unwrap();
            assert_eq!(
                (split.credit.as_deref(), split.balance.as_deref()),
                (Some("10.50"), Some("19.50"))
            );
        }
    }

    #[tokio::test]
    async fn takings_and_profiles() {
        let (_dir, store) = seeded().await;
        let rows = store.takings(0).await.unwrap();
        let paid = rows
            .iter()
            .find(|r| r.state == AttemptState::Succeeded)
            .unwrap();
        assert_eq!(
            (paid.channel.as_str(), paid.count, paid.amount.as_str()),
            ("alipay", 1, "12.34")
        );
        assert!(store.takings(now_ms() + 60_000).await.unwrap().is_empty());

        let settings = BTreeMap::from([("billing_account_id".to_string(), "ba-9".to_string())]);
        store
            .update_profile("shop", "https://gw.example", &settings)
            .await
            .unwrap();
        let shop = store.profile("shop").await.unwrap();
        assert_eq!(
            (shop.base_url.as_str(), &shop.settings),
            ("https://gw.example", &settings)
        );
        assert!(matches!(
            store.update_profile("nope", "x", &settings).await,
            Err(StoreError::NoSuchProfile(_))
        ));

        assert_eq!(store.profile_order_count("shop").await.unwrap(), 2);
        assert!(
            !store.remove_profile("shop").await.unwrap(),
            "a profile with orders stays"
        );
        add_profile(&store, "empty", "yian").await;
        assert!(store.remove_profile("empty").await.unwrap());
        assert!(matches!(
            store.profile("empty").await,
            Err(StoreError::NoSuchProfile(_))
        ));
        assert!(gateways()
            .iter()
            .any(|g| g.id == "sensecore" && g.capabilities.vouchers));
    }

    /// A million orders: a page, a count, a search and a filter each answer quickly, because
    /// every one of them walks an index rather than the table.
    #[tokio::test]
    async fn a_million_orders_stay_quick() {
        let (_dir, store) = temp_store_with_profiles(&[("shop", "sensecore")]).await;
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
             INSERT INTO orders (order_no, profile_id, amount_minor, currency, subject, attributes, created_at)
             SELECT printf('ORD-%07d', i), 1, 100 + i % 9000, 'CNY', 'item ' || (i % 997), '{}', 1700000000000 + i FROM n",
        )
        .execute(store.pool())
        .await
        .unwrap();
        let order = store.order("ORD-0500000").await.unwrap();
        let paid = store
            .begin_attempt(
                order.id,
                "ORD-0500000",
                "balance",
                "k-big",
                100,
                "[]",
                None,
                None,
                crate::test_support::sending(),
            )
            .await
            .unwrap();
        store
            .record(
                paid.id,
                AttemptState::Failed,
                &AttemptUpdate {
                    gateway_ref: Some("ch_big".into()),
                    ..AttemptUpdate::default()
                },
            )
            .await
            .unwrap();
        let timed = |q: OrderQuery| {
            let store = store.clone();
            async move {
                let started = Instant::now();
                let page = store.query_orders(&q).await.unwrap();
                (page, started.elapsed())
            }
        };
        let budget = std::time::Duration::from_millis(1500);
        let (page, took) = timed(OrderQuery {
            limit: 200,
            ..OrderQuery::default()
        })
        .await;
        assert_eq!((page.total, page.rows.len()), (1_000_000, 200));
        assert!(took < budget, "first page: {took:?}");
        let (page, took) = timed(OrderQuery {
            offset: 999_900,
            limit: 200,
            sort: OrderSort::Amount,
            ..OrderQuery::default()
        })
        .await;
        assert_eq!(page.rows.len(), 100);
        assert!(took < budget, "last page by amount: {took:?}");
        let (page, took) = timed(OrderQuery {
            text: Some("RD-04999".into()),
            limit: 200,
            ..OrderQuery::default()
        })
        .await;
        assert_eq!(page.total, 100);
        assert!(took < budget, "text search: {took:?}");
        let (page, took) = timed(OrderQuery {
            text: Some("ch_big".into()),
            limit: 200,
            ..OrderQuery::default()
        })
        .await;
        assert_eq!(numbers(&page), ["ORD-0500000"]);
        assert!(took < budget, "gateway reference: {took:?}");
        let (page, took) = timed(OrderQuery {
            state: Some(AttemptState::Failed),
            limit: 200,
            ..OrderQuery::default()
        })
        .await;
        assert_eq!(page.total, 1);
        assert!(took < budget, "state filter: {took:?}");
        let (page, took) = timed(OrderQuery {
            channel: Some("balance".into()),
            limit: 200,
            ..OrderQuery::default()
        })
        .await;
        assert_eq!(page.total, 1);
        assert!(took < budget, "channel filter: {took:?}");
        let (page, took) = timed(OrderQuery {
            state: Some(AttemptState::Created),
            limit: 200,
            ..OrderQuery::default()
        })
        .await;
        assert_eq!(page.total, 999_999);
        assert!(took < budget, "never paid: {took:?}");
    }
}
