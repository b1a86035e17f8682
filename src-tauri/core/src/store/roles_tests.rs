//! The database's own roles, as the README sets them up (this test runs exactly its SQL): the
//! owner migrates, a desk login writes the history but only adds to its audit trail, a support
//! login only reads, and neither may migrate nor use a schema from another paydesk.

use sqlx::postgres::{PgConnectOptions, PgPool};
use sqlx::{ConnectOptions, Executor};

use super::*;
use crate::domain::AttemptState;
use crate::test_support::{add_order, add_profile, begin_attempt, db_path, record_state};

/// The README's SQL block that starts with the comment `-- {title}`, statement by statement
/// (as psql runs them, each on its own: CREATE DATABASE refuses to run inside a transaction).
fn readme_sql(title: &str) -> Vec<String> {
    let readme = include_str!("../../../../README.md");
    let start = readme
        .find(&format!("```sql\n-- {title}\n"))
        .unwrap_or_else(|| panic!("the README has no SQL block {title:?}"));
    let block = &readme[start + "```sql\n".len()..];
    block[..block.find("```").unwrap()]
        .split(';')
        .map(str::trim)
        .filter(|statement| {
            !statement
                .lines()
                .all(|l| l.trim().is_empty() || l.starts_with("--"))
        })
        .map(str::to_string)
        .collect()
}

/// The test server as `user` (with `password`), in the README's database.
fn as_login(user: &str, password: &str) -> PgConnectOptions {
    PgConnectOptions::new()
        .username(user)
        .password(password)
        .database("paydesk")
}

async fn open_as(user: &str, password: &str) -> (tempfile::TempDir, Result<Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_shared(as_login(user, password), &db_path(dir.path())).await;
    (dir, store)
}

#[tokio::test]
async fn each_role_does_what_the_readme_says_and_no_more() {
    if crate::test_support::temp_shared_store().await.is_none() {
        return;
    }
    let mut superuser = PgConnectOptions::new().connect().await.unwrap();
    for statement in readme_sql("paydesk roles: as a superuser") {
        superuser.execute(statement.as_str()).await.unwrap();
    }

    // A desk login cannot create the schema.
    let (_d, refused) = open_as("desk_1", "desk-password").await;
    let why = refused
        .err()
        .expect("a desk login never migrates")
        .to_string();
    assert!(
        why.contains("connect once as the database's owner"),
        "{why}"
    );

    let (_o, owner) = open_as("paydesk_owner", "owner-password").await;
    let owner = owner.unwrap();
    assert!(!owner.is_read_only());
    let owner_pool: &PgPool = owner.shared_pool().unwrap();
    for statement in readme_sql("paydesk grants: as paydesk_owner, in its database") {
        owner_pool.execute(statement.as_str()).await.unwrap();
    }

    let (_d, desk) = open_as("desk_1", "desk-password").await;
    let desk = desk.unwrap();
    assert!(!desk.is_read_only());
    let shift = desk.start_shift().await.unwrap();
    add_profile(&desk, "p", "sensecore").await;
    let order = add_order(&desk, "p", "R-1", "5.00", "roles").await;
    let attempt = begin_attempt(&desk, &order, "alipay", "k-r1")
        .await
        .unwrap();
    record_state(&desk, attempt.id, AttemptState::Unknown).await;
    record_state(&desk, attempt.id, AttemptState::NeedsReview).await;
    desk.resolve_review(attempt.id, AttemptState::Failed, "cancelled at the till")
        .await
        .unwrap();
    let pool = desk.shared_pool().unwrap();
    // The server names the role each row came through, whatever a desk writes.
    let roles: Vec<String> = sqlx::query_scalar(
        "SELECT db_role FROM attempts UNION ALL SELECT db_role FROM attempt_events
         UNION ALL SELECT db_role FROM reviews",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(
        roles.len(),
        1 + 5 + 1,
        "an attempt, its five events, a review: {roles:?}"
    );
    assert!(roles.iter().all(|r| r == "desk_1"), "{roles:?}");
    sqlx::query("UPDATE attempts SET db_role = 'paydesk_owner'")
        .execute(pool)
        .await
        .unwrap();
    let kept: String = sqlx::query_scalar("SELECT db_role FROM attempts")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(kept, "desk_1");
    for tampering in [
        "UPDATE attempt_events SET detail = 'rewritten'",
        "DELETE FROM attempt_events",
        "UPDATE reviews SET note = 'rewritten'",
        "DELETE FROM reviews",
        "DELETE FROM attempts",
        "DROP TABLE orders",
        "UPDATE audit SET subject = 'rewritten'",
        "DELETE FROM audit",
    ] {
        let refused = sqlx::query(tampering).execute(pool).await.unwrap_err();
        assert!(
            matches!(StoreError::from(refused), StoreError::ReadOnly),
            "{tampering}"
        );
    }

    desk.end_shift(&[], true).await.unwrap();
    assert_eq!(desk.shift_attempts(shift.id).await.unwrap().len(), 1);

    let (_s, support) = open_as("agent_1", "support-password").await;
    let support = support.unwrap();
    assert!(support.is_read_only());
    assert!(matches!(
        support.start_shift().await,
        Err(StoreError::ReadOnly)
    ));
    assert_eq!(support.order("R-1").await.unwrap().subject, "roles");
    assert_eq!(support.lookup("k-r1", 5).await.unwrap()[0].order_no, "R-1");
    let second = support
        .add_order(&crate::test_support::new_order(
            "p",
            "R-2",
            crate::test_support::cny("1.00"),
        ))
        .await;
    assert!(matches!(second, Err(StoreError::ReadOnly)), "{second:?}");
    let paying = begin_attempt(&support, &order, "alipay", "k-r2").await;
    assert!(matches!(paying, Err(StoreError::ReadOnly)), "{paying:?}");
    // What a support agent is shown of a customer is on the trail, theirs to add to only.
    let shown = crate::audit::Audited::new(crate::audit::AuditAction::PersonalDataRevealed, "R-1");
    support.audit(&shown).await.unwrap();
    let trail = desk
        .audit_trail(&crate::audit::AuditQuery::default())
        .await
        .unwrap();
    assert_eq!(
        trail[0].action,
        crate::audit::AuditAction::PersonalDataRevealed
    );
    assert_eq!(
        desk.attempts("R-1").await.unwrap().len(),
        1,
        "nothing was journaled"
    );
    // A support agent hands a customer a copy of a paid order's receipt.
    let paid = add_order(&desk, "p", "R-3", "3.00", "roles").await;
    let paid_attempt = begin_attempt(&desk, &paid, "alipay", "k-r3").await.unwrap();
    record_state(&desk, paid_attempt.id, AttemptState::Succeeded).await;
    let original = desk
        .issue_receipt(&desk.paid_order("R-3").await.unwrap())
        .await;
    assert_eq!(original.unwrap().0, 0, "the desk's is the original");
    let copy = support
        .issue_receipt(&support.paid_order("R-3").await.unwrap())
        .await;
    assert_eq!(copy.unwrap().0, 1, "the agent's is a copy");

    // A schema from a newer paydesk is left alone, by every role.
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (999999, 'from a newer paydesk', true, '\\x00', 0)",
    )
    .execute(owner_pool)
    .await
    .unwrap();
    for (user, password) in [
        ("desk_1", "desk-password"),
        ("paydesk_owner", "owner-password"),
    ] {
        let (_d, newer) = open_as(user, password).await;
        let why = newer.err().expect("a newer schema is refused").to_string();
        assert!(why.contains("newer than this paydesk's"), "{user}: {why}");
    }
}
