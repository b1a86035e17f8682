//! The attempts' journal: an attempt is written as `submitting` before its request leaves, and
//! every move after that goes through the state machine inside one transaction with its event.

use std::collections::HashMap;
use std::sync::LazyLock;

use sqlx::Row as _;

use super::orders::{ORDER_VIEW_COLUMNS, ORDER_VIEW_JOINS};
use super::{corrupt_state, Conn, Db, Pool, Row, CHUNK_ROWS};
use crate::audit::AuditAction;
use crate::domain::{Actor, Attempt, AttemptEvent, AttemptState, OrderView, Profile};
use crate::settling::{next_check_delay_ms, AttemptUpdate, CheckVerdict};
use crate::store::attempts::ChecksRecorded;
use crate::store::dialect::Dialect;
use crate::store::rows::{AttemptRow, ATTEMPT_COLUMNS};
use crate::store::{
    is_unique_violation, json_map, Checked, NewAttempt, Result, Sending, StoreError,
};

pub(in crate::store) fn from_row(row: &Row) -> Result<Attempt> {
    <AttemptRow as sqlx::FromRow<Row>>::from_row(row)?.try_into()
}

pub(in crate::store) async fn attempt(pool: &Pool, id: i64) -> Result<Attempt> {
    let row = sqlx::query("SELECT * FROM attempts WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(StoreError::NoSuchAttempt(id))?;
    from_row(&row)
}

/// Every attempt of an order, oldest first.
pub(in crate::store) async fn of_order(pool: &Pool, order_id: i64) -> Result<Vec<Attempt>> {
    sqlx::query("SELECT * FROM attempts WHERE order_id = $1 ORDER BY id")
        .bind(order_id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

pub(in crate::store) async fn events(pool: &Pool, attempt_id: i64) -> Result<Vec<AttemptEvent>> {
    let rows = sqlx::query("SELECT * FROM attempt_events WHERE attempt_id = $1 ORDER BY id")
        .bind(attempt_id)
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| {
            let state: String = row.try_get("state")?;
            Ok(AttemptEvent {
                attempt_id: row.try_get("attempt_id")?,
                state: AttemptState::parse(&state).ok_or_else(|| corrupt_state(&state))?,
                detail: row.try_get("detail")?,
                at: row.try_get("at")?,
                desk: row.try_get("desk")?,
                operator: row.try_get("operator")?,
                db_role: row.try_get("db_role")?,
                personal_data_hidden: false,
            })
        })
        .collect()
}

/// Journals a new attempt as `submitting` with its `created` and `submitting` events, in one
/// durable transaction; the database refuses a second live attempt for the same order.
pub(in crate::store) async fn begin(
    pool: &Pool,
    new: &NewAttempt<'_>,
    actor: &Actor,
    now: i64,
) -> Result<Attempt> {
    let mut tx = Db::begin_write(pool).await?;
    super::orders::lock_unchanged(&mut tx, new.order_id, new.order_no, new.order_revision).await?;
    let inserted = sqlx::query(
        "INSERT INTO attempts (order_id, channel, state, idempotency_key, amount_minor, deductions,
                               coupon, credit_minor, created_at, updated_at, next_check_at,
                               sender, sender_process, sender_timeout_ms, sent_at, desk, operator,
                               subscription_refunds, shift_id)
         VALUES ($1, $2, 'submitting', $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $8, $13, $14,
                 $15, (SELECT id FROM shifts WHERE desk = $13 AND closed_at IS NULL))
         RETURNING *",
    )
    .bind(new.order_id)
    .bind(new.channel)
    .bind(new.idempotency_key)
    .bind(new.amount_minor)
    .bind(new.deductions_json)
    .bind(new.coupon)
    .bind(new.credit_minor)
    .bind(now)
    // Should its sender never record the answer, the reconciler finds the attempt due once
    // the sender's own time is up, and settles it.
    .bind(new.sending.deadline(now))
    .bind(&new.sending.sender.id)
    .bind(&new.sending.sender.process)
    .bind(new.sending.timeout_ms)
    .bind(&actor.desk)
    .bind(&actor.operator)
    .bind(new.subscription_refunds_json)
    .fetch_one(&mut *tx)
    .await;
    let attempt = match inserted {
        Ok(row) => from_row(&row)?,
        Err(e) if is_unique_violation(&e) => {
            drop(tx);
            return Err(already_live(pool, new.order_id, new.order_no).await);
        }
        Err(e) => return Err(e.into()),
    };
    let events = [AttemptState::Created, AttemptState::Submitting].map(|s| (attempt.id, s, None));
    add_events(&mut tx, &events, actor, now).await?;
    let started = AuditAction::PaymentStarted;
    super::audit::record_attempts(&mut tx, started, &[attempt.id], actor, now).await?;
    tx.commit().await?;
    Ok(attempt)
}

/// Why a new attempt of an order was refused by the one-live-attempt index: the order is
/// paid, or another attempt (named with its desk) is under way.
pub(in crate::store) async fn already_live(
    pool: &Pool,
    order_id: i64,
    order_no: &str,
) -> StoreError {
    let live = match pool.acquire().await {
        Ok(mut conn) => live_attempt(&mut conn, order_id).await,
        Err(e) => Err(e.into()),
    };
    // Settled in between, or unreadable: in progress all the same, by whom unknown.
    held_by(order_no, live.ok().flatten().as_ref())
}

/// The attempt that keeps an order from another attempt and from changing: its payment, or
/// one under way.
pub(super) async fn live_attempt(conn: &mut Conn, order_id: i64) -> Result<Option<Attempt>> {
    sqlx::query(concat!(
        "SELECT * FROM attempts WHERE order_id = $1 AND state IN ",
        holding_states!(),
        " ORDER BY id DESC LIMIT 1"
    ))
    .bind(order_id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// What an order's live attempt says to a new attempt or a change: already paid, or in
/// progress (at whose desk, where known).
pub(super) fn held_by(order_no: &str, live: Option<&Attempt>) -> StoreError {
    match live {
        Some(live) if live.state == AttemptState::Succeeded => {
            StoreError::AlreadyPaid(order_no.to_string())
        }
        Some(live) => StoreError::in_progress(order_no, live),
        None => StoreError::AttemptInProgress {
            order_no: order_no.to_string(),
            desk: None,
            operator: None,
        },
    }
}

/// Moves an attempt to `next` with its event, refusing transitions the state machine does not
/// allow (checked inside the transaction, so two writers cannot both move it).
pub(in crate::store) async fn record(
    pool: &Pool,
    attempt_id: i64,
    next: AttemptState,
    update: &AttemptUpdate,
    actor: &Actor,
    now: i64,
) -> Result<Attempt> {
    let mut tx = Db::begin_write(pool).await?;
    let attempt = move_attempt(&mut tx, attempt_id, next, update, now).await?;
    let event = [(attempt_id, next, update.detail.clone())];
    add_events(&mut tx, &event, actor, now).await?;
    tx.commit().await?;
    Ok(attempt)
}

/// Moves an unknown attempt back to `submitting` to send its request again under its own
/// idempotency key, counting the resend, in one durable transaction.
pub(in crate::store) async fn record_resend(
    pool: &Pool,
    attempt_id: i64,
    detail: &str,
    sending: Sending<'_>,
    actor: &Actor,
    now: i64,
) -> Result<Attempt> {
    let mut tx = Db::begin_write(pool).await?;
    if !super::claims::may_act(&mut tx, attempt_id, &sending.sender.id, now).await? {
        drop(tx);
        let holder = super::claims::holder(pool, attempt_id, now).await?;
        return Err(StoreError::BeingSettled {
            attempt_id,
            desk: holder.and_then(|claim| claim.desk),
        });
    }
    let update = AttemptUpdate {
        detail: Some(detail.to_string()),
        ..AttemptUpdate::default()
    };
    move_attempt(&mut tx, attempt_id, AttemptState::Submitting, &update, now).await?;
    let row = sqlx::query(
        "UPDATE attempts SET resends = resends + 1, next_check_at = $1, sender = $2,
            sender_process = $3, sender_timeout_ms = $4, sent_at = $5
         WHERE id = $6 RETURNING *",
    )
    .bind(sending.deadline(now))
    .bind(&sending.sender.id)
    .bind(&sending.sender.process)
    .bind(sending.timeout_ms)
    .bind(now)
    .bind(attempt_id)
    .fetch_one(&mut *tx)
    .await?;
    let event = [(attempt_id, AttemptState::Submitting, update.detail)];
    add_events(&mut tx, &event, actor, now).await?;
    let resent = AuditAction::PaymentResent;
    super::audit::record_attempts(&mut tx, resent, &[attempt_id], actor, now).await?;
    tx.commit().await?;
    from_row(&row)
}

/// Which of an attempt's indexed references a verdict changes. A column an UPDATE names has its
/// index entries rewritten even where its value stays (a status answer mostly repeats the
/// reference the payment got), so only the verdicts that change one name it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct References {
    gateway_ref: bool,
    pay_url: bool,
    customer_ref: bool,
}

impl References {
    fn changed(seen: &Attempt, update: &AttemptUpdate) -> Self {
        let differs = |new: &Option<String>, old: &Option<String>| new.is_some() && new != old;
        References {
            gateway_ref: differs(&update.gateway_ref, &seen.gateway_ref),
            pay_url: differs(&update.pay_url, &seen.pay_url),
            customer_ref: differs(&update.customer_ref, &seen.customer_ref),
        }
    }
}

/// Records what many status checks concluded, in one durable transaction, each guarded by the
/// state and number of checks its attempt was read with: one that moved on since changes
/// nothing, the newer fact stands.
pub(in crate::store) async fn record_checks(
    pool: &Pool,
    checks: &[Checked],
    actor: &Actor,
    now: i64,
) -> Result<ChecksRecorded> {
    let mut settles = Vec::new();
    let mut inconclusive = Vec::new();
    for Checked {
        seen,
        verdict,
        resent,
    } in checks
    {
        let resent = i64::from(*resent);
        match verdict {
            // A status answer never sends anything, so never moves an attempt to submitting.
            CheckVerdict::Settle(next, update)
                if seen.state.can_become(*next) && *next != AttemptState::Submitting =>
            {
                settles.push((seen, *next, update, resent))
            }
            CheckVerdict::Settle(next, _) => {
                tracing::warn!(attempt = seen.id, from = %seen.state, to = %next, "a status answer contradicts the attempt's state; set aside");
            }
            CheckVerdict::Inconclusive => inconclusive.push((seen, resent)),
        }
    }
    let mut changed_ids = Vec::new();
    let mut counted = Vec::new();
    let mut tx = Db::begin_write(pool).await?;
    // A statement per kind of verdict and chunk: the driver's round trip is paid per chunk,
    // not per row.
    settles.sort_by_key(|(seen, _, update, _)| References::changed(seen, update));
    let shaped = settles.chunk_by(|(a, _, a_update, _), (b, _, b_update, _)| {
        References::changed(a, a_update) == References::changed(b, b_update)
    });
    for chunk in shaped.flat_map(|same| same.chunks(CHUNK_ROWS)) {
        // Which of them are as they were read (held until the commit where rows are locked):
        // the ones the UPDATE below changes. Asked apart, as one JSON text, because the ids
        // the UPDATE would return come back one by one (about a sixth of the commit's time).
        let mut as_seen = sqlx::QueryBuilder::new("WITH v(id, seen_state, seen_checks) AS (");
        as_seen.push_values(chunk, |mut row, (seen, ..)| {
            row.push_bind(seen.id)
                .push_bind(seen.state.as_str())
                .push_bind(seen.checks);
        });
        as_seen.push(format_args!(
            ") SELECT {}id{} FROM (SELECT attempts.id FROM v JOIN attempts ON attempts.id = v.id
               WHERE attempts.state = v.seen_state AND attempts.checks = v.seen_checks {}) r",
            Db::JSON_ROWS.0,
            Db::JSON_ROWS.1,
            Db::LOCK_ATTEMPTS
        ));
        let ids: String = as_seen.build_query_scalar().fetch_one(&mut *tx).await?;
        let ids: Vec<[i64; 1]> =
            serde_json::from_str(&ids).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        changed_ids.extend(ids.into_iter().map(|[id]| id));
        let (seen, _, update, _) = &chunk[0];
        let references = References::changed(seen, update);
        let mut sql = sqlx::QueryBuilder::new(
            "WITH v(id, seen_state, seen_checks, next, next_check_at, gateway_ref, pay_url,
                    gateway_deduction_minor, payable_until, customer_ref, error_code, error_message,
                    resent) AS (",
        );
        sql.push_values(chunk, |mut row, (seen, next, update, resent)| {
            let next_check_at = matches!(next, AttemptState::Pending | AttemptState::Unknown)
                .then(|| now + next_check_delay_ms(0));
            row.push_bind(seen.id)
                .push_bind(seen.state.as_str())
                .push_bind(seen.checks)
                .push_bind(next.as_str())
                .push_bind(next_check_at)
                .push_bind(&update.gateway_ref)
                .push_bind(&update.pay_url)
                .push_bind(update.gateway_deduction_minor)
                .push_bind(update.payable_until)
                .push_bind(&update.customer_ref)
                .push_bind(&update.error_code)
                .push_bind(&update.error_message)
                .push_bind(*resent);
        });
        sql.push(") UPDATE attempts SET state = v.next, updated_at = ")
            .push_bind(now)
            .push(
                ", next_check_at = v.next_check_at,
               gateway_deduction_minor =
                 COALESCE(v.gateway_deduction_minor, attempts.gateway_deduction_minor),
               payable_until = COALESCE(v.payable_until, attempts.payable_until),
               error_code = v.error_code, error_message = v.error_message,",
            );
        for (changed, column) in [
            (references.gateway_ref, "gateway_ref"),
            (references.pay_url, "pay_url"),
            (references.customer_ref, "customer_ref"),
        ] {
            if changed {
                sql.push(format_args!(" {column} = v.{column},"));
            }
        }
        sql.push(
            "
               resends = attempts.resends + v.resent
             FROM v
             WHERE attempts.id = v.id AND attempts.state = v.seen_state
               AND attempts.checks = v.seen_checks
             ",
        );
        sql.build().execute(&mut *tx).await?;
    }
    // Read back as one JSON text: whole rows returned by the UPDATE cost twice its work.
    let mut changed = super::columns::attempts_by_ids(&mut tx, &changed_ids, None).await?;
    changed.sort_by_key(|a| a.id);
    for chunk in inconclusive.chunks(CHUNK_ROWS) {
        let mut sql = sqlx::QueryBuilder::new(
            "WITH v(id, seen_state, seen_checks, next_check_at, resent) AS (",
        );
        sql.push_values(chunk, |mut row, (seen, resent)| {
            row.push_bind(seen.id)
                .push_bind(seen.state.as_str())
                .push_bind(seen.checks)
                .push_bind(now + next_check_delay_ms(seen.checks + 1))
                .push_bind(*resent);
        });
        sql.push(
            ") UPDATE attempts SET checks = v.seen_checks + 1, next_check_at = v.next_check_at,
               resends = attempts.resends + v.resent
             FROM v
             WHERE attempts.id = v.id AND attempts.state = v.seen_state
               AND attempts.checks = v.seen_checks
             RETURNING ",
        )
        .push(Db::UPDATED_ATTEMPT)
        .push("id");
        for id in sql.build_query_scalar().fetch_all(&mut *tx).await? {
            counted.push(id);
        }
    }
    let details: HashMap<i64, &Option<String>> = settles
        .iter()
        .map(|(seen, _, update, _)| (seen.id, &update.detail))
        .collect();
    let events: Vec<_> = changed
        .iter()
        .map(|a| (a.id, a.state, details[&a.id].clone()))
        .collect();
    add_events(&mut tx, &events, actor, now).await?;
    // Settled: moved to a state its gateway gave, not only counted.
    let settled: Vec<i64> = changed
        .iter()
        .filter(|a| !matches!(a.state, AttemptState::Pending | AttemptState::Unknown))
        .map(|a| a.id)
        .collect();
    let action = AuditAction::StatusSettled;
    super::audit::record_attempts(&mut tx, action, &settled, actor, now).await?;
    tx.commit().await?;
    let set_aside = settles.len() + inconclusive.len() - changed.len() - counted.len();
    if set_aside > 0 {
        tracing::info!(
            set_aside,
            "attempts moved on while their status was asked; their answers were set aside"
        );
    }
    Ok(ChecksRecorded { changed, counted })
}

/// The attempt's move to `next` inside the caller's transaction, if the state machine allows
/// it from the state the attempt is in.
async fn move_attempt(
    tx: &mut Conn,
    attempt_id: i64,
    next: AttemptState,
    update: &AttemptUpdate,
    now: i64,
) -> Result<Attempt> {
    let next_check_at = match next {
        AttemptState::Pending | AttemptState::Unknown => Some(now + next_check_delay_ms(0)),
        // Only record_resend and begin set the sender's own deadline.
        AttemptState::Submitting => {
            Some(now + crate::sender::UNRECORDED_TIMEOUT_MS + crate::sender::TAKEOVER_GRACE_MS)
        }
        _ => None,
    };
    let row = sqlx::query(&format!(
        "UPDATE attempts SET state = $1, updated_at = $2, next_check_at = $3,
            gateway_ref = COALESCE($4, gateway_ref), pay_url = COALESCE($5, pay_url),
            gateway_deduction_minor = COALESCE($6, gateway_deduction_minor),
            error_code = $7, error_message = $8, payable_until = COALESCE($10, payable_until),
            customer_ref = COALESCE($11, customer_ref)
         WHERE id = $9 AND state IN ({})
         RETURNING *",
        states_that_may_become(next)
    ))
    .bind(next.as_str())
    .bind(now)
    .bind(next_check_at)
    .bind(&update.gateway_ref)
    .bind(&update.pay_url)
    .bind(update.gateway_deduction_minor)
    .bind(&update.error_code)
    .bind(&update.error_message)
    .bind(attempt_id)
    .bind(update.payable_until)
    .bind(&update.customer_ref)
    .fetch_optional(&mut *tx)
    .await?;
    match row {
        Some(row) => from_row(&row),
        None => Err(StoreError::BadTransition {
            id: attempt_id,
            from: attempt_in(tx, attempt_id).await?.state,
            to: next,
        }),
    }
}

/// The states the state machine allows to move to `next`, as SQL string literals (the states'
/// own names, never input).
pub(in crate::store) fn states_that_may_become(next: AttemptState) -> String {
    let from: Vec<String> = AttemptState::ALL
        .iter()
        .filter(|from| from.can_become(next))
        .map(|from| format!("'{}'", from.as_str()))
        .collect();
    from.join(", ")
}

/// The events of attempts that moved, in as few statements as the limits on bound values allow.
pub(in crate::store) async fn add_events(
    tx: &mut Conn,
    events: &[(i64, AttemptState, Option<String>)],
    actor: &Actor,
    now: i64,
) -> Result<()> {
    for chunk in events.chunks(CHUNK_ROWS) {
        sqlx::QueryBuilder::new(
            "INSERT INTO attempt_events (attempt_id, state, detail, at, desk, operator) ",
        )
        .push_values(chunk, |mut row, (id, state, detail)| {
            row.push_bind(id)
                .push_bind(state.as_str())
                .push_bind(detail)
                .push_bind(now)
                .push_bind(&actor.desk)
                .push_bind(&actor.operator);
        })
        .build()
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// The latest attempt of an order (the one holding it, else its newest), if any.
pub(in crate::store) async fn latest(pool: &Pool, order_id: i64) -> Result<Option<Attempt>> {
    let row = sqlx::query(concat!(
        "SELECT * FROM attempts WHERE id = ",
        latest_attempt_of!("$1")
    ))
    .bind(order_id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub(in crate::store) async fn by_key(
    pool: &Pool,
    idempotency_key: &str,
) -> Result<Option<Attempt>> {
    let row = sqlx::query("SELECT * FROM attempts WHERE idempotency_key = $1")
        .bind(idempotency_key)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub(in crate::store) async fn submitting(pool: &Pool) -> Result<Vec<Attempt>> {
    sqlx::query("SELECT * FROM attempts WHERE state = 'submitting'")
        .fetch_all(pool)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// Attempts whose next move may still be news to a person away from the window
/// ([`crate::attention`]): not settled, or settled and contested. Two index walks (by state,
/// and the partial index of contested ones), however many settled attempts there are; read as
/// one JSON text (a merchant's tens of thousands of open attempts, handed over one by one).
pub(in crate::store) async fn watched(pool: &Pool) -> Result<Vec<Attempt>> {
    let mut query = super::columns::attempts_json();
    query.push(
        "SELECT * FROM attempts
           WHERE state IN ('created', 'submitting', 'pending', 'unknown', 'needs_review')
         UNION ALL
         SELECT * FROM attempts WHERE contested IS NOT NULL",
    );
    let mut conn = pool.acquire().await?;
    super::columns::read_attempts(&mut conn, query).await
}

/// [`watched`] as `(id, state, contested)` only: what the notifier remembers of each, without
/// reading every open attempt's row as the window starts. The open ones come from the state
/// index alone (not contested, as far as it knows), then every contested one: an open attempt
/// that is contested comes twice, the second time contested. One JSON text: the 30,000 open
/// attempts of a million, handed over row by row, took 57 ms of the window's start.
pub(in crate::store) async fn watched_standings(
    pool: &Pool,
) -> Result<Vec<(i64, AttemptState, bool)>> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT {}id, state, contested_now{} FROM (
               SELECT id, state, 0 AS contested_now FROM attempts
                 WHERE state IN ('created', 'submitting', 'pending', 'unknown', 'needs_review')
               UNION ALL
               SELECT id, state, 1 AS contested_now FROM attempts WHERE contested IS NOT NULL
             ) r",
            Db::JSON_ROWS.0,
            Db::JSON_ROWS.1
        )
    });
    let text: String = sqlx::query_scalar(SQL.as_str()).fetch_one(pool).await?;
    let rows: Vec<(i64, String, i64)> =
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    rows.into_iter()
        .map(|(id, state, contested)| {
            let state = AttemptState::parse(&state).ok_or_else(|| corrupt_state(&state))?;
            Ok((id, state, contested != 0))
        })
        .collect()
}

/// Counts a check whose answer settled nothing, and asks again later.
pub(in crate::store) async fn note_inconclusive_check(
    pool: &Pool,
    attempt_id: i64,
    now: i64,
) -> Result<()> {
    let mut tx = Db::begin_write(pool).await?;
    let checks: i64 = sqlx::query_scalar(
        "UPDATE attempts SET checks = checks + 1 WHERE id = $1 RETURNING checks",
    )
    .bind(attempt_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NoSuchAttempt(attempt_id))?;
    sqlx::query("UPDATE attempts SET next_check_at = $1 WHERE id = $2")
        .bind(now + next_check_delay_ms(checks))
        .bind(attempt_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The attempt as the caller's transaction sees it.
pub(in crate::store) async fn attempt_in(tx: &mut Conn, attempt_id: i64) -> Result<Attempt> {
    let row = sqlx::query("SELECT * FROM attempts WHERE id = $1")
        .bind(attempt_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NoSuchAttempt(attempt_id))?;
    from_row(&row)
}

/// What a payment starts from, in one statement: the order as the console shows it, its
/// latest attempt (as JSON) and its profile. On a server each statement is a round trip a
/// payment waits on; in a file, each is a hand-over to SQLite's thread and back.
pub(in crate::store) async fn payment_start(
    pool: &Pool,
    order_no: &str,
) -> Result<(OrderView, Option<Attempt>, Profile)> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let latest: Vec<String> = ["id", ATTEMPT_COLUMNS, "db_role"]
            .join(",")
            .split(',')
            .map(|column| format!("a.{}", column.trim()))
            .collect();
        format!(
            "SELECT {ORDER_VIEW_COLUMNS}, p.id AS profile_id, p.base_url, p.settings, p.vault_id,
                    CASE WHEN a.id IS NULL THEN NULL ELSE {}{}{} END AS latest
             FROM orders o {ORDER_VIEW_JOINS}
             WHERE o.order_no = $1",
            Db::JSON_ROW.0,
            latest.join(", "),
            Db::JSON_ROW.1
        )
    });
    let row = sqlx::query(SQL.as_str())
        .bind(order_no)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| StoreError::NoSuchOrder(order_no.to_string()))?;
    let order = super::orders::from_row(&row)?;
    let latest = match row.try_get::<Option<String>, _>("latest")? {
        None => None,
        Some(text) => Some(Attempt::try_from(
            serde_json::from_str::<AttemptRow>(&text)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        )?),
    };
    let profile = Profile {
        id: row.try_get("profile_id")?,
        name: order.profile.clone(),
        gateway: order.gateway.clone(),
        base_url: row.try_get("base_url")?,
        settings: json_map(row.try_get("settings")?)?,
        is_sandbox: order.is_sandbox,
        vault_id: row.try_get("vault_id")?,
    };
    Ok((order, latest, profile))
}
