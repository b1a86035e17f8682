//! Which of an order's attempts is its latest, as SQL every read and trigger shares.

/// The id of order `$order_id`'s latest attempt, as every read and the kept `latest_*`
/// columns (migrations: SQLite 0025, a server's 0012) mean it: the attempt that holds the
/// order, paid or under way (the one-live-attempt index allows one, and this reads it), when
/// there is one, else its newest. A failed attempt moved in from a desk's own history after
/// another desk paid the order gets the newer id, and must not show the order as failed.
macro_rules! latest_attempt_of {
    ($order_id:literal) => {
        concat!(
            "COALESCE((SELECT max(id) FROM attempts WHERE order_id = ",
            $order_id,
            " AND state IN ",
            $crate::store::holding_states!(),
            "), (SELECT max(id) FROM attempts WHERE order_id = ",
            $order_id,
            "))"
        )
    };
}
pub(crate) use latest_attempt_of;

/// The states of an attempt that hold its order (paid, or being paid), as SQL: the
/// predicate of the one-live-attempt index, word for word, so that a read naming them can
/// use it.
macro_rules! holding_states {
    () => {
        "('created','submitting','pending','unknown','needs_review','succeeded')"
    };
}
pub(crate) use holding_states;
