//! The orders list: filters, sorting and paging done in the database, and typed text found
//! inside order numbers and subjects through the trigram index.

use sqlx::{Database, Encode, Postgres, QueryBuilder, Row, Sqlite, Type};

use super::{corrupt, prefix_end, OrderPage, OrderQuery, OrderSort, MAX_PAGE};
use crate::domain::{AttemptState, OrderView};
use crate::store::{Dialect, OrderViewRow, RecordPool, Result, Store, ORDER_VIEW_COLUMNS};

const ORDER_COLUMNS: &str = "
    SELECT o.id, o.order_no, o.amount_minor, o.currency, o.subject, o.attributes, o.created_at,
           p.name AS profile, p.gateway, p.is_sandbox,
           a.state, a.channel, COALESCE(a.updated_at, o.created_at) AS updated_at,
           o.revision, o.cancelled_at, o.cancel_note";

/// A page's rows as one JSON array of arrays, in the page's order and [`OrderViewRow`]'s field
/// order. sqlx hands every row from its database thread to the caller on its own (a channel
/// message, a wake-up and a copy of each value, about 8 µs a row here): a page of 100 rows cost
/// three times its SQL, one row of JSON costs one hand-over.
fn page_as_json() -> String {
    format!("json_group_array(json_array({ORDER_VIEW_COLUMNS})) FROM (")
}

/// What the filters read: the orders alone ([`Dialect::ORDERS_LISTED`]), every condition on
/// attempts being a subquery that walks an index of attempts.
pub(crate) fn orders_from<DB: Dialect>() -> String {
    format!(" FROM {} o", DB::ORDERS_LISTED)
}

pub(crate) const ORDER_JOINS: &str = concat!(
    "
    JOIN profiles p ON p.id = o.profile_id
    LEFT JOIN attempts a ON a.id = ",
    crate::store::latest_attempt_of!("o.id")
);

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
    /// On a shared (PostgreSQL) store: order numbers and subjects matching `pattern` (ILIKE,
    /// the text's own `%`, `_` and `\` taken literally), through pg_trgm's indexes.
    Contains { pattern: String },
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
            Substring::Contains { pattern } => values.extend([pattern.clone(), pattern.clone()]),
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
fn push_text_filter<'a, DB: Database>(q: &mut QueryBuilder<'a, DB>, text: &TextMatch)
where
    String: Encode<'a, DB> + Type<DB>,
{
    let mut values = text.bound_values().into_iter();
    let mut bind = |q: &mut QueryBuilder<'a, DB>| {
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
        Substring::Contains { .. } => {
            q.push(" OR o.order_no ILIKE ");
            bind(q);
            q.push(" OR o.subject ILIKE ");
            bind(q);
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
pub(crate) fn push_filters<'a, DB: Database>(
    q: &mut QueryBuilder<'a, DB>,
    filter: &OrderQuery,
    text: Option<&TextMatch>,
) where
    String: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
{
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
            q.push(" AND o.latest_state = ")
                .push_bind(state.as_str().to_string());
        }
    }
    if let Some(channel) = &filter.channel {
        q.push(" AND o.latest_channel = ")
            .push_bind(channel.clone());
    }
    if let Some(desk) = &filter.desk {
        q.push(" AND o.latest_desk = ").push_bind(desk.clone());
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
        // By the order's own time: an order moved in from a desk's history arrives with a
        // later id than orders created after it. The id breaks ties.
        OrderSort::Created => format!(" ORDER BY o.created_at {direction}, o.id {direction}"),
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
            page.push(orders_from::<Sqlite>());
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
/// rows as [`page_as_json`]. Typed text's matches are found once, for both (its candidates are
/// checked one by one); other filters are index ranges, counted apart from the page.
pub(crate) fn page_with_total(
    query: &OrderQuery,
    text: Option<&TextMatch>,
    limit: i64,
    offset: i64,
) -> QueryBuilder<'static, Sqlite> {
    let unfiltered = is_unfiltered(query, text);
    let mut q = QueryBuilder::<Sqlite>::new("");
    let ids = if text.is_some() {
        q.push("WITH matches AS MATERIALIZED (SELECT o.id");
        q.push(orders_from::<Sqlite>());
        push_filters(&mut q, query, text);
        q.push(") SELECT (SELECT count(*) FROM matches), ");
        PageIds::Matches
    } else if unfiltered {
        // Kept by triggers (migration 0009): counting a million orders takes 9 ms.
        q.push("SELECT (SELECT orders FROM order_count WHERE id = 1), ");
        PageIds::Filtered(None)
    } else {
        q.push("SELECT (SELECT count(*)");
        q.push(orders_from::<Sqlite>());
        push_filters(&mut q, query, None);
        q.push("), ");
        PageIds::Filtered(None)
    };
    q.push(page_as_json());
    push_page(&mut q, query, ids, limit, offset);
    q.push(")");
    q
}

/// Whether the page lists every order: its count is then the one the triggers keep.
fn is_unfiltered(query: &OrderQuery, text: Option<&TextMatch>) -> bool {
    text.is_none()
        && typed(query).is_none()
        && query.state.is_none()
        && query.channel.is_none()
        && query.profile.is_none()
        && query.desk.is_none()
        && query.from_ms.is_none()
        && query.to_ms.is_none()
}

/// [`page_with_total`] on a shared (PostgreSQL) store: the same filters and page, counted
/// apart, the page's rows as one row of JSON in the page's order.
fn shared_page_with_total(
    query: &OrderQuery,
    text: Option<&TextMatch>,
    limit: i64,
    offset: i64,
) -> QueryBuilder<'static, Postgres> {
    let order_by = order_by(query);
    let mut q = QueryBuilder::<Postgres>::new("");
    if is_unfiltered(query, text) {
        // Kept by triggers, spread over a few rows (migration 0010): counting a million
        // orders takes about 35 ms.
        q.push("SELECT (SELECT sum(orders)::bigint FROM order_counts");
    } else {
        q.push("SELECT (SELECT count(*)");
        q.push(orders_from::<Postgres>());
        push_filters(&mut q, query, text);
    }
    q.push(
        "), coalesce(json_agg(json_build_array(id, order_no, amount_minor, currency, subject, \
         attributes, created_at, profile, gateway, is_sandbox, state, channel, updated_at, \
         revision, cancelled_at, cancel_note) ORDER BY place), '[]')::text FROM (",
    );
    q.push(ORDER_COLUMNS);
    q.push(", k.place FROM (SELECT o.id, row_number() OVER (");
    q.push(order_by.trim_start());
    q.push(") AS place");
    q.push(orders_from::<Postgres>());
    push_filters(&mut q, query, text);
    q.push(&order_by);
    q.push(" LIMIT ").push_bind(limit);
    q.push(" OFFSET ").push_bind(offset);
    q.push(") k JOIN orders o ON o.id = k.id");
    q.push(ORDER_JOINS);
    q.push(") page");
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
        let pool = match self.record_pool() {
            RecordPool::Sqlite(pool) => pool,
            RecordPool::Postgres(_) => {
                found.substring = Substring::Contains {
                    pattern: crate::store::like_pattern(text),
                };
                return Ok(found);
            }
        };
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
        let row = probe.build().fetch_one(pool).await?;
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
        let (total, rows): (i64, String) = match self.record_pool() {
            RecordPool::Sqlite(pool) => {
                page_with_total(query, text.as_ref(), limit, offset)
                    .build_query_as()
                    .fetch_one(pool)
                    .await?
            }
            RecordPool::Postgres(pool) => {
                shared_page_with_total(query, text.as_ref(), limit, offset)
                    .build_query_as()
                    .fetch_one(pool)
                    .await?
            }
        };
        let rows: Vec<OrderViewRow> = serde_json::from_str(&rows).map_err(corrupt)?;
        Ok(OrderPage {
            total,
            offset,
            rows: rows
                .into_iter()
                .map(OrderView::try_from)
                .collect::<Result<_>>()?,
        })
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod plan_tests;

#[cfg(test)]
#[path = "search_tests.rs"]
mod search_tests;
