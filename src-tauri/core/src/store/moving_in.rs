//! Moving a standalone desk's history into the shared store it connects to: its profiles,
//! orders, attempts with their events, and review decisions, in one transaction on the
//! server. The demo's never move. What the shared store already holds is matched by its
//! natural key (a profile's name, an order's number, an attempt's idempotency key), so moving
//! again adds nothing; a profile or order that exists there with other contents, or an order
//! paid (or being paid) both here and there, stops the move before anything is written, each
//! named. Rows get the shared store's ids; the desk's file keeps its own copy.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use sqlx::{PgConnection, Postgres, QueryBuilder, SqlitePool};

use super::rows::{
    push_attempt_columns, AttemptRow, EventRow, OrderRow, ProfileRow, ReviewRow, ATTEMPT_COLUMNS,
    ORDER_CHANGE_COLUMNS,
};
use super::{json_map, Backend, Result, Store, StoreError, IMPORT_ROWS_PER_STATEMENT};
use crate::changes::Change;
use paydesk_gateways::{Currency, Money};

/// Orders read from the desk's file at a time.
const ORDERS_PER_CHUNK: i64 = 500;

/// The states of an attempt that hold its order: the order is paid or being paid.
const HOLDING_STATES: [&str; 6] = [
    "created",
    "submitting",
    "pending",
    "unknown",
    "needs_review",
    "succeeded",
];

/// What moving a desk's history in brought, and what the shared store held already.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct MovedIn {
    pub profiles: u64,
    pub orders: u64,
    pub attempts: u64,
    pub events: u64,
    pub reviews: u64,
    /// Profiles, orders and attempts that were there already (moved before, or the same
    /// profile or order set up at another desk).
    pub already_there: u64,
    /// Profiles that were there already under another keyring name than this desk's.
    #[serde(skip)]
    pub secrets_elsewhere: Vec<SecretsElsewhere>,
}

/// A profile whose secrets this machine's keyring keeps under `here`, while the shared
/// store's profile of that name reads them from `there`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretsElsewhere {
    pub profile: String,
    pub gateway: String,
    pub here: String,
    pub there: String,
}

/// One chunk of the desk's own orders (outside the demo), with their attempts, events and
/// reviews, in id order.
struct Chunk {
    orders: Vec<OrderRow>,
    attempts: Vec<AttemptRow>,
    events: Vec<EventRow>,
    reviews: Vec<ReviewRow>,
}

/// The orders of non-demo profiles with ids in `(after, to]`, as the joins below limit them.
const OWN_ORDERS: &str = "JOIN orders o ON o.id = a.order_id
     JOIN profiles p ON p.id = o.profile_id
     WHERE p.is_sandbox = 0 AND o.id > $1 AND o.id <= $2";

/// The next chunk of the desk's own orders after order id `after`; none when all are read.
async fn read_chunk(local: &SqlitePool, after: i64) -> Result<Option<Chunk>> {
    let orders: Vec<OrderRow> = sqlx::query_as(&format!(
        "SELECT o.id, o.order_no, o.profile_id, o.amount_minor, o.currency, o.subject,
                o.attributes, o.created_at, {ORDER_CHANGE_COLUMNS}
         FROM orders o JOIN profiles p ON p.id = o.profile_id
         WHERE p.is_sandbox = 0 AND o.id > $1 ORDER BY o.id LIMIT $2",
    ))
    .bind(after)
    .bind(ORDERS_PER_CHUNK)
    .fetch_all(local)
    .await?;
    let Some(last) = orders.last().map(|o| o.id) else {
        return Ok(None);
    };
    let attempts = sqlx::query_as(&format!(
        "SELECT a.id, a.{}, a.db_role FROM attempts a {OWN_ORDERS} ORDER BY a.id",
        ATTEMPT_COLUMNS.replace(", ", ", a.")
    ))
    .bind(after)
    .bind(last)
    .fetch_all(local)
    .await?;
    let events = sqlx::query_as(&format!(
        "SELECT e.id, e.attempt_id, e.state, e.detail, e.at, e.desk, e.operator, e.db_role
         FROM attempt_events e JOIN attempts a ON a.id = e.attempt_id {OWN_ORDERS} ORDER BY e.id"
    ))
    .bind(after)
    .bind(last)
    .fetch_all(local)
    .await?;
    let reviews = sqlx::query_as(&format!(
        "SELECT r.id, r.attempt_id, r.decision, r.note, r.at, r.desk, r.operator, r.db_role
         FROM reviews r JOIN attempts a ON a.id = r.attempt_id {OWN_ORDERS} ORDER BY r.id"
    ))
    .bind(after)
    .bind(last)
    .fetch_all(local)
    .await?;
    Ok(Some(Chunk {
        orders,
        attempts,
        events,
        reviews,
    }))
}

/// `what` differs in these fields: "amount (12.34 CNY here, 10.00 CNY in the shared store)".
fn differences(fields: &[(&str, String, String)]) -> Option<String> {
    let differing: Vec<String> = fields
        .iter()
        .filter(|(_, here, there)| here != there)
        .map(|(field, here, there)| format!("{field} ({here} here, {there} in the shared store)"))
        .collect();
    (!differing.is_empty()).then(|| differing.join(", "))
}

/// A JSON map as a conflict names it; text that is not one, as it is.
fn map_text(json: &str) -> String {
    json_map(json)
        .map(|map| format!("{map:?}"))
        .unwrap_or_else(|_| json.to_string())
}

fn profile_conflict(here: &ProfileRow, there: &ProfileRow) -> Option<String> {
    let demo = |p: &ProfileRow| if p.is_sandbox { "demo" } else { "real" }.to_string();
    differences(&[
        ("gateway", here.gateway.clone(), there.gateway.clone()),
        ("address", here.base_url.clone(), there.base_url.clone()),
        (
            "settings",
            map_text(&here.settings),
            map_text(&there.settings),
        ),
        ("money", demo(here), demo(there)),
    ])
    .map(|why| format!("profile {:?} differs in {why}", here.name))
}

/// An order as the shared store holds it, with its profile's name.
#[derive(sqlx::FromRow)]
struct OrderThere {
    id: i64,
    order_no: String,
    profile: String,
    amount_minor: i64,
    currency: String,
    subject: String,
    attributes: String,
    cancelled_at: Option<i64>,
}

fn amount_text(minor: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(c) => format!(
            "{} {currency}",
            Money::from_minor(minor, c).to_decimal_string()
        ),
        Err(_) => format!("{minor} (minor units) {currency}"),
    }
}

fn cancelled_text(cancelled_at: Option<i64>) -> String {
    if cancelled_at.is_some() {
        "cancelled"
    } else {
        "not cancelled"
    }
    .to_string()
}

fn order_conflict(here: &OrderRow, profile: &str, there: &OrderThere) -> Option<String> {
    differences(&[
        ("profile", profile.to_string(), there.profile.clone()),
        (
            "amount",
            amount_text(here.amount_minor, &here.currency),
            amount_text(there.amount_minor, &there.currency),
        ),
        (
            "subject",
            format!("{:?}", here.subject),
            format!("{:?}", there.subject),
        ),
        (
            "attributes",
            map_text(&here.attributes),
            map_text(&there.attributes),
        ),
        (
            "cancellation",
            cancelled_text(here.cancelled_at),
            cancelled_text(there.cancelled_at),
        ),
    ])
    .map(|why| format!("order {:?} differs in {why}", here.order_no))
}

/// The shared store's orders with these numbers, by number.
async fn orders_there(tx: &mut PgConnection, chunk: &Chunk) -> Result<HashMap<String, OrderThere>> {
    let numbers: Vec<&str> = chunk.orders.iter().map(|o| o.order_no.as_str()).collect();
    let rows: Vec<OrderThere> = sqlx::query_as(
        "SELECT o.id, o.order_no, p.name AS profile, o.amount_minor, o.currency, o.subject,
                o.attributes, o.cancelled_at
         FROM orders o JOIN profiles p ON p.id = o.profile_id WHERE o.order_no = ANY($1)",
    )
    .bind(&numbers)
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows.into_iter().map(|o| (o.order_no.clone(), o)).collect())
}

/// The shared store's attempts with these idempotency keys: key → (id, order number).
async fn attempts_there(
    tx: &mut PgConnection,
    chunk: &Chunk,
) -> Result<HashMap<String, (i64, String)>> {
    let keys: Vec<&str> = chunk
        .attempts
        .iter()
        .map(|a| a.idempotency_key.as_str())
        .collect();
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT a.idempotency_key, a.id, o.order_no FROM attempts a
         JOIN orders o ON o.id = a.order_id WHERE a.idempotency_key = ANY($1)",
    )
    .bind(&keys)
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(key, id, order_no)| (key, (id, order_no)))
        .collect())
}

/// What in `chunk` disagrees with the shared store, each named.
async fn chunk_conflicts(
    tx: &mut PgConnection,
    chunk: &Chunk,
    profile_names: &HashMap<i64, String>,
) -> Result<Vec<String>> {
    let mut conflicts = Vec::new();
    let orders = orders_there(tx, chunk).await?;
    let order_nos: HashMap<i64, &OrderRow> = chunk.orders.iter().map(|o| (o.id, o)).collect();
    for here in &chunk.orders {
        let profile = &profile_names[&here.profile_id];
        if let Some(why) = orders
            .get(&here.order_no)
            .and_then(|there| order_conflict(here, profile, there))
        {
            conflicts.push(why);
        }
    }
    let attempts = attempts_there(tx, chunk).await?;
    for here in &chunk.attempts {
        let order_no = &order_nos[&here.order_id].order_no;
        if let Some((_, there)) = attempts.get(&here.idempotency_key) {
            if there != order_no {
                conflicts.push(format!(
                    "attempt {} of order {order_no:?} has the idempotency key of an attempt of order {there:?} in the shared store",
                    here.id
                ));
            }
        }
    }
    // An order paid (or being paid) here by an attempt the shared store lacks, where the
    // shared store has one of its own holding it: two payments, which a person must look at.
    let holding_here: Vec<&AttemptRow> = chunk
        .attempts
        .iter()
        .filter(|a| HOLDING_STATES.contains(&a.state.as_str()))
        .filter(|a| !attempts.contains_key(&a.idempotency_key))
        .collect();
    let numbers: Vec<&str> = holding_here
        .iter()
        .map(|a| order_nos[&a.order_id].order_no.as_str())
        .filter(|n| orders.contains_key(*n))
        .collect();
    if !numbers.is_empty() {
        let held: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT o.order_no, a.state, a.desk FROM attempts a JOIN orders o ON o.id = a.order_id
             WHERE o.order_no = ANY($1) AND a.state = ANY($2)",
        )
        .bind(&numbers)
        .bind(&HOLDING_STATES[..])
        .fetch_all(&mut *tx)
        .await?;
        for (order_no, state, desk) in held {
            let here = holding_here
                .iter()
                .find(|a| order_nos[&a.order_id].order_no == order_no)
                .map(|a| a.state.clone())
                .unwrap_or_default();
            conflicts.push(format!(
                "order {order_no:?} is {here} here and {state} in the shared store (at {desk}): look at both payments first"
            ));
        }
    }
    Ok(conflicts)
}

/// Writes the chunk's orders, attempts, events and reviews the shared store lacks.
async fn write_chunk(
    tx: &mut PgConnection,
    chunk: &Chunk,
    profile_ids: &HashMap<i64, i64>,
    moved: &mut MovedIn,
) -> Result<()> {
    let mut order_ids: HashMap<String, i64> = orders_there(tx, chunk)
        .await?
        .into_iter()
        .map(|(no, o)| (no, o.id))
        .collect();
    moved.already_there += order_ids.len() as u64;
    let new_orders: Vec<&OrderRow> = chunk
        .orders
        .iter()
        .filter(|o| !order_ids.contains_key(&o.order_no))
        .collect();
    for rows in new_orders.chunks(IMPORT_ROWS_PER_STATEMENT) {
        let mut insert = QueryBuilder::<Postgres>::new(format!(
            "INSERT INTO orders (order_no, profile_id, amount_minor, currency, subject, attributes, \
             created_at, {ORDER_CHANGE_COLUMNS}) "
        ));
        insert.push_values(rows, |mut v, o| {
            v.push_bind(&o.order_no)
                .push_bind(profile_ids[&o.profile_id])
                .push_bind(o.amount_minor)
                .push_bind(&o.currency)
                .push_bind(&o.subject)
                .push_bind(&o.attributes)
                .push_bind(o.created_at)
                .push_bind(o.revision)
                .push_bind(o.cancelled_at)
                .push_bind(&o.cancel_note)
                .push_bind(&o.changes);
        });
        insert.push(" RETURNING order_no, id");
        let added: Vec<(String, i64)> = insert.build_query_as().fetch_all(&mut *tx).await?;
        moved.orders += added.len() as u64;
        order_ids.extend(added);
    }
    let order_nos: HashMap<i64, &str> = chunk
        .orders
        .iter()
        .map(|o| (o.id, o.order_no.as_str()))
        .collect();
    let there = attempts_there(tx, chunk).await?;
    moved.already_there += there.len() as u64;
    let new_attempts: Vec<&AttemptRow> = chunk
        .attempts
        .iter()
        .filter(|a| !there.contains_key(&a.idempotency_key))
        .collect();
    let mut attempt_ids: HashMap<i64, i64> = HashMap::new();
    for rows in new_attempts.chunks(IMPORT_ROWS_PER_STATEMENT) {
        let mut insert =
            QueryBuilder::<Postgres>::new(format!("INSERT INTO attempts ({ATTEMPT_COLUMNS}) "));
        insert.push_values(rows, |mut v, a| {
            push_attempt_columns!(v, a, order_ids[order_nos[&a.order_id]]);
        });
        insert.push(" RETURNING idempotency_key, id");
        let added: HashMap<String, i64> = insert
            .build_query_as::<(String, i64)>()
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
        moved.attempts += added.len() as u64;
        attempt_ids.extend(rows.iter().map(|a| (a.id, added[&a.idempotency_key])));
    }
    let events: Vec<&EventRow> = chunk
        .events
        .iter()
        .filter(|e| attempt_ids.contains_key(&e.attempt_id))
        .collect();
    for rows in events.chunks(IMPORT_ROWS_PER_STATEMENT) {
        let mut insert = QueryBuilder::<Postgres>::new(
            "INSERT INTO attempt_events (attempt_id, state, detail, at, desk, operator) ",
        );
        insert.push_values(rows, |mut v, e| {
            v.push_bind(attempt_ids[&e.attempt_id])
                .push_bind(&e.state)
                .push_bind(&e.detail)
                .push_bind(e.at)
                .push_bind(&e.desk)
                .push_bind(&e.operator);
        });
        moved.events += insert.build().execute(&mut *tx).await?.rows_affected();
    }
    let reviews: Vec<&ReviewRow> = chunk
        .reviews
        .iter()
        .filter(|r| attempt_ids.contains_key(&r.attempt_id))
        .collect();
    for rows in reviews.chunks(IMPORT_ROWS_PER_STATEMENT) {
        let mut insert = QueryBuilder::<Postgres>::new(
            "INSERT INTO reviews (attempt_id, decision, note, at, desk, operator) ",
        );
        insert.push_values(rows, |mut v, r| {
            v.push_bind(attempt_ids[&r.attempt_id])
                .push_bind(&r.decision)
                .push_bind(&r.note)
                .push_bind(r.at)
                .push_bind(&r.desk)
                .push_bind(&r.operator);
        });
        moved.reviews += insert.build().execute(&mut *tx).await?.rows_affected();
    }
    Ok(())
}

impl Store {
    /// Copies this desk's own history (everything outside the demo) from its file into the
    /// shared store it keeps its record on, in one transaction; see the module's rules.
    /// Standalone, there is nowhere to move to: nothing happens.
    pub async fn move_in_own_history(&self) -> Result<MovedIn> {
        let Backend::Postgres(shared, _) = &self.record else {
            return Ok(MovedIn::default());
        };
        let local = &self.local;
        let profiles: Vec<ProfileRow> = sqlx::query_as(
            "SELECT id, name, gateway, base_url, settings, is_sandbox, vault_id, created_at
             FROM profiles WHERE is_sandbox = 0 ORDER BY id",
        )
        .fetch_all(local)
        .await?;
        let mut moved = MovedIn::default();
        if profiles.is_empty() {
            return Ok(moved);
        }
        let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
        let mut tx = shared.begin().await?;
        let there: BTreeMap<String, ProfileRow> = sqlx::query_as::<_, ProfileRow>(
            "SELECT id, name, gateway, base_url, settings, is_sandbox, vault_id, created_at
             FROM profiles WHERE name = ANY($1)",
        )
        .bind(&names)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|p| (p.name.clone(), p))
        .collect();
        let mut conflicts: Vec<String> = profiles
            .iter()
            .filter_map(|p| there.get(&p.name).and_then(|t| profile_conflict(p, t)))
            .collect();
        let profile_names: HashMap<i64, String> =
            profiles.iter().map(|p| (p.id, p.name.clone())).collect();
        let mut after = 0;
        while let Some(chunk) = read_chunk(local, after).await? {
            after = chunk.orders.last().map_or(after, |o| o.id);
            conflicts.extend(chunk_conflicts(&mut tx, &chunk, &profile_names).await?);
        }
        if !conflicts.is_empty() {
            return Err(StoreError::HistoriesDisagree(conflicts));
        }
        let mut profile_ids = HashMap::new();
        for profile in &profiles {
            let id = match there.get(&profile.name) {
                Some(there) => {
                    moved.already_there += 1;
                    if there.vault_id != profile.vault_id {
                        moved.secrets_elsewhere.push(SecretsElsewhere {
                            profile: profile.name.clone(),
                            gateway: profile.gateway.clone(),
                            here: profile.vault_id.clone(),
                            there: there.vault_id.clone(),
                        });
                    }
                    there.id
                }
                None => {
                    moved.profiles += 1;
                    sqlx::query_scalar(
                        "INSERT INTO profiles (name, gateway, base_url, settings, is_sandbox, vault_id, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(&profile.name)
                    .bind(&profile.gateway)
                    .bind(&profile.base_url)
                    .bind(&profile.settings)
                    .bind(profile.is_sandbox)
                    .bind(&profile.vault_id)
                    .bind(profile.created_at)
                    .fetch_one(&mut *tx)
                    .await?
                }
            };
            profile_ids.insert(profile.id, id);
        }
        let mut after = 0;
        while let Some(chunk) = read_chunk(local, after).await? {
            after = chunk.orders.last().map_or(after, |o| o.id);
            write_chunk(&mut tx, &chunk, &profile_ids, &mut moved).await?;
        }
        tx.commit().await?;
        if moved.profiles + moved.orders + moved.attempts > 0 {
            self.publish(Change::Everything);
        }
        Ok(moved)
    }
}

#[cfg(test)]
#[path = "moving_in_tests.rs"]
mod tests;
